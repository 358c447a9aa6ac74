"""The query side: recent query vectors are reused, a long transcript is embedded by its latest words."""

import numpy as np
import pytest

from knowledge_base import Embedder, HybridRetriever, InvalidSetting


def test_recent_query_vectors_are_reused(embedder):
    embedder.clear_query_cache()
    first = embedder.embed_query("社保卡丢了怎么补办")
    assert embedder.embed_query("社保卡丢了怎么补办") is first
    assert not first.flags.writeable
    np.testing.assert_allclose(first, embedder.embed_queries(["社保卡丢了怎么补办"])[0], atol=1e-6)
    small = Embedder(query_cache=2)
    for q in ("一", "二", "三"):
        small.embed_query(q)
    assert list(small._recent) == ["二", "三"]
    with pytest.raises(InvalidSetting):
        Embedder(query_cache=-1)


def test_long_transcript_is_embedded_by_its_latest_words(embedder, tokenizer, articles):
    r = HybridRetriever(embedder, tokenizer, query_chars=32)
    r.build(articles)
    chatter = "喂你好，我是青杠镇的，今天天气不好，下了一上午的雨，路上全是泥巴，走都走不动，" * 6
    res = r.search(chatter + "我的社保卡密码忘记了咋个办", method="dense")
    assert res.top.doc_id == "sb-pin"
    with pytest.raises(InvalidSetting):
        HybridRetriever(embedder, tokenizer, query_chars=8)


def test_batches_bound_texts_and_characters(embedder):
    e = Embedder(batch_size=3, batch_chars=10)
    texts = ["一二", "三四", "五六", "七八", "长" * 12, "九十"]
    assert e._batches(texts) == [(0, 3), (3, 4), (4, 5), (5, 6)]
    together = embedder.embed_passages(texts)
    np.testing.assert_allclose(e.embed_passages(texts), together, atol=1e-6)  # same vectors however batched
