"""The event time: which of the time expressions in a call says when the matter happened.

The caller's first expression with a day in it (昨天, 上个礼拜三, 七月三十号) anchors the event; a
clock time the caller adds later for the same day ("昨天下午两点多") or in answer to "几点钟？"
refines it; a read-back the caller confirms ("是今天凌晨两点多吧？" "对") wins. Expressions without
a day (晚上七点钟左右) count only when no day was said. Future, habitual and vague expressions are
skipped, so a call with only "这两天" or "上个月" leaves the field empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from classifiers.fields import dialogue
from classifiers.fields.model import Span, Turn, span_of
from classifiers.fields.timeexpr import TimeExpr, _hour


@dataclass
class TimeChoice:
    value: dt.date | dt.datetime
    confidence: float
    spans: list[Span]


def _usable(e: TimeExpr) -> bool:
    return e.status == "ok" and e.value is not None


def format_time(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def _day_of(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def choose_event_time(turns: list[Turn], exprs: list[list[TimeExpr]], call_time: dt.datetime) -> TimeChoice | None:
    caller = [(i, e) for i, es in enumerate(exprs) for e in es if turns[i].speaker == "caller" and _usable(e)]
    confirmed = []
    for i, es in enumerate(exprs):
        if turns[i].speaker != "agent" or not dialogue.is_question(turns[i].text):
            continue
        reply = dialogue.next_caller(turns, i)
        if reply is None or dialogue.answer(turns[reply].text) is not True:
            continue
        confirmed.extend((i, e) for e in es if _usable(e) and e.has_day)
    with_day = [(i, e) for i, e in caller if e.has_day]
    if with_day:
        i0, e0 = with_day[0]
        choice = TimeChoice(e0.value, 0.85 if e0.has_clock else 0.8, [span_of(turns, i0, e0.start, e0.end)])
        if not e0.has_clock:
            _refine(turns, caller, i0, e0, choice, call_time)
    elif caller:
        i0, e0 = next(((i, e) for i, e in caller if e.has_clock), caller[0])
        choice = TimeChoice(e0.value, 0.6, [span_of(turns, i0, e0.start, e0.end)])
    else:
        choice = None
    if confirmed:
        i1, e1 = confirmed[-1]
        more_precise = choice is None or e1.has_clock or not isinstance(choice.value, dt.datetime)
        if more_precise:
            spans = [span_of(turns, i1, e1.start, e1.end)] + (choice.spans if choice else [])
            choice = TimeChoice(e1.value, 0.92, spans)
    return choice


def _refine(turns: list[Turn], caller: list[tuple[int, TimeExpr]], i0: int, e0: TimeExpr, choice: TimeChoice,
            call_time: dt.datetime) -> None:
    """Add a clock time said later for the anchored day."""
    day = _day_of(e0.value)
    for i, e in caller:
        if (i, e.start) <= (i0, e0.start) or not e.has_clock:
            continue
        if e.has_day and _day_of(e.value) == day:
            choice.value, choice.confidence = e.value, 0.85
            choice.spans.append(span_of(turns, i, e.start, e.end))
            return
        if not e.has_day and 0 < i - i0 <= 4 and e.clock is not None:
            hour, shift = _hour(e.period or e0.period, e.clock[0], anchored=True)
            value = dt.datetime.combine(day + dt.timedelta(days=shift), dt.time(hour % 24, e.clock[1]),
                                        tzinfo=call_time.tzinfo)
            if value <= call_time + dt.timedelta(minutes=30):
                choice.value, choice.confidence = value, 0.75
                choice.spans.append(span_of(turns, i, e.start, e.end))
            return
