"""``LiveDraft``: the draft kept up to date during a call, one final ASR segment at a time.

Each segment re-derives the draft from the whole call so far (per-segment scans are cached by the
extractor, so the work per segment stays small). A field the agent edits is pinned: later segments
never overwrite it, and the edit is kept as a correction (field, before, after) for evaluation and
training. Classifier slots (appeal type, category, urgency) set from outside persist too.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from classifiers.fields.errors import InvalidFieldValueError, UnknownFieldError
from classifiers.fields.extractor import FieldExtractor
from classifiers.fields.model import (
    CLASSIFIER_FIELDS,
    FIELD_NAMES,
    Correction,
    Draft,
    Field,
    Turn,
    coerce_call_time,
)

_BOOL_FIELDS = ("confidential", "callback_ok")


def normalise_value(name: str, value: Any) -> Any:
    """Check an agent's value for ``name`` and bring it to the draft's type (Chinese errors)."""
    if name not in FIELD_NAMES:
        raise UnknownFieldError(f"工单草稿中没有字段：{name}")
    if value is None:
        return [] if name == "phones" else None
    if name == "phones":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(p, str) and p.strip() for p in items):
            raise InvalidFieldValueError("联系电话应为号码或号码列表")
        return [p.strip() for p in items]
    if name in _BOOL_FIELDS:
        if not isinstance(value, bool):
            raise InvalidFieldValueError(f"字段 {name} 只能是 是/否（true/false）")
        return value
    if name == "event_time":
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        try:
            (dt.datetime if "T" in str(value) or " " in str(value) else dt.date).fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidFieldValueError("事发时间应为 ISO 日期或日期时间，如 2025-03-02 或 2025-03-02T22:00") from exc
        return str(value)
    if not isinstance(value, str):
        raise InvalidFieldValueError(f"字段 {name} 应为文字")
    return value.strip() or None


class LiveDraft:
    """The draft of one call in progress."""

    def __init__(self, extractor: FieldExtractor, call_time: dt.datetime | str) -> None:
        self.extractor = extractor
        self.call_time = coerce_call_time(call_time)
        self._turns: list[Turn] = []
        self._pins: dict[str, Field] = {}
        self._external: dict[str, Field] = {}
        self._corrections: list[Correction] = []
        self._draft = Draft()
        self._lock = threading.Lock()

    @property
    def draft(self) -> Draft:
        return self._draft

    @property
    def turns(self) -> list[Turn]:
        return list(self._turns)

    @property
    def corrections(self) -> list[Correction]:
        return list(self._corrections)

    @property
    def pinned(self) -> frozenset[str]:
        return frozenset(self._pins)

    def add(self, segment: Turn | Mapping) -> Draft:
        """Take one final segment and return the updated draft."""
        return self.extend([segment])

    def extend(self, segments: Iterable[Turn | Mapping]) -> Draft:
        with self._lock:
            self._turns.extend(Turn.coerce(s) for s in segments)
            self._draft = self._overlay(self.extractor.run(self._turns, self.call_time))
            return self._draft

    def agent_edit(self, field: str, value: Any) -> Draft:
        """The agent sets ``field``: pinned from now on, recorded as a correction."""
        value = normalise_value(field, value)
        with self._lock:
            before = self._draft.get(field).value
            self._pins[field] = Field(value, 1.0, (), "agent")
            at = self._turns[-1].end if self._turns else None
            self._corrections.append(Correction(field, before, value, at))
            self._draft = self._overlay(self._draft)
            return self._draft

    def release(self, field: str) -> Draft:
        """Unpin ``field``: the next segment may fill it again."""
        normalise_value(field, None)
        with self._lock:
            self._pins.pop(field, None)
            return self._draft

    def set_classification(self, field: str, value: Any, confidence: float) -> Draft:
        """Fill a classifier slot (appeal_type, category, urgency); an agent's pin still wins."""
        if field not in CLASSIFIER_FIELDS:
            raise UnknownFieldError(f"只能设置分类字段：{', '.join(CLASSIFIER_FIELDS)}")
        with self._lock:
            self._external[field] = Field(value, max(0.0, min(1.0, float(confidence))), (), "classifier")
            self._draft = self._overlay(self._draft)
            return self._draft

    def _overlay(self, draft: Draft) -> Draft:
        for name, f in self._external.items():
            draft.set(name, f)
        for name, f in self._pins.items():
            draft.set(name, f)
        township = self._pins.get("township")
        if (township is not None and "village" not in self._pins and draft.village.value
                and self.extractor.village_township(draft.village.value) != township.value):
            draft.village = Field()  # a village of another township than the agent's choice
        return draft
