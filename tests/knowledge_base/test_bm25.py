import numpy as np

from knowledge_base.bm25 import BM25Index


def _index():
    b = BM25Index()
    b.add([["社保卡", "补办"], ["社保卡", "密码"], ["户口", "新生儿"], ["停水", "小区"]])
    return b


def test_ranking_prefers_rare_matching_terms():
    b = _index()
    rows, scores = b.top(["社保卡", "密码"], 3)
    assert rows[0] == 1
    assert list(rows) == [1, 0]  # row 0 only shares 社保卡; rows 2-3 share nothing
    assert scores[0] > scores[1] > 0


def test_unknown_terms_score_nothing():
    b = _index()
    rows, _ = b.top(["不存在"], 5)
    assert rows.size == 0


def test_remove_and_compact_keep_rows_consistent():
    b = _index()
    b.remove([1])
    rows, _ = b.top(["密码"], 5)
    assert rows.size == 0
    keep = b.compact()
    assert list(keep) == [0, 2, 3]
    rows, _ = b.top(["停水"], 5)
    assert list(rows) == [2]


def test_idf_follows_additions():
    b = _index()
    before = b.scores(["户口"])[2]
    b.add([["户口", "迁移"]] * 3)
    after = b.scores(["户口"])[2]
    assert after < before


def test_save_load_round_trip(tmp_path):
    b = _index()
    b.remove([3])
    b.save(tmp_path)
    c = BM25Index.load(tmp_path)
    np.testing.assert_allclose(b.scores(["社保卡", "停水"]), c.scores(["社保卡", "停水"]))
    assert c.vocab == b.vocab


def test_rows_added_after_a_removal_are_found():
    b = _index()
    b.prepare()
    b.remove([0, 1])
    b.prepare()
    b.add([["社保卡", "挂失"]])
    rows, _ = b.top(["社保卡", "挂失"], 5)
    assert list(rows) == [4]
    rows, _ = b.top(["停水"], 5)
    assert list(rows) == [3]
