"""Retrieval settings chosen by evaluation (see the figures in the package README)."""

RETRIEVER_DEFAULTS = {
    "fusion": "rrf",
    "dense_weight": 0.5,
    "rrf_k": 60.0,
    "candidates": 100,
}
