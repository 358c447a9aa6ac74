"""Clean-up of spoken queries: width, traditional→simplified, fillers, repeats, polite framing and
southwestern-Mandarin dialect words. Word lists live in ``data/spoken.txt`` (editable data)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_LIST = Path(__file__).resolve().parent / "data" / "spoken.txt"
_SECTIONS = ("filler", "leading", "trailing", "polite", "dialect")
_CLAUSE_END = "，。！？；、,.!?;:：\\s"
_CJK = r"\u3400-\u9fff"


@dataclass(frozen=True)
class SpokenLists:
    filler: tuple[str, ...] = ()
    leading: tuple[str, ...] = ()
    trailing: tuple[str, ...] = ()
    polite: tuple[str, ...] = ()
    dialect: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def read_spoken_lists(path: str | Path = DEFAULT_LIST) -> SpokenLists:
    """Parse a ``[section]`` word-list file (see ``data/spoken.txt``)."""
    found: dict[str, list] = {name: [] for name in _SECTIONS}
    section = None
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section not in found:
            continue
        if section == "dialect":
            src, _, dst = line.partition("=")
            if src.strip():
                found[section].append((src.strip(), dst.strip()))
        else:
            found[section].append(line)
    return SpokenLists(**{k: tuple(v) for k, v in found.items()})


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


class Normalizer:
    """Turns a transcript or typed question into the text the index sees.

    ``basic`` (width, case, t2s, spaces between Chinese characters) is applied to documents and
    queries alike; ``query`` adds the spoken-language clean-up."""

    def __init__(self, lists: SpokenLists | None = None, *, to_simplified: bool = True) -> None:
        self.lists = lists if lists is not None else _default_lists()
        self.to_simplified = to_simplified
        ls = self.lists
        self._dialect_map = dict(ls.dialect)
        self._dialect_re = re.compile(_alternation(self._dialect_map)) if ls.dialect else None
        self._filler_re = re.compile(_alternation(ls.filler)) if ls.filler else None
        self._polite_re = re.compile(_alternation(ls.polite)) if ls.polite else None
        self._leading_re = (
            re.compile(rf"(^|[{_CLAUSE_END}])(?:{_alternation(ls.leading)})+") if ls.leading else None
        )
        self._trailing_re = (
            re.compile(rf"(?:{_alternation(ls.trailing)})+(?=[{_CLAUSE_END}]|$)") if ls.trailing else None
        )
        # a 2-4 character chunk said twice or more in a row ("我想我想", "那个那个"), or one character
        # said three times or more ("我我我"); plain doubling ("看看", "妈妈") is kept
        self._repeat_multi = re.compile(rf"([{_CJK}]{{2,4}})\1+")
        self._repeat_single = re.compile(rf"([{_CJK}])\1{{2,}}")

    def basic(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text or "").lower()
        if self.to_simplified and text:
            text = _converter().convert(text)
        text = re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", text)
        return re.sub(r"\s+", " ", text).strip()

    def dialect(self, text: str) -> str:
        if self._dialect_re is None:
            return text
        return self._dialect_re.sub(lambda m: self._dialect_map[m.group(0)], text)

    def query(self, text: str) -> str:
        """Full clean-up for a spoken or typed question; never returns an empty string for a
        non-empty input (falls back to the basic form)."""
        base = self.basic(text)
        out = self._repeat_single.sub(r"\1", base)
        out = self._repeat_multi.sub(r"\1", out)
        if self._filler_re is not None:
            out = self._filler_re.sub("", out)
        if self._polite_re is not None:
            out = self._polite_re.sub(" ", out)
        out = self.dialect(out)
        for _ in range(2):
            if self._leading_re is not None:
                out = self._leading_re.sub(r"\1", out.strip())
            if self._trailing_re is not None:
                out = self._trailing_re.sub("", out)
        out = re.sub(rf"^[{_CLAUSE_END}]+|[{_CLAUSE_END}]+$", "", out)
        out = re.sub(r"([，。！？；、,.!?;])[，。！？；、,.!?;\s]+", r"\1", out)
        out = re.sub(r"\s+", " ", out).strip()
        return out or base

    def document(self, text: str) -> str:
        return self.dialect(self.basic(text))


@lru_cache(maxsize=1)
def _default_lists() -> SpokenLists:
    return read_spoken_lists(DEFAULT_LIST)


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    return Normalizer()
