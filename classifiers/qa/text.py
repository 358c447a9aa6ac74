"""Text folding, phrase lists compiled to patterns, and evidence spans with their time.

Matching runs on a folded copy of each turn (NFKC, lower case, no spaces, traditional → simplified,
您→你, and the county's dialect words → their Mandarin forms, e.g. 晓得→知道, 莫得→没有, 么子→什么) that
keeps a map back to the original characters, so evidence always quotes the transcript as it was. Word
lists are folded the same way, so a list entry matches the dialect form and the Mandarin one; entries of
the lists marked fuzzy also match approximately (:mod:`classifiers.qa.fuzzy`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from classifiers.qa.errors import InvalidRubric
from classifiers.qa.fuzzy import approx_find, could_match, fuzzy_form
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

    @cached_property
    def chars(self) -> frozenset[str]:
        return frozenset(self.s)

    def span(self, start: int, end: int) -> tuple[int, int]:
        if not self.pos:
            return 0, 0
        start = min(start, len(self.pos) - 1)
        return self.pos[start], self.pos[max(start, end - 1)] + 1


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # noqa: BLE001 - without OpenCC, traditional characters are matched as they are
        return None


def _simplified(text: str) -> str:
    conv = _t2s()
    if conv is None or text.isascii():
        return text
    out = conv.convert(text)
    return out if len(out) == len(text) else "".join(c if len(c := conv.convert(ch)) == 1 else ch for ch in text)


@dataclass(frozen=True)
class Words:
    """Dialect and variant words folded to one form; each replacement keeps the length (evidence spans)."""

    table: Mapping[str, str]

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        keys = sorted(self.table, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, keys))) if keys else None

    def apply(self, s: str) -> str:
        pat = self.pattern
        return pat.sub(lambda m: self.table[m.group(0)], s) if pat is not None else s


NO_WORDS = Words({})


def dialect_words(table: object) -> Words:
    """A :class:`Words` from the word lists' ``dialect`` object (dialect form → Mandarin form, same length)."""
    if table is None:
        return NO_WORDS
    if not isinstance(table, Mapping):
        raise InvalidRubric("质检词表“dialect”应为对象（方言说法 → 普通话说法）")
    out = {}
    for key, value in table.items():
        k, v = fold_str(str(key)), fold_str(str(value))
        if not k or len(k) != len(v):
            raise InvalidRubric(f"质检词表“dialect”中“{key}”与“{value}”字数须相同")
        out[k] = v
    return Words(out)


def fold(text: str, words: Words = NO_WORDS) -> Folded:
    chars, pos = [], []
    for i, ch in enumerate(_simplified(text)):
        for out in unicodedata.normalize("NFKC", ch).lower():
            if out.isspace():
                continue
            chars.append(_FOLD.get(out, out))
            pos.append(i)
    return Folded(words.apply("".join(chars)), tuple(pos), text)


def fold_str(text: str, words: Words = NO_WORDS) -> str:
    return fold(text, words).s


def _compile_one(entry: str, where: str, words: Words = NO_WORDS) -> re.Pattern[str]:
    try:
        if entry.startswith("re:"):
            return re.compile(words.apply(_simplified(entry[3:]).translate(_FOLD_TABLE)))
        return re.compile(re.escape(fold_str(entry, words)))
    except re.error as exc:
        raise InvalidRubric(f"词表“{where}”中的表达式“{entry}”写法有误", details=str(exc)) from exc


@dataclass(frozen=True)
class Phrase:
    """One word-list entry: a literal phrase or ``re:`` regex, with exceptions that cancel a hit."""

    label: str
    pattern: re.Pattern[str]
    exceptions: tuple[re.Pattern[str], ...] = ()
    fuzzy: str = ""  # the folded phrase, when it may also match approximately

    def finditer(self, folded: Folded) -> Iterator[tuple[int, int]]:
        exact = []
        for m in self.pattern.finditer(folded.s):
            if m.end() == m.start():
                continue
            if any(_overlaps(e, folded.s, m.start(), m.end()) for e in self.exceptions):
                continue
            exact.append((m.start(), m.end()))
            yield m.start(), m.end()
        if self.fuzzy and could_match(self.fuzzy, folded.chars):
            for s, e, _ in approx_find(self.fuzzy, folded.s):
                if any(a < e and s < b for a, b in exact):
                    continue
                if any(_overlaps(x, folded.s, s, e) for x in self.exceptions):
                    continue
                yield s, e


def _overlaps(pattern: re.Pattern[str], s: str, start: int, end: int) -> bool:
    return any(x.start() < end and start < x.end() for x in pattern.finditer(s))


def _fuzzy_form(entry: str, words: Words, fuzzy: bool) -> str:
    if not fuzzy or entry.startswith("re:"):
        return ""
    return fuzzy_form(fold_str(entry, words))


def compile_phrases(
    entries: Iterable[object], where: str, words: Words = NO_WORDS, *, fuzzy: bool = False
) -> tuple[Phrase, ...]:
    """``fuzzy``: literal entries of at least four characters also match approximately."""
    out = []
    for entry in entries:
        if isinstance(entry, str):
            if not entry.strip():
                continue
            out.append(Phrase(entry, _compile_one(entry, where, words), (), _fuzzy_form(entry, words, fuzzy)))
        elif isinstance(entry, dict) and isinstance(entry.get("phrase"), str):
            exceptions = tuple(
                _compile_one(e, where, words) for e in entry.get("except") or [] if isinstance(e, str)
            )
            phrase = entry["phrase"]
            out.append(
                Phrase(phrase, _compile_one(phrase, where, words), exceptions, _fuzzy_form(phrase, words, fuzzy))
            )
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
