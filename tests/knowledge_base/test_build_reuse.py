"""Index builds embed each text once: equal texts share one embedding, a rebuild for other
tokenizer settings reuses the saved vectors, and answers can be embedded by their opening only."""

import numpy as np

from knowledge_base import Document, Embedder, HybridRetriever, Tokenizer


class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def _embed(self, texts, is_query):
        self.texts.extend(texts)
        return super()._embed(texts, is_query)


def test_equal_texts_are_embedded_once(tokenizer):
    emb = CountingEmbedder()
    docs = [Document("a", "社保卡丢了怎么补办", "到社保窗口补办。", ["社保卡掉了咋办"]),
            Document("b", "社保卡掉了咋办", "到社保窗口补办。", ["社保卡丢了怎么补办"])]
    r = HybridRetriever(emb, tokenizer)
    r.build(docs)
    # the texts as the index sees them (咋办 → 怎么办), each once
    assert sorted(emb.texts) == sorted(["社保卡丢了怎么补办", "社保卡掉了怎么办", "到社保窗口补办。"])
    vecs = r.store.dense.vectors()
    rows = r.store.doc_rows
    np.testing.assert_allclose(vecs[rows["a"][0]], vecs[rows["b"][1]])  # same text, same vector
    assert {h.doc_id for h in r.search("社保卡掉了", k=2).hits} == {"a", "b"}


def test_rebuild_for_other_tokenizer_reuses_saved_vectors(articles, tmp_path):
    emb = CountingEmbedder()
    first = HybridRetriever(emb, Tokenizer(["青杠镇"]))
    assert first.open_or_build(tmp_path, articles)["action"] == "built"
    embedded = len(emb.texts)
    assert embedded >= 3 * len(articles) - 1
    emb.texts.clear()
    added = Document("gas", "闻到燃气味道怎么办", "立即关闭阀门、开窗通风。", ["家里有煤气味"])
    second = HybridRetriever(emb, Tokenizer(["青杠镇", "白马村"]))  # a new place name: other BM25 terms
    status = second.open_or_build(tmp_path, articles + [added])
    assert status["action"] == "built" and status["total"] == len(articles) + 1
    new_texts = [second.normalizer.document(t) for t in (added.title, *added.similar, added.text)]
    assert sorted(emb.texts) == sorted(new_texts)  # only the new article
    assert second.store.vector_cache == {}
    q = "后山在掉石头怎么办"
    assert second.search(q).top.doc_id == first.search(q).top.doc_id == "landslide"
    again = HybridRetriever(emb, Tokenizer(["青杠镇", "白马村"])).open_or_build(tmp_path, articles + [added])
    assert again["action"] == "loaded"


def test_other_model_settings_embed_again(articles, tmp_path):
    emb = CountingEmbedder()
    HybridRetriever(emb, Tokenizer()).open_or_build(tmp_path, articles)
    emb.texts.clear()
    r = HybridRetriever(emb, Tokenizer(), question_prefix="passage")  # questions embedded as passages
    r.open_or_build(tmp_path, articles)
    assert len(emb.texts) >= 2 * len(articles)


def test_answers_embedded_by_their_opening(tokenizer, embedder):
    long_answer = "携带身份证到县政务服务中心社保窗口或合作银行网点办理挂失和补卡，工本费全免，当场可以领取新卡。"
    r = HybridRetriever(embedder, tokenizer, answer_chars=20)
    r.build([Document("sb", "社保卡丢了怎么补办", long_answer)])
    row = [i for i, e in enumerate(r.store.entries) if e.kind == "text"][0]
    expected = embedder.embed_passages([long_answer[:20]])[0]
    np.testing.assert_allclose(r.store.dense.vectors()[row], expected, atol=2e-3)
    assert r._signature()["answer_chars"] == 20
    assert "answer_chars" not in HybridRetriever(embedder, tokenizer)._signature()
