"""County time rules on the real calendar (2025 National Day: 10-01..10-08 off, 09-28 and 10-11 on)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import assistant
from assistant.errors import RuleViolation, ValidationFailed
from assistant.policy import (
    APPEAL_TYPES,
    URGENCIES,
    TimePolicy,
    callback_deadline,
    check_return_allowed,
    compute_deadlines,
    extension_deadline,
    reminder_times,
)
from assistant.workcalendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
DEMO_POLICY = Path(assistant.__file__).resolve().parent / "demo" / "heifeng" / "policy.json"


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, tz=SH) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=tz)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(scope="module")
def policy() -> TimePolicy:
    return TimePolicy()


def test_defaults_follow_county_rules(policy):
    assert policy.sign_hours == 24
    assert policy.close_working_days == 5
    assert policy.return_working_days == 2
    assert policy.extension.max_extensions == 1
    assert policy.extension.max_total_working_days == 10
    assert policy.callback_working_days == 3
    assert policy.reminders.elapsed_fractions == [0.75]
    assert policy.reminders.hours_before == [2]
    assert policy.limits_for("紧急", "投诉").sign_hours == 2
    assert policy.limits_for("特急", "投诉").close_working_days == 1
    assert policy.limits_for("一般", "咨询").close_working_days == 1


def test_demo_county_policy_loads_and_matches_defaults(policy):
    demo = TimePolicy.load(DEMO_POLICY)
    assert demo.county
    for field in ("sign_hours", "close_working_days", "return_working_days", "extension", "reminders"):
        assert getattr(demo, field) == getattr(policy, field)
    assert demo.callback_working_days == policy.callback_working_days
    for urgency in URGENCIES:
        for appeal_type in APPEAL_TYPES:
            assert demo.limits_for(urgency, appeal_type) == policy.limits_for(urgency, appeal_type)


def test_ordinary_ticket_across_national_day(policy, cal):
    d = compute_deadlines(policy, cal, at(2025, 9, 30, 10), "一般", "投诉")
    assert d.sign_by == at(2025, 10, 1, 10)  # natural hours run through the holiday
    assert d.close_by == at(2025, 10, 14, 10)  # 10-09, 10-10, 10-11 (Sat), 10-13, 10-14
    assert d.return_by == at(2025, 10, 10, 10)
    assert d.max_close_by == at(2025, 10, 21, 10)


def test_dispatch_on_make_up_sunday(policy, cal):
    d = compute_deadlines(policy, cal, at(2025, 9, 28, 16), "一般", "求助")
    assert d.close_by == at(2025, 10, 11, 16)  # 09-29, 09-30, 10-09, 10-10, 10-11 (Sat)
    assert cal.working_days_between(at(2025, 9, 28, 16), d.close_by) == 5


def test_dispatch_on_holiday_runs_to_end_of_day(policy, cal):
    d = compute_deadlines(policy, cal, at(2025, 10, 3, 15), "一般", "投诉")
    assert d.sign_by == at(2025, 10, 4, 15)
    assert d.close_by == at(2025, 10, 14, 23, 59, 59)
    assert d.return_by == at(2025, 10, 10, 23, 59, 59)
    assert d.max_close_by == at(2025, 10, 21, 23, 59, 59)


@pytest.mark.parametrize(
    ("urgency", "appeal_type", "sign_by", "close_by", "return_by"),
    [
        ("紧急", "投诉", at(2025, 9, 30, 12), at(2025, 10, 10, 10), at(2025, 10, 10, 10)),
        ("特急", "举报", at(2025, 9, 30, 11), at(2025, 10, 9, 10), at(2025, 10, 9, 10)),
        ("一般", "咨询", at(2025, 10, 1, 10), at(2025, 10, 9, 10), at(2025, 10, 9, 10)),
        ("紧急", "咨询", at(2025, 9, 30, 12), at(2025, 10, 9, 10), at(2025, 10, 9, 10)),
    ],
)
def test_strictest_limit_wins(policy, cal, urgency, appeal_type, sign_by, close_by, return_by):
    d = compute_deadlines(policy, cal, at(2025, 9, 30, 10), urgency, appeal_type)
    assert (d.sign_by, d.close_by, d.return_by) == (sign_by, close_by, return_by)
    assert d.max_close_by == at(2025, 10, 21, 10)


def test_overrides_never_loosen_a_limit(cal):
    p = TimePolicy.from_dict({"urgency": {"一般": {"close_working_days": 8, "sign_hours": 48}}})
    assert p.limits_for("一般", "投诉").close_working_days == 5
    assert p.limits_for("一般", "投诉").sign_hours == 24


def test_sign_deadline_never_after_close_deadline(cal):
    p = TimePolicy.from_dict({"sign_hours": 48})
    d = compute_deadlines(p, cal, at(2025, 10, 13, 10), "一般", "咨询")
    assert d.close_by == at(2025, 10, 14, 10)
    assert d.sign_by == d.close_by


def test_deadlines_keep_caller_time_zone(policy, cal):
    d = compute_deadlines(policy, cal, at(2025, 9, 30, 2, tz=UTC), "一般", "建议")
    assert d.close_by.tzinfo is UTC
    assert d.close_by == at(2025, 10, 14, 10)


def test_unknown_urgency_or_appeal_type_is_rejected(policy, cal):
    with pytest.raises(ValidationFailed, match="紧急程度"):
        compute_deadlines(policy, cal, at(2025, 9, 30, 10), "加急", "投诉")
    with pytest.raises(ValidationFailed, match="诉求类型"):
        compute_deadlines(policy, cal, at(2025, 9, 30, 10), "一般", "表扬信")
    with pytest.raises(ValidationFailed, match="时区"):
        compute_deadlines(policy, cal, datetime(2025, 9, 30, 10), "一般", "投诉")


def test_one_extension_up_to_the_cap(policy, cal):
    dispatched = at(2025, 9, 30, 10)
    close_by = compute_deadlines(policy, cal, dispatched, "一般", "投诉").close_by
    assert extension_deadline(policy, cal, dispatched, close_by, 3, 0) == at(2025, 10, 17, 10)
    assert extension_deadline(policy, cal, dispatched, close_by, 5, 0) == at(2025, 10, 21, 10)


def test_extension_beyond_ten_working_days_is_refused(policy, cal):
    dispatched = at(2025, 9, 30, 10)
    close_by = compute_deadlines(policy, cal, dispatched, "一般", "投诉").close_by
    with pytest.raises(RuleViolation, match="10 个工作日") as info:
        extension_deadline(policy, cal, dispatched, close_by, 6, 0)
    assert info.value.code == "rule_violation"
    assert info.value.details["max_requestable_working_days"] == 5
    assert "最多可延期 5 个工作日" in str(info.value)


def test_urgent_ticket_extension_uses_same_cap(policy, cal):
    dispatched = at(2025, 9, 30, 10)
    close_by = compute_deadlines(policy, cal, dispatched, "特急", "求助").close_by
    assert extension_deadline(policy, cal, dispatched, close_by, 9, 0) == at(2025, 10, 21, 10)
    with pytest.raises(RuleViolation):
        extension_deadline(policy, cal, dispatched, close_by, 10, 0)


def test_second_extension_is_refused(policy, cal):
    dispatched = at(2025, 9, 30, 10)
    with pytest.raises(RuleViolation, match="最多延期 1 次"):
        extension_deadline(policy, cal, dispatched, at(2025, 10, 14, 10), 1, 1)


def test_extension_on_holiday_dispatch_keeps_end_of_day(policy, cal):
    dispatched = at(2025, 10, 3, 15)
    close_by = compute_deadlines(policy, cal, dispatched, "一般", "投诉").close_by
    assert extension_deadline(policy, cal, dispatched, close_by, 5, 0) == at(2025, 10, 21, 23, 59, 59)
    with pytest.raises(RuleViolation):
        extension_deadline(policy, cal, dispatched, close_by, 6, 0)


def test_bad_extension_requests_are_rejected(policy, cal):
    with pytest.raises(ValidationFailed):
        extension_deadline(policy, cal, at(2025, 9, 30, 10), at(2025, 10, 14, 10), 0, 0)
    with pytest.raises(ValidationFailed):
        extension_deadline(policy, cal, at(2025, 9, 30, 10), at(2025, 10, 14, 10), 2, -1)
    no_extensions = TimePolicy.from_dict({"extension": {"max_extensions": 0}})
    with pytest.raises(RuleViolation, match="不允许延期"):
        extension_deadline(no_extensions, cal, at(2025, 9, 30, 10), at(2025, 10, 14, 10), 1, 0)


def test_reminders_at_three_quarters_and_two_hours_before(policy):
    start = at(2025, 9, 30, 10)
    assert reminder_times(policy, start, at(2025, 10, 1, 10)) == [at(2025, 10, 1, 4), at(2025, 10, 1, 8)]
    # a one-hour sign-for window: "2 h before" would be before dispatch, so only 75 % remains
    assert reminder_times(policy, start, at(2025, 9, 30, 11)) == [at(2025, 9, 30, 10, 45)]
    assert reminder_times(policy, start, start) == []


def test_reminder_settings_are_configurable(cal):
    p = TimePolicy.from_dict({"reminders": {"elapsed_fractions": [0.5, 0.9], "hours_before": [12, 24]}})
    start = at(2025, 9, 30, 10)
    times = reminder_times(p, start, start + timedelta(hours=48))
    # 0.5 and 24 h before coincide and appear once
    assert times == [at(2025, 10, 1, 10), at(2025, 10, 1, 22), at(2025, 10, 2, 5, 12)]
    assert all(t.tzinfo is SH for t in times)


def test_callback_and_return_window(policy, cal):
    assert callback_deadline(policy, cal, at(2025, 9, 30, 16)) == at(2025, 10, 11, 16)  # make-up Saturday
    d = compute_deadlines(policy, cal, at(2025, 9, 30, 10), "一般", "投诉")
    check_return_allowed(d, at(2025, 10, 10, 9))
    with pytest.raises(RuleViolation, match="退单时限"):
        check_return_allowed(d, at(2025, 10, 10, 10, 1))


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"sign_hour": 24}, "sign_hour"),
        ({"urgency": {"加急": {"sign_hours": 1}}}, "加急"),
        ({"appeal_types": {"求助 ": {}}}, "诉求类型"),
        ({"reminders": {"elapsed_fractions": [1.5]}}, "0 与 1"),
        ({"close_working_days": 12}, "上限"),
        ({"sign_hours": 0}, "大于 0"),
        ({"close_working_days": "五"}, "整数"),
    ],
)
def test_invalid_policy_is_rejected_in_chinese(data, fragment):
    with pytest.raises(ValidationFailed, match="时限规则配置有误") as info:
        TimePolicy.from_dict(data)
    assert fragment in str(info.value)


def test_load_reports_missing_or_broken_files(tmp_path):
    with pytest.raises(ValidationFailed, match="找不到"):
        TimePolicy.load(tmp_path / "none.json")
    broken = tmp_path / "policy.json"
    broken.write_text('{"sign_hours": 24,}', encoding="utf-8")
    with pytest.raises(ValidationFailed, match="JSON"):
        TimePolicy.load(broken)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"sign_hours": 12}, ensure_ascii=False), encoding="utf-8")
    assert TimePolicy.load(good).sign_hours == 12
