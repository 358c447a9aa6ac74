"""Typed inputs and results of call quality scoring."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from classifiers.qa.errors import InvalidCall

SPEAKERS = ("agent", "caller", "other")


@dataclass(frozen=True)
class Turn:
    """One speaker's utterance with its time in the recording (seconds)."""

    speaker: str
    start: float
    end: float
    text: str

    @classmethod
    def from_value(cls, value: Turn | Mapping[str, Any], index: int) -> Turn:
        if isinstance(value, Turn):
            turn = value
        elif isinstance(value, Mapping):
            try:
                turn = cls(
                    str(value["speaker"]),
                    float(value["start"]),
                    float(value["end"]),
                    str(value.get("text") or ""),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise InvalidCall(
                    f"第{index + 1}句缺少说话人、起止时间或时间不是数字", details=str(exc)
                ) from exc
        else:
            raise InvalidCall(f"第{index + 1}句不是对象")
        if turn.speaker not in SPEAKERS:
            raise InvalidCall(f"第{index + 1}句的说话人“{turn.speaker}”不是 agent/caller/other 之一")
        if (
            not (math.isfinite(turn.start) and math.isfinite(turn.end))
            or turn.start < 0
            or turn.end < turn.start
        ):
            raise InvalidCall(f"第{index + 1}句的起止时间不合理（{turn.start}–{turn.end}）")
        return turn


@dataclass(frozen=True)
class QaCall:
    """Everything the scorer may look at. Only ``turns`` is required.

    ``ticket``: the ticket draft fields (``appeal_type``, ``phones``, ``township``, ``village``,
    ``address_detail``, ``content``, ``caller_name``, ``confidential``...). ``kb_answer``: the
    knowledge-base answer the agent should have given. ``suggested_unit`` / ``chosen_unit`` /
    ``dispatch_reason``: the dispatch suggestion, what the agent chose, and why it differs."""

    turns: tuple[Turn, ...]
    call_id: str = ""
    ticket: Mapping[str, Any] | None = None
    kb_answer: str | None = None
    suggested_unit: str | None = None
    chosen_unit: str | None = None
    dispatch_reason: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QaCall:
        if not isinstance(data, Mapping):
            raise InvalidCall("通话记录应为对象")
        raw_turns = data.get("turns")
        if not isinstance(raw_turns, Sequence) or isinstance(raw_turns, str | bytes):
            raise InvalidCall("通话记录缺少 turns 列表")
        ticket = data.get("ticket")
        if ticket is not None and not isinstance(ticket, Mapping):
            raise InvalidCall("ticket 应为对象")
        dispatch = data.get("dispatch") or {}
        if not isinstance(dispatch, Mapping):
            raise InvalidCall("dispatch 应为对象")
        return cls(
            turns=tuple(Turn.from_value(t, i) for i, t in enumerate(raw_turns)),
            call_id=str(data.get("call_id") or ""),
            ticket=ticket,
            kb_answer=data.get("kb_answer") or None,
            suggested_unit=data.get("suggested_unit") or dispatch.get("suggested") or None,
            chosen_unit=data.get("chosen_unit") or dispatch.get("chosen") or None,
            dispatch_reason=data.get("dispatch_reason") or dispatch.get("reason") or None,
        )

    @classmethod
    def coerce(cls, value: QaCall | Mapping[str, Any] | Sequence[Any]) -> QaCall:
        if isinstance(value, QaCall):
            return value
        if isinstance(value, Mapping):
            return cls.from_dict(value)
        return cls.from_dict({"turns": value})


@dataclass(frozen=True)
class Evidence:
    """Where a point was lost: the turn, the text span in it, and its time in the recording."""

    turn: int
    speaker: str
    text: str
    char_start: int
    char_end: int
    start: float
    end: float
    note: str = ""


@dataclass
class ItemResult:
    item_id: str
    name: str
    group: str
    applicable: bool
    violated: bool
    deduction: float
    fatal: bool
    confidence: float
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class QaResult:
    call_id: str
    total: float
    fatal: bool
    confidence: float
    route: str
    route_reason: str
    items: list[ItemResult]
    rubric_version: str
    elapsed_ms: float = 0.0

    def item(self, item_id: str) -> ItemResult | None:
        return next((r for r in self.items if r.item_id == item_id), None)

    def violations(self) -> list[ItemResult]:
        return [r for r in self.items if r.applicable and r.violated]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
