"""``FieldExtractor``: the ticket draft (智能填单) from a call transcript or a written message."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from classifiers.fields.address import resolve_address
from classifiers.fields.addresslib import jionlp_available, library_entries
from classifiers.fields.digits import Run, runs
from classifiers.fields.errors import (
    AddressLibraryUnavailableError,
    InvalidGazetteerError,
    InvalidSettingError,
)
from classifiers.fields.eventtime import choose_event_time, format_time
from classifiers.fields.flags import callback_ok, confidential
from classifiers.fields.gazetteer import Gazetteer, Mention, Reading
from classifiers.fields.model import Draft, Field, Turn, coerce_call_time, coerce_turns
from classifiers.fields.names import extract_name
from classifiers.fields.numbers import extract_numbers, id_confidence, phone_confidence
from classifiers.fields.summary import make_title, matter, summarise
from classifiers.fields.timeexpr import TimeExpr, scan_times

_GAZETTEERS: dict[tuple[str, bool], tuple[Gazetteer, str | None]] = {}
_GAZ_LOCK = threading.Lock()
_LIBRARIES = ("auto", "jionlp", None)


def _county_key(county: Mapping) -> str:
    return hashlib.sha1(json.dumps(county, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _load_gazetteer(county: Mapping, library: str | None) -> tuple[Gazetteer, str | None]:
    """The county's gazetteer, completed by the address library when wanted and present (cached)."""
    want = library is not None and (library == "jionlp" or jionlp_available())
    key = (_county_key(county), want)
    with _GAZ_LOCK:
        if key in _GAZETTEERS:
            return _GAZETTEERS[key]
        base = Gazetteer(county)
        used = None
        extra: tuple[tuple[str, Reading], ...] = ()
        if want:
            def township_of(name: str) -> str | None:
                if name in base.townships:
                    return name
                hits = {r.township for r in base.lookup(name) if r.kind == "township"}
                return hits.pop() if len(hits) == 1 else None

            try:
                extra = library_entries(county, township_of)
                used = "jionlp"
            except AddressLibraryUnavailableError:
                if library == "jionlp":
                    raise
        gaz = Gazetteer(county, extra) if extra else base
        _GAZETTEERS[key] = (gaz, used)
        return gaz, used


class FieldExtractor:
    """Draft a ticket from a call.

    ``gazetteer`` is the county dict (``county.json``: townships with aliases and villages,
    ``places``). ``area_code`` completes 7-digit local landlines; ``address_library`` is ``"auto"``
    (jionlp when installed), ``"jionlp"`` (required) or ``None``.
    """

    def __init__(self, gazetteer: Mapping, *, area_code: str | None = "0718", address_library: str | None = "auto",
                 max_title_chars: int = 30, max_summary_chars: int = 200, summary_sentences: int = 3) -> None:
        if not isinstance(gazetteer, Mapping) or not isinstance(gazetteer.get("townships"), Sequence) \
                or not gazetteer.get("townships"):
            raise InvalidGazetteerError()
        if area_code is not None and not re.fullmatch(r"0\d{2,3}", str(area_code)):
            raise InvalidSettingError(f"区号应为 0 开头的 3～4 位数字，收到：{area_code}")
        if address_library not in _LIBRARIES:
            raise InvalidSettingError(f"地址库只能是 auto、jionlp 或不用（None），收到：{address_library}")
        if not 10 <= int(max_title_chars) <= 60:
            raise InvalidSettingError("标题长度上限应在 10～60 个字之间")
        if not 50 <= int(max_summary_chars) <= 1000:
            raise InvalidSettingError("摘要长度上限应在 50～1000 个字之间")
        if not 1 <= int(summary_sentences) <= 10:
            raise InvalidSettingError("摘要句数应在 1～10 句之间")
        self.gazetteer = gazetteer
        self.area_code = area_code
        self.address_library = address_library
        self.max_title_chars = int(max_title_chars)
        self.max_summary_chars = int(max_summary_chars)
        self.summary_sentences = int(summary_sentences)
        self.gazetteer_: Gazetteer | None = None
        self.address_library_: str | None = None
        self._cache: OrderedDict[tuple, tuple] = OrderedDict()
        self._cache_lock = threading.Lock()

    def warm_up(self) -> None:
        """Build the place index (and load the address library once per process)."""
        if self.gazetteer_ is None:
            self.gazetteer_, self.address_library_ = _load_gazetteer(self.gazetteer, self.address_library)

    def village_township(self, village: str) -> str | None:
        self.warm_up()
        assert self.gazetteer_ is not None
        return next((tw for tw, vs in self.gazetteer_.villages.items() if village in vs), None)

    def _scan(self, text: str, call_time: dt.datetime) -> tuple[list[Run], list[Mention], list[TimeExpr]]:
        key = (text, call_time)
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        assert self.gazetteer_ is not None
        found = (runs(text), self.gazetteer_.scan(text), scan_times(text, call_time))
        with self._cache_lock:
            self._cache[key] = found
            if len(self._cache) > 4096:
                self._cache.popitem(last=False)
        return found

    def run(self, turns: str | Sequence[Turn | Mapping], call_time: dt.datetime | str) -> Draft:
        """The draft for ``turns`` (a transcript, or a string for a written message)."""
        self.warm_up()
        gaz = self.gazetteer_
        assert gaz is not None
        turns = coerce_turns(turns)
        call_time = coerce_call_time(call_time)
        scans = [self._scan(t.text, call_time) for t in turns]
        draft = Draft()
        name = extract_name(turns, gaz.surfaces)
        if name:
            draft.caller_name = Field(name.value, name.confidence, (name.span,))
        phones, id_number = extract_numbers(turns, [s[0] for s in scans], self.area_code)
        if phones:
            draft.phones = Field([p.value for p in phones], min(phone_confidence(p) for p in phones),
                                 tuple(s for p in phones for s in p.spans))
        if id_number:
            draft.id_number = Field(id_number.value, id_confidence(id_number), tuple(id_number.spans))
        address = resolve_address(turns, [s[1] for s in scans], gaz)
        for name_, got in (("county", address.county), ("township", address.township),
                           ("village", address.village), ("address_detail", address.detail)):
            if got:
                draft.set(name_, Field(got[0], got[1], tuple(got[2])))
        when = choose_event_time(turns, [s[2] for s in scans], call_time)
        if when:
            draft.event_time = Field(format_time(when.value), when.confidence, tuple(when.spans))
        for name_, choice in (("confidential", confidential(turns)), ("callback_ok", callback_ok(turns))):
            if choice:
                draft.set(name_, Field(choice.value, choice.confidence, tuple(choice.spans)))
        self._title_and_summary(turns, draft)
        return draft

    def _title_and_summary(self, turns: list[Turn], draft: Draft) -> None:
        summary = summarise(turns, self.max_summary_chars, self.summary_sentences)
        if summary:
            draft.summary = Field(summary[0], summary[1], tuple(summary[2]))
        what = matter(turns)
        place = (draft.township.value or "") + (draft.village.value or "")
        title = make_title(place, what[0] if what else None, self.max_title_chars)
        if title:
            spans = tuple(draft.township.spans[:1]) + ((what[1],) if what else ())
            conf = 0.6 if what and place else 0.4
            draft.title = Field(title, conf, spans)
