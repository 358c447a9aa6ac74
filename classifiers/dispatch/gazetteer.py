"""Address resolution for routing (属地管理): find the township, village and landmark an appeal is
about, from the county's gazetteer (``county.json``: townships, villages and places, each with the
aliases callers use). Plain data in, a :class:`Place` out; no models.

Colloquial forms are handled by matching every name and alias as a substring, deriving short forms
(``铁炉白族乡`` → ``铁炉``/``白族乡``, ``梅坪村`` → ``梅坪``), and letting all mentions vote: "铁炉那个白族乡"
finds 铁炉 and 白族乡, both for 铁炉白族乡. A two-character name inside a longer ordinary word
(十字 in 十字路口, 高峰 in 高峰期) is discounted: jieba's segmentation decides whether the mention
stands on its own, and a locative next to it (那边、村、街上…) confirms it."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from classifiers.dispatch.errors import GazetteerInvalid

_LOCATIVE_AFTER = re.compile(r"^(村|组|镇|乡|社区|那边|这边|那里|这里|那块|这块|那个|这个|那头|一带|附近|方向|街上|集镇|场上|片区|坪)")
_LOCATIVE_BEFORE = re.compile(r"(在|到|去|住|从|是|回|我们|我家|老家|屋里|住在)$")
_URBAN_WORDS = ("县城", "城区", "城关", "城里")
_jieba = None
_jieba_lock = threading.Lock()


def _tokens(text: str) -> list[tuple[str, int, int]]:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            _jieba = jieba.Tokenizer()
        return list(_jieba.tokenize(text))


@dataclass(frozen=True)
class Place:
    """Where an appeal happens. Empty fields are unknown; ``span`` is the decisive mention in the
    text resolved (start, end); ``others`` are further townships mentioned with some confidence."""

    township: str | None = None
    village: str | None = None
    place: str | None = None
    span: tuple[int, int] | None = None
    confidence: float = 0.0
    matched: str | None = None
    others: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.township is not None

    def describe(self) -> str:
        parts = [p for p in (self.township, self.village, self.place) if p]
        return "".join(parts[:2]) + (f"（{parts[2]}）" if len(parts) > 2 else "") if parts else "未识别"


@dataclass(frozen=True)
class _Entry:
    surface: str
    township: str
    village: str | None
    place: str | None
    weight: float
    township_wide: bool  # a name for the whole township (not a spot inside it)


@dataclass(frozen=True)
class Mention:
    surface: str
    start: int
    end: int
    township: str
    village: str | None
    place: str | None
    confidence: float
    township_wide: bool = field(default=False)


def _stem(name: str, suffixes: tuple[str, ...]) -> str | None:
    for s in suffixes:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return None


class Gazetteer:
    """Townships, villages and places of one county, searchable in free text. Immutable, thread-safe."""

    def __init__(self, entries: list[_Entry], townships: dict[str, dict], seat_township: str | None) -> None:
        self._entries: dict[str, list[_Entry]] = {}
        for e in entries:
            self._entries.setdefault(e.surface, []).append(e)
        self._surfaces = sorted(self._entries, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(s) for s in self._surfaces)) if self._surfaces else None
        self.townships = townships  # name -> {"seat": ..., "villages": [names]}
        self.seat_township = seat_township

    @classmethod
    def from_county(cls, county: Mapping) -> Gazetteer:
        """Build from the county dict (``townships[]`` with ``name``, ``aliases``, ``villages[]``;
        ``places[]`` with ``name``, ``township``, ``village``, ``aliases``)."""
        townships = county.get("townships") if isinstance(county, Mapping) else None
        if not isinstance(townships, list) or not townships:
            raise GazetteerInvalid("县情配置缺少乡镇列表（townships）")
        entries: list[_Entry] = []
        info: dict[str, dict] = {}
        seat = None
        for t in townships:
            name = str(t.get("name") or "").strip()
            if not name:
                raise GazetteerInvalid("县情配置中有乡镇缺少名称")
            villages = [str(v.get("name") or "").strip() for v in t.get("villages") or []]
            info[name] = {"seat": t.get("seat"), "villages": [v for v in villages if v]}
            aliases = [str(a).strip() for a in t.get("aliases") or [] if str(a).strip()]
            entries.append(_Entry(name, name, None, None, 1.0, True))
            derived = {_stem(name, ("镇", "乡"))}
            if name.endswith("族乡"):  # 铁炉白族乡: 铁炉 (an alias) + 白族乡, said on its own too
                derived.update(name[len(a):] for a in aliases if name.startswith(a) and len(name) - len(a) >= 3)
            for a in aliases:
                entries.append(_Entry(a, name, None, None, 0.9, True))
            for d in derived - set(aliases) - {None, name}:
                entries.append(_Entry(d, name, None, None, 0.8, True))
            if seat is None and any(a in _URBAN_WORDS for a in aliases):
                seat = name
            for v in t.get("villages") or []:
                vname = str(v.get("name") or "").strip()
                if not vname:
                    raise GazetteerInvalid(f"{name}有村（社区）缺少名称")
                valiases = [str(a).strip() for a in v.get("aliases") or [] if str(a).strip()]
                entries.append(_Entry(vname, name, vname, None, 1.0, False))
                for a in valiases:
                    entries.append(_Entry(a, name, vname, None, 0.85, False))
                stem = _stem(vname, ("社区", "村"))
                if stem and stem not in valiases:
                    entries.append(_Entry(stem, name, vname, None, 0.75, False))
        for p in county.get("places") or []:
            pname = str(p.get("name") or "").strip()
            township = p.get("township")
            if not pname or township not in info:
                raise GazetteerInvalid(f"地标“{pname or '?'}”缺少名称或所属乡镇无效")
            village = p.get("village") or None
            if village is not None and village not in info[township]["villages"]:
                raise GazetteerInvalid(f"地标“{pname}”的所属村“{village}”不在{township}的村（社区）名单中")
            for i, s in enumerate([pname, *(p.get("aliases") or [])]):
                s = str(s).strip()
                if s:
                    wide = village is None and any(w in s for w in _URBAN_WORDS)
                    entries.append(_Entry(s, township, village, pname, 0.95 if i == 0 else 0.85, wide))
        return cls([e for e in entries if len(e.surface) >= 2], info, seat)

    def warm_up(self) -> None:
        """Load the word segmenter used to judge two-character mentions (otherwise on first use)."""
        _tokens("走马")

    # -- searching -------------------------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        """Every non-overlapping mention (longest first), with its confidence."""
        if not text or self._pattern is None:
            return []
        taken = [False] * len(text)
        spans: list[tuple[int, int, str]] = []
        for surface in self._surfaces:
            start = text.find(surface)
            while start >= 0:
                end = start + len(surface)
                if not any(taken[start:end]):
                    spans.append((start, end, surface))
                    for i in range(start, end):
                        taken[i] = True
                start = text.find(surface, start + 1)
        if not spans:
            return []
        tokens = _tokens(text) if any(len(s) == 2 for _, _, s in spans) else []
        out = []
        for start, end, surface in sorted(spans):
            factor = self._context_factor(text, start, end, tokens) if len(surface) == 2 else 1.0
            entries = self._entries[surface]
            townships = {e.township for e in entries}
            villages = {e.village for e in entries}
            wide = any(e.township_wide for e in entries)
            village = next(iter(villages)) if len(villages) == 1 and not wide else None
            places = {e.place for e in entries if e.place}
            weight = max(e.weight for e in entries) * factor
            for township in townships:
                share = weight / len(townships)
                out.append(Mention(surface, start, end, township, village if len(townships) == 1 else None,
                                   next(iter(places)) if len(places) == 1 else None, share, wide))
        return out

    @staticmethod
    def _context_factor(text: str, start: int, end: int, tokens) -> float:
        crosses = any((s < start < e) or (s < end < e) for _, s, e in tokens)
        cue = bool(_LOCATIVE_AFTER.match(text[end:]) or _LOCATIVE_BEFORE.search(text[:start]))
        if crosses:
            return 0.5 if cue else 0.25
        return 1.0 if cue else 0.7

    def resolve(self, text: str) -> Place:
        """The most likely township/village/landmark of ``text``; an empty :class:`Place` if none."""
        mentions = [m for m in self.find(text) if m.confidence > 0]
        if not mentions:
            return Place()
        score: dict[str, float] = {}
        for m in mentions:
            score[m.township] = 1 - (1 - score.get(m.township, 0.0)) * (1 - min(m.confidence, 0.99))
        ranked = sorted(score.items(), key=lambda kv: -kv[1])
        township, conf = ranked[0]
        own = [m for m in mentions if m.township == township]
        villages: dict[str, float] = {}
        for m in own:
            if m.village:
                villages[m.village] = max(villages.get(m.village, 0.0), m.confidence)
        village = max(villages, key=villages.get) if villages else None
        best = max(own, key=lambda m: (m.village == village and village is not None, m.confidence, m.end - m.start))
        place = next((m.place for m in own if m.place), None)
        others = tuple(t for t, s in ranked[1:] if s >= 0.5)
        return Place(township, village, place, (best.start, best.end), round(conf, 3), best.surface, others)

    # -- county facts used by routing ------------------------------------------------------------
    def setting(self, place: Place, text: str = "") -> str | None:
        """"urban" (the county seat's town area), "rural", or None when it cannot be told."""
        if place.village:
            return "urban" if place.village.endswith("社区") and place.township == self.seat_township else "rural"
        if any(w in text for w in _URBAN_WORDS):
            return "urban"
        if place.township is None:
            return None
        if place.township != self.seat_township:
            return "rural"
        return "urban" if place.matched in _URBAN_WORDS else None
