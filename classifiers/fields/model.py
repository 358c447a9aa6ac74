"""Typed values of the ticket draft: turns in, fields with confidence and source spans out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from classifiers.fields.errors import InvalidCallTimeError, InvalidTurnError, UnknownFieldError

SPEAKERS = ("agent", "caller")

# Fields this extractor fills, then the slots filled by the category/type/urgency classifiers.
EXTRACTED_FIELDS = (
    "caller_name", "phones", "id_number", "county", "township", "village", "address_detail",
    "event_time", "title", "summary", "confidential", "callback_ok",
)
CLASSIFIER_FIELDS = ("appeal_type", "category", "urgency")
FIELD_NAMES = EXTRACTED_FIELDS + CLASSIFIER_FIELDS


@dataclass(frozen=True)
class Turn:
    """One utterance: who spoke, when (seconds from the start of the call) and what was said."""

    speaker: str
    start: float
    end: float
    text: str

    @classmethod
    def coerce(cls, obj: Turn | Mapping[str, Any]) -> Turn:
        if isinstance(obj, Turn):
            turn = obj
        elif isinstance(obj, Mapping):
            try:
                turn = cls(str(obj["speaker"]), float(obj.get("start") or 0.0),
                           float(obj.get("end") or obj.get("start") or 0.0), str(obj["text"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise InvalidTurnError(detail=repr(obj)[:200]) from exc
        else:
            raise InvalidTurnError(detail=type(obj).__name__)
        if turn.speaker not in SPEAKERS:
            raise InvalidTurnError(f"说话人应为 agent 或 caller，收到：{turn.speaker}")
        return turn


def coerce_turns(turns: str | Turn | Mapping | list) -> list[Turn]:
    """A transcript as turns; a plain string (a written message) becomes one caller turn."""
    if isinstance(turns, str):
        return [Turn("caller", 0.0, 0.0, turns)]
    if isinstance(turns, (Turn, Mapping)):
        return [Turn.coerce(turns)]
    return [Turn.coerce(t) for t in turns]


def coerce_call_time(call_time: dt.datetime | str) -> dt.datetime:
    """The call's start as an aware datetime (naive values are taken as UTC+8)."""
    if isinstance(call_time, str):
        try:
            call_time = dt.datetime.fromisoformat(call_time)
        except ValueError as exc:
            raise InvalidCallTimeError(detail=call_time) from exc
    if not isinstance(call_time, dt.datetime):
        raise InvalidCallTimeError(detail=type(call_time).__name__)
    if call_time.tzinfo is None:
        call_time = call_time.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return call_time


@dataclass(frozen=True)
class Span:
    """Where a value was heard: turn index, character offsets in that turn, the turn's start time."""

    turn: int
    start: int
    end: int
    time: float
    text: str

    def to_dict(self) -> dict:
        return {"turn": self.turn, "start": self.start, "end": self.end, "time": self.time, "text": self.text}


def span_of(turns: list[Turn], index: int, start: int, end: int) -> Span:
    return Span(index, start, end, turns[index].start, turns[index].text[start:end])


@dataclass
class Field:
    """A draft field: its value (None when not said), a confidence in 0..1 and its source spans."""

    value: Any = None
    confidence: float = 0.0
    spans: tuple[Span, ...] = ()
    source: str = "extracted"  # extracted | agent | classifier

    @property
    def empty(self) -> bool:
        return self.value is None or self.value == [] or self.value == ""

    def to_dict(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 3),
                "spans": [s.to_dict() for s in self.spans], "source": self.source}


@dataclass
class Draft:
    """The ticket draft. Appeal type, category and urgency are slots for the classifiers."""

    caller_name: Field = field(default_factory=Field)
    phones: Field = field(default_factory=lambda: Field([]))
    id_number: Field = field(default_factory=Field)
    county: Field = field(default_factory=Field)
    township: Field = field(default_factory=Field)
    village: Field = field(default_factory=Field)
    address_detail: Field = field(default_factory=Field)
    event_time: Field = field(default_factory=Field)
    title: Field = field(default_factory=Field)
    summary: Field = field(default_factory=Field)
    confidential: Field = field(default_factory=Field)
    callback_ok: Field = field(default_factory=Field)
    appeal_type: Field = field(default_factory=Field)
    category: Field = field(default_factory=Field)
    urgency: Field = field(default_factory=Field)

    def get(self, name: str) -> Field:
        if name not in FIELD_NAMES:
            raise UnknownFieldError(f"工单草稿中没有字段：{name}")
        return getattr(self, name)

    def set(self, name: str, value: Field) -> None:
        if name not in FIELD_NAMES:
            raise UnknownFieldError(f"工单草稿中没有字段：{name}")
        setattr(self, name, value)

    def values(self) -> dict[str, Any]:
        """Field name → value, the shape of the evaluation contract's ``expected``."""
        return {f.name: getattr(self, f.name).value for f in fields(self)}

    def to_dict(self) -> dict[str, dict]:
        return {f.name: getattr(self, f.name).to_dict() for f in fields(self)}


@dataclass(frozen=True)
class Correction:
    """An agent's edit of a field: kept for evaluation and training."""

    field: str
    before: Any
    after: Any
    at: float | None = None
