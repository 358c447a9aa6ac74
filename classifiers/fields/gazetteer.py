"""The county gazetteer as a surface-form index: townships, villages, landmarks and their aliases.

Built from the county's own data (``county.json``: townships with aliases, villages with aliases,
``places``), optionally completed by an address library (real village names the county file does
not list, and the names of places outside the county). Two-character aliases that are also common
words (古城, 高峰, 十字, 杨柳...) are *weak*: they count only where the text around them reads
like a place ("十字村", "杨柳那边", "我是五里的"), never in "十字路口" or "高峰期".
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from classifiers.fields.errors import InvalidGazetteerError

_PLACEISH = set("城镇乡村街")
_WEAK_FOLLOW = re.compile(
    r"^(?:村|镇|乡|社区|那|这|街|集镇|的|里|上|下|[一二三四五六七八九十\d]+组|[，,。、！？!?\s]|$|哪|附近|一带|过来|过去"
    r"|到|去|方向|边|片|来|人|口)")
_SURNAME_HOME = re.compile(r"[老小他她我你]$")
_WEAK_PRECEDE = re.compile(r"(?:^|[^\u4e00-\u9fff]|[在到去是从回们的乡镇县住往个那这里边说叫我])$")


@dataclass(frozen=True)
class Reading:
    """One meaning of a surface form."""

    kind: str  # county | township | village | place | outside
    name: str
    township: str | None = None
    village: str | None = None
    source: str = "county"  # county | library


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    readings: tuple[Reading, ...]

    @property
    def reading(self) -> Reading:
        """The reading used: a township alias stays a township; otherwise the most specific."""
        for kind in ("township", "village", "place", "county", "outside"):
            for r in self.readings:
                if r.kind == kind:
                    return r
        return self.readings[0]


@functools.lru_cache(maxsize=1)
def _jieba_freq_file() -> str | None:
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a project dependency
        return None
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    return path if os.path.exists(path) else None


def common_word_freq(words: Iterable[str]) -> dict[str, int]:
    """Frequencies of ``words`` in jieba's general dictionary (0 when absent)."""
    wanted = set(words)
    found = dict.fromkeys(wanted, 0)
    path = _jieba_freq_file()
    if not path or not wanted:
        return found
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, _, rest = line.partition(" ")
            if word in wanted:
                found[word] = int(rest.split(" ", 1)[0] or 0)
    return found


class Gazetteer:
    """Surface forms → readings; ``scan`` finds place mentions (longest match, left to right)."""

    def __init__(self, county: Mapping, extra: Iterable[tuple[str, Reading]] = (),
                 weak_threshold: int = 40) -> None:
        townships = county.get("townships") if isinstance(county, Mapping) else None
        if not townships or not all(isinstance(t, Mapping) and t.get("name") for t in townships):
            raise InvalidGazetteerError()
        self.county_name: str = str(county.get("name") or "")
        self.townships: tuple[str, ...] = tuple(t["name"] for t in townships)
        self.villages: dict[str, tuple[str, ...]] = {}
        self.market_village: dict[str, str] = {}
        self._surfaces: dict[str, list[Reading]] = {}
        if self.county_name:
            self._add(self.county_name, Reading("county", self.county_name))
            short = self.county_name[:-1] if self.county_name.endswith(("县", "市", "区")) else ""
            if len(short) >= 2:
                self._add(short, Reading("county", self.county_name))
        for t in townships:
            tw = t["name"]
            reading = Reading("township", tw, tw)
            for s in [tw, *t.get("aliases", ())]:
                self._add(s, reading)
            names = []
            for v in t.get("villages", ()):
                vr = Reading("village", v["name"], tw, v["name"])
                names.append(v["name"])
                for s in [v["name"], *v.get("aliases", ())]:
                    self._add(s, vr)
                    if s.endswith(("街上", "集镇")):
                        self.market_village.setdefault(tw, v["name"])
            self.villages[tw] = tuple(names)
        for p in county.get("places", ()) or ():
            if p.get("township") not in self.townships:
                continue
            pr = Reading("place", p["name"], p["township"], p.get("village"))
            for s in [p["name"], *p.get("aliases", ())]:
                self._add(s, pr)
        for t in townships:  # bare names: 容美镇 → 容美, 屏山村 → 屏山, unless that says something else
            self._add_stripped(t["name"], ("镇", "乡"), Reading("township", t["name"], t["name"]))
            for v in t.get("villages", ()):
                self._add_stripped(v["name"], ("社区", "村"), Reading("village", v["name"], t["name"], v["name"]))
        for surface, reading in extra:
            if surface not in self._surfaces:
                self._add(surface, reading)
        two = [s for s in self._surfaces if len(s) == 2 and not (_PLACEISH & set(s))]
        freq = common_word_freq(two)
        self.weak = frozenset(s for s in two if freq.get(s, 0) >= weak_threshold or s.endswith("家"))
        self.max_len = max(len(s) for s in self._surfaces)

    def _add(self, surface: str, reading: Reading) -> None:
        surface = surface.strip()
        if len(surface) < 2:
            return
        readings = self._surfaces.setdefault(surface, [])
        if reading not in readings:
            readings.append(reading)

    def _add_stripped(self, name: str, suffixes: tuple[str, ...], reading: Reading) -> None:
        for suf in suffixes:
            if name.endswith(suf) and 2 <= len(name) - len(suf) <= 3 and name[: -len(suf)] not in self._surfaces:
                self._add(name[: -len(suf)], reading)

    @property
    def surfaces(self) -> frozenset[str]:
        return frozenset(self._surfaces)

    def lookup(self, surface: str) -> tuple[Reading, ...]:
        return tuple(self._surfaces.get(surface, ()))

    def scan(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        i, n = 0, len(text)
        while i < n:
            for length in range(min(self.max_len, n - i), 1, -1):
                surface = text[i:i + length]
                readings = self._surfaces.get(surface)
                if not readings or (surface in self.weak and not self._weak_ok(text, i, i + length)):
                    continue
                out.append(Mention(i, i + length, surface, tuple(readings)))
                i += length
                break
            else:
                i += 1
        return out

    def _weak_ok(self, text: str, start: int, end: int) -> bool:
        if text[start:end].endswith("家") and _SURNAME_HOME.search(text[:start]):
            return False
        return bool(_WEAK_FOLLOW.match(text[end:end + 4])) and bool(_WEAK_PRECEDE.search(text[max(0, start - 1):start]))
