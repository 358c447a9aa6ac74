"""Relative times resolved against the call time, across month and year boundaries."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from classifiers.fields import FieldExtractor
from classifiers.fields.timeexpr import scan_times

COUNTY = json.loads((Path(__file__).resolve().parents[2] / "assistant/demo/heifeng/county.json").read_text("utf-8"))


def at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso + "+08:00")


def first(text: str, call: str) -> str | None:
    for e in scan_times(text, at(call)):
        if e.status == "ok" and e.value is not None:
            return e.value.isoformat(timespec="minutes") if isinstance(e.value, dt.datetime) else e.value.isoformat()
    return None


@pytest.mark.parametrize(("text", "call", "want"), [
    ("昨天晚上就停水了", "2026-01-01T08:30", "2025-12-31"),
    ("昨天晚上十点多了还在放音乐", "2026-01-01T08:30", "2025-12-31T22:00+08:00"),
    ("前天下午三点钟", "2025-03-01T16:45", "2025-02-27T15:00+08:00"),
    ("大前天就坏了", "2024-03-02T10:00", "2024-02-28"),
    ("大前天晚上下了一夜的雨", "2025-03-01T08:25", "2025-02-26"),
    ("上个礼拜三就开始搞了", "2026-01-05T09:50", "2025-12-31"),
    ("上礼拜五加的油", "2025-09-01T15:30", "2025-08-29"),
    ("礼拜天早上去买的", "2025-12-31T10:40", "2025-12-28"),
    ("十二月三十号交的材料", "2026-01-05T09:50", "2025-12-30"),
    ("上个月三十号爆了", "2025-08-01T10:40", "2025-07-30"),
    ("2025年7月28日晚上", "2025-08-01T09:30", "2025-07-28"),
    ("今天早上七点二十那趟", "2025-04-01T10:15", "2025-04-01T07:20+08:00"),
    ("昨天个下半天就时有时无", "2025-01-06T08:20", "2025-01-05"),
    ("三天前的事", "2025-03-01T10:00", "2025-02-26"),
    ("刚刚有人打电话", "2026-04-01T12:30", "2026-04-01"),
])
def test_relative_expressions(text: str, call: str, want: str) -> None:
    assert first(text, call) == want


@pytest.mark.parametrize("text", ["这两天都在挖", "月初清过一次", "上个月就该发的", "二十几号吧", "这个月六号七号的样子",
                                  "每天晚上搞到十点", "明天元旦", "下个礼拜三再说", "晚上叫得睡不着", "去年就有了"])
def test_vague_future_and_habitual_give_nothing(text: str) -> None:
    assert first(text, "2025-03-10T10:00") is None


def test_not_times() -> None:
    assert first("溇水苑三号楼", "2025-03-10T10:00") is None
    assert first("放烟花放到一两点", "2025-03-10T10:00") is None
    assert first("好一点了", "2025-03-10T10:00") is None


def test_same_day_apposition_prefers_the_date() -> None:
    assert first("上个礼拜三，就是十二月三十一号", "2026-01-02T09:15") == "2025-12-31"


@pytest.fixture(scope="module")
def fx() -> FieldExtractor:
    extractor = FieldExtractor(COUNTY, address_library=None)
    extractor.warm_up()
    return extractor


def turns(*lines: str) -> list[dict]:
    return [{"speaker": "agent" if s == "A" else "caller", "start": 2.0 * i, "end": 2.0 * i + 1.5, "text": t}
            for i, (s, t) in enumerate(line.split("：", 1) for line in lines)]


def test_event_time_refined_by_a_later_clock(fx: FieldExtractor) -> None:
    draft = fx.run(turns("C：昨天有人放火烧山。", "A：昨天什么时候？", "C：昨天下午两点多，烧了一下午。"), "2025-05-06T18:15:00+08:00")
    assert draft.event_time.value == "2025-05-05T14:00+08:00"
    draft = fx.run(turns("C：昨天夜里石头滚下来砸了后墙。", "A：大概几点钟？", "C：半夜，一点多钟。"), "2025-04-15T07:30:00+08:00")
    assert draft.event_time.value == "2025-04-15T01:00+08:00"


def test_confirmed_readback_of_time_wins(fx: FieldExtractor) -> None:
    draft = fx.run(turns("C：昨天晚上发大水，把鱼塘冲了。", "A：是今天凌晨两点多吧？", "C：对，就是今天凌晨。"),
                   "2025-07-01T07:40:00+08:00")
    assert draft.event_time.value == "2025-07-01T02:00+08:00"
    assert len(draft.event_time.spans) == 2


def test_future_date_is_skipped_for_the_past_one(fx: FieldExtractor) -> None:
    draft = fx.run(turns("C：3月5号那天能不能打疫苗？我是前天，3月1号被猫抓了。"), "2025-03-03T10:45:00+08:00")
    assert draft.event_time.value == "2025-03-01"


def test_no_time_said_stays_empty(fx: FieldExtractor) -> None:
    assert fx.run(turns("C：我想问一下公积金怎么提取。"), "2025-05-06T11:00:00+08:00").event_time.value is None
