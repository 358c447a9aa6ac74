"""Repeated and concentrated appeals on plain entries (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import ValidationFailed
from assistant.governance.detector import DAY, Entry, RecentIndex, detect, distinct_callers
from assistant.governance.policy import GovernancePolicy
from assistant.governance.similarity import ngram_scores, ngram_vector

ROAD = "走马镇白果村到集镇的通村公路塌方了，车子过不去，请尽快派人修复"
ROAD2 = "白果村通村公路塌方，车过不去，请走马镇尽快修一下"
LIGHT = "容美镇溇水大道路灯晚上不亮，已经坏了一个多星期"


def entry(tid: int, day: float, text: str, callers: tuple[str, ...] = (), township: str = "走马镇",
          category: str = "城乡建设") -> Entry:
    return Entry(tid, day * DAY, callers, township, category, ngram_vector(text))


def test_ngram_similarity_separates_matters() -> None:
    a, b, c = ngram_vector(ROAD), ngram_vector(ROAD2), ngram_vector(LIGHT)
    scores = ngram_scores(a, [a, b, c])
    assert scores[0] == pytest.approx(1.0, abs=1e-5)
    assert scores[1] > 0.40 > scores[2]
    assert ngram_scores(ngram_vector(""), [a]).tolist() == [0.0]


def test_repeat_needs_five_within_the_window() -> None:
    policy, index = GovernancePolicy(), RecentIndex(keep_days=31)
    me = ("tel:13907181234",)
    for i in range(4):
        e = entry(i + 1, i * 5, ROAD if i % 2 else ROAD2, me)
        assert detect(e, index, policy) == []
        index.add(e)
    found = detect(entry(5, 21, ROAD, me), index, policy)
    assert [f.kind for f in found] == ["repeat"]
    assert found[0].count == 5 and sorted(found[0].ticket_ids) == [1, 2, 3, 4, 5]
    # the first one left the 30-day window: only 4 remain
    assert detect(entry(6, 32, ROAD, me), index, policy) == []


def test_repeat_needs_the_same_matter_category_and_place() -> None:
    policy, index = GovernancePolicy(), RecentIndex(keep_days=31)
    me = ("id:422822199001011234",)
    for i in range(4):
        index.add(entry(i + 1, i, LIGHT, me, township="容美镇"))
    assert detect(entry(9, 5, ROAD, me), index, policy) == []  # another matter
    assert detect(entry(9, 5, LIGHT, me, township="走马镇"), index, policy) == []  # another place
    assert detect(entry(9, 5, LIGHT, me, township="容美镇", category="交通运输"), index, policy) == []
    assert detect(entry(9, 5, LIGHT, me, township="容美镇"), index, policy)[0].kind == "repeat"
    assert detect(entry(9, 5, LIGHT, me, township=""), index, policy)[0].kind == "repeat"  # place unknown


def test_concentrated_counts_distinct_callers_within_three_days() -> None:
    policy, index = GovernancePolicy(), RecentIndex(keep_days=31)
    for i in range(3):
        index.add(entry(i + 1, 0.1 * i, ROAD, (f"tel:1390000000{i}",)))
    index.add(entry(4, 0.5, ROAD2, ("tel:13900000000",)))  # the first caller again
    assert detect(entry(5, 1, ROAD, ("tel:13900000009",)), index, policy) == []  # 4 people
    index.add(entry(6, 1.5, ROAD2))  # anonymous: a person of their own
    found = detect(entry(7, 2, ROAD, ("tel:13900000009",)), index, policy)
    assert [f.kind for f in found] == ["concentrated"] and found[0].count == 5
    assert detect(entry(8, 4, ROAD, ("tel:13900000008",)), index, policy) == []  # the others are older than 3 days


def test_distinct_callers_merges_number_and_id() -> None:
    es = [entry(1, 0, ROAD, ("tel:1", "id:A")), entry(2, 0, ROAD, ("tel:2", "id:A")), entry(3, 0, ROAD, ("tel:2",)),
          entry(4, 0, ROAD), entry(5, 0, ROAD)]
    assert distinct_callers(es) == 3


def test_index_prunes_and_embeddings_take_over() -> None:
    index = RecentIndex(keep_days=3)
    for i in range(5):
        index.add(entry(i, i, ROAD))
    assert index.prune(5 * DAY) == 2 and len(index) == 3
    policy = GovernancePolicy.from_dict({"concentrated": {"min_callers": 2}})
    a, b = entry(10, 5, ROAD, ("tel:1",)), entry(11, 5, LIGHT, ("tel:2",))
    a.vector = b.vector = np.ones(4, np.float32) / 2  # identical vectors: the embedding decides
    index.add(a)
    assert detect(b, index, policy)[0].matches[0].method == "embedding"


def test_policy_from_the_county_and_bad_values() -> None:
    from assistant.config import DEMO_COUNTY_DIR

    policy = GovernancePolicy.for_county(DEMO_COUNTY_DIR)
    assert (policy.repeat.min_count, policy.repeat.window_days) == (5, 30)
    assert (policy.concentrated.min_callers, policy.concentrated.window_days) == (5, 3)
    with pytest.raises(ValidationFailed, match="重复诉求规则配置有误"):
        GovernancePolicy.from_dict({"repeat": {"min_count": 1}})
    with pytest.raises(ValidationFailed):
        GovernancePolicy.from_dict({"unknown": 1})


def test_callers_sharing_a_number_or_an_id_are_one_caller() -> None:
    entries = [entry(1, 0, ROAD, ("tel:13900000001",)), entry(2, 0, ROAD, ("tel:13900000001", "id:X")),
               entry(3, 0, ROAD, ("id:X",)), entry(4, 0, ROAD), entry(5, 0, ROAD), entry(6, 0, ROAD, ("tel:2",)),
               entry(7, 0, ROAD, ("id:Y", "tel:2")), entry(8, 0, ROAD, ("tel:3",))]
    # {1,2,3} by number then ID, the two anonymous ones alone, {6,7}, {8}
    assert distinct_callers(entries) == 5


def test_the_window_of_a_township_holds_its_own_and_the_placeless_entries() -> None:
    index = RecentIndex(keep_days=4)
    for tid, town in enumerate(["走马镇", "容美镇", "", "走马镇", "太平镇"], start=1):
        index.add(entry(tid, tid * 0.1, ROAD, township=town))
    assert sorted(e.ticket_id for e in index.window(0, DAY, "走马镇")) == [1, 3, 4]
    assert sorted(e.ticket_id for e in index.window(0, DAY)) == [1, 2, 3, 4, 5]
    assert [e.ticket_id for e in index.window(0, 0.25 * DAY, "走马镇")] == [1]
    index.prune(5 * DAY)
    assert index.window(0, 10 * DAY, "走马镇") == [] and len(index) == 0
