import json

import pytest

from knowledge_base import Document, HybridRetriever, IndexNotFound, InvalidDocument, InvalidSetting


@pytest.mark.parametrize("method", ["bm25", "dense", "hybrid"])
def test_each_method_finds_paraphrases(retriever, method):
    assert retriever.search("社保卡不见了怎么补办", method=method).top.doc_id == "sb-lost"
    assert retriever.search("娃儿刚生下来咋个上户口", method=method).top.doc_id == "hk-baby"


def test_hybrid_returns_article_level_hits_with_matched_entry(retriever):
    res = retriever.search("呃，那个，种粮补贴啥子时候到账嘛", k=3)
    assert res.normalized_query == "种粮补贴什么时候到账"
    top = res.top
    assert top.doc_id == "farm-subsidy"
    assert top.matched_text == "种粮补贴啥时候到账"
    assert top.matched_kind == "similar"
    assert top.meta == {"category": "农业补贴"}
    assert len({h.doc_id for h in res.hits}) == len(res.hits) == 3
    assert 0.0 <= res.confidence <= 1.0


def test_confidence_is_lower_for_an_unrelated_question(retriever):
    good = retriever.search("社保卡密码忘记了")
    bad = retriever.search("明天去火星的飞船几点起飞")
    assert good.confidence > bad.confidence


def test_user_dictionary_place_names(retriever):
    assert retriever.search("白马村水管爆了").top.doc_id == "qinggang-water"
    assert "白马村" in retriever.tokenizer.tokenize("青杠镇白马村")


def test_exclusion_drops_ids_from_the_ranking(retriever):
    res = retriever.search("社保卡丢了怎么补办", k=7, exclude=["sb-lost"])
    assert "sb-lost" not in [h.doc_id for h in res.hits]


def test_add_replace_and_remove_without_rebuild(retriever, embedder):
    retriever.remove(["water-off"])
    assert "water-off" not in [h.doc_id for h in retriever.search("停水了找谁", k=7).hits]
    new = Document("gas", "闻到燃气味道怎么办", "立即关闭阀门、开窗通风，到室外拨打燃气抢修电话。", ["家里有煤气味"])
    assert retriever.add([new]) == 1
    assert retriever.add([new]) == 0  # unchanged: nothing to do
    assert retriever.search("屋里头有股煤气味").top.doc_id == "gas"
    changed = Document("gas", "闻到燃气味道怎么办", new.text, ["家里有煤气味", "天然气泄漏了"])
    assert retriever.add([changed]) == 1
    assert retriever.search("天然气泄漏了").top.matched_text == "天然气泄漏了"
    assert len(retriever) == 7


def test_sync_touches_only_changes(retriever, articles):
    counts = retriever.sync(articles[:5])
    assert counts == {"indexed": 0, "removed": 2, "total": 5}


def test_save_load_round_trip_and_staleness(retriever, embedder, tokenizer, articles, tmp_path):
    retriever.save(tmp_path)
    assert HybridRetriever.saved_fingerprint(tmp_path) == retriever.fingerprint(articles)
    other = HybridRetriever(embedder, tokenizer)
    other.load(tmp_path)
    q = "后山在掉石头怎么办"
    assert [h.doc_id for h in other.search(q).hits] == [h.doc_id for h in retriever.search(q).hits]
    edited = articles[:-1] + [Document("qinggang-water", articles[-1].title, "新的答案", [])]
    assert other.fingerprint(edited) != HybridRetriever.saved_fingerprint(tmp_path)
    status = other.open_or_build(tmp_path, edited)
    assert status["action"] == "updated" and status["indexed"] == 1
    again = HybridRetriever(embedder, tokenizer).open_or_build(tmp_path, edited)
    assert again == {"action": "loaded", "indexed": 0, "removed": 0, "total": 7}


def test_index_from_other_settings_is_not_loaded(retriever, embedder, tokenizer, tmp_path):
    retriever.save(tmp_path)
    with pytest.raises(IndexNotFound) as err:
        HybridRetriever(embedder, tokenizer, index_answers=False).load(tmp_path)
    assert "重建" in str(err.value)
    with pytest.raises(IndexNotFound):
        HybridRetriever(embedder, tokenizer).load(tmp_path / "missing")


def test_bm25_only_without_model(tokenizer, articles, tmp_path):
    r = HybridRetriever(None, tokenizer)
    r.build(articles)
    assert r.method == "bm25"
    assert r.search("社保卡密码锁了").top.doc_id == "sb-pin"
    r.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == 7


def test_bad_input_is_refused(embedder, tokenizer):
    r = HybridRetriever(embedder, tokenizer)
    with pytest.raises(InvalidDocument):
        r.add([Document("", "无编号")])
    with pytest.raises(InvalidDocument):
        r.add([Document("x", "", "")])
    with pytest.raises(InvalidSetting):
        HybridRetriever(embedder, tokenizer, fusion="max")
    assert r.search("社保卡").hits == []


def test_calibrator_fits_and_round_trips(tmp_path):
    from knowledge_base import Calibrator

    rows = [{"dense_top": 0.9, "agree": 1.0, "fused_margin": 0.5}] * 20 + \
        [{"dense_top": 0.8, "agree": 0.0, "fused_margin": 0.05}] * 20
    cal = Calibrator().fit(rows, [1] * 20 + [0] * 20)
    assert cal.predict(rows[0]) > 0.8 > 0.2 > cal.predict(rows[-1])
    cal.save(tmp_path / "c.json")
    assert Calibrator.load(tmp_path / "c.json").predict(rows[0]) == pytest.approx(cal.predict(rows[0]))
