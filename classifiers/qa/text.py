"""Text folding, phrase lists compiled to patterns, and evidence spans with their time.

Matching runs on a folded copy of each turn (NFKC, lower case, no spaces, 您→你) that keeps a map
back to the original characters, so evidence always quotes the transcript as it was."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from classifiers.qa.errors import InvalidRubric
from classifiers.qa.model import Evidence, Turn

CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;…\n]")
_FOLD = {"您": "你", "妳": "你", "冇": "没"}  # 冇 (Enshi/southwestern 没)
_FOLD_TABLE = str.maketrans(_FOLD)


@dataclass(frozen=True)
class Folded:
    """``s``: folded text; ``pos[i]``: index in the original text of folded character ``i``."""

    s: str
    pos: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        if not self.pos:
            return 0, 0
        start = min(start, len(self.pos) - 1)
        return self.pos[start], self.pos[max(start, end - 1)] + 1


def fold(text: str) -> Folded:
    chars, pos = [], []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).lower():
            if out.isspace():
                continue
            chars.append(_FOLD.get(out, out))
            pos.append(i)
    return Folded("".join(chars), tuple(pos), text)


def fold_str(text: str) -> str:
    return fold(text).s


def _compile_one(entry: str, where: str) -> re.Pattern[str]:
    try:
        if entry.startswith("re:"):
            return re.compile(entry[3:].translate(_FOLD_TABLE))
        return re.compile(re.escape(fold_str(entry)))
    except re.error as exc:
        raise InvalidRubric(f"词表“{where}”中的表达式“{entry}”写法有误", details=str(exc)) from exc


@dataclass(frozen=True)
class Phrase:
    """One word-list entry: a literal phrase or ``re:`` regex, with exceptions that cancel a hit."""

    label: str
    pattern: re.Pattern[str]
    exceptions: tuple[re.Pattern[str], ...] = ()

    def finditer(self, folded: Folded) -> Iterator[tuple[int, int]]:
        for m in self.pattern.finditer(folded.s):
            if m.end() == m.start():
                continue
            if any(_overlaps(e, folded.s, m.start(), m.end()) for e in self.exceptions):
                continue
            yield m.start(), m.end()


def _overlaps(pattern: re.Pattern[str], s: str, start: int, end: int) -> bool:
    return any(x.start() < end and start < x.end() for x in pattern.finditer(s))


def compile_phrases(entries: Iterable[object], where: str) -> tuple[Phrase, ...]:
    out = []
    for entry in entries:
        if isinstance(entry, str):
            if not entry.strip():
                continue
            out.append(Phrase(entry, _compile_one(entry, where)))
        elif isinstance(entry, dict) and isinstance(entry.get("phrase"), str):
            exceptions = tuple(
                _compile_one(e, where) for e in entry.get("except") or [] if isinstance(e, str)
            )
            out.append(Phrase(entry["phrase"], _compile_one(entry["phrase"], where), exceptions))
        else:
            raise InvalidRubric(f"词表“{where}”中有无法识别的条目：{entry!r}")
    return tuple(out)


def find_all(phrases: Iterable[Phrase], folded: Folded) -> list[tuple[int, int, str]]:
    """Every hit of the phrases in the folded text, longest first where hits overlap."""
    hits = sorted(
        ((s, e, p.label) for p in phrases for s, e in p.finditer(folded)), key=lambda h: (h[0], -h[1])
    )
    kept: list[tuple[int, int, str]] = []
    for h in hits:
        if kept and h[0] < kept[-1][1]:
            continue
        kept.append(h)
    return kept


def any_hit(phrases: Iterable[Phrase], folded: Folded) -> tuple[int, int, str] | None:
    hits = find_all(phrases, folded)
    return hits[0] if hits else None


def clause_bounds(s: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between punctuation marks) that holds ``s[start:end]``."""
    left = 0
    for m in CLAUSE_BREAK.finditer(s, 0, start):
        left = m.end()
    m = CLAUSE_BREAK.search(s, end)
    return left, (m.start() if m else len(s))


def evidence(
    turns: list[Turn],
    index: int,
    folded: Folded | None = None,
    start: int | None = None,
    end: int | None = None,
    note: str = "",
) -> Evidence:
    """Evidence for a span of turn ``index`` (folded offsets), or for the whole turn."""
    turn = turns[index]
    text = turn.text
    if folded is not None and start is not None and end is not None:
        cs, ce = folded.span(start, end)
    else:
        cs, ce = 0, len(text)
    n = max(len(text), 1)
    dur = turn.end - turn.start
    return Evidence(
        turn=index,
        speaker=turn.speaker,
        text=text[cs:ce],
        char_start=cs,
        char_end=ce,
        start=round(turn.start + dur * cs / n, 2),
        end=round(turn.start + dur * ce / n, 2),
        note=note,
    )


def content_chars(text: str) -> int:
    """Characters that take time to say: CJK, letters and digits (punctuation and spaces excluded)."""
    return sum(1 for ch in text if ch.isalnum())
