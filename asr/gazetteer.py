"""Place-name and government-term correction against a caller-given word list, by pinyin.

Recognisers write a rare name with common characters of the same sound (青白江 → 清白江) and
southwestern Mandarin blurs n/l, f/h, z/zh, c/ch, s/sh, en/eng, in/ing. Every stretch of the text
that sounds like a gazetteer word under those mergers (tones ignored) and is not already that word
is replaced by it. Two-character words must match exactly in pinyin (only tones may differ) and
differ in one character at most; longer words may differ in at most a third of their syllables
under the fuzzy mergers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pypinyin import Style, pinyin

_HAN = re.compile(r"[\u4e00-\u9fff]")
_INITIAL_MERGE = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"), ("r", "l"))
_FINAL_MERGE = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"), ("ong", "on"))


@functools.lru_cache(maxsize=65536)
def readings(char: str) -> frozenset[str]:
    """All toneless pinyin readings of one Chinese character (empty for anything else)."""
    if not _HAN.match(char):
        return frozenset()
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


@functools.lru_cache(maxsize=65536)
def fuzzy(syllable: str) -> str:
    """Merge the sounds southwestern Mandarin (and recognisers) confuse: zh→z, n→l, eng→en..."""
    for src, dst in _INITIAL_MERGE:
        if syllable.startswith(src):
            syllable = dst + syllable[len(src) :]
            break
    for src, dst in _FINAL_MERGE:
        if syllable.endswith(src):
            return syllable[: -len(src)] + dst
    return syllable


def _fuzzy_set(char: str) -> frozenset[str]:
    return frozenset(fuzzy(r) for r in readings(char))


@dataclass(frozen=True)
class Correction:
    start: int
    end: int
    heard: str
    word: str
    exact_sound: bool


class Gazetteer:
    """Correct text against ``words`` (place names, government terms). Pure and thread-safe."""

    def __init__(self, words: Iterable[str], *, min_len: int = 2, max_len: int = 12) -> None:
        self.words: list[str] = sorted(
            {w.strip() for w in words if min_len <= len(w.strip()) <= max_len and _HAN.search(w)},
            key=lambda w: (-len(w), w),
        )
        self._by_first: dict[str, list[tuple[str, list[frozenset[str]], list[frozenset[str]]]]] = {}
        for word in self.words:
            if not all(_HAN.match(c) for c in word):
                continue
            exact = [readings(c) for c in word]
            fz = [_fuzzy_set(c) for c in word]
            for syllable in fz[0]:
                self._by_first.setdefault(syllable, []).append((word, exact, fz))

    def find(self, text: str) -> list[Correction]:
        """Non-overlapping corrections, longest and most exact first."""
        found: list[Correction] = []
        taken = [False] * len(text)
        candidates = []
        for i, ch in enumerate(text):
            for syllable in _fuzzy_set(ch):
                for word, exact, fz in self._by_first.get(syllable, ()):
                    end = i + len(word)
                    if end > len(text) or text[i:end] == word:
                        continue
                    verdict = self._match(text[i:end], word, exact, fz)
                    if verdict is not None:
                        candidates.append((-len(word), not verdict, i, word, verdict))
        for _neg_len, _inexact, i, word, verdict in sorted(candidates):
            end = i + len(word)
            if any(taken[i:end]) or self._protected(text, i, end):
                continue
            for k in range(i, end):
                taken[k] = True
            found.append(Correction(i, end, text[i:end], word, verdict))
        return sorted(found, key=lambda c: c.start)

    def _protected(self, text: str, start: int, end: int) -> bool:
        """A stretch that overlaps a gazetteer word already written correctly is left alone."""
        for word in self.words:
            pos = text.find(word, max(0, start - len(word) + 1))
            if pos != -1 and pos < end and pos + len(word) > start:
                return True
        return False

    @staticmethod
    def _match(heard: str, word: str, exact, fz) -> bool | None:
        """True: same sound (tones aside); False: same under the fuzzy mergers; None: no match."""
        differing = sum(1 for a, b in zip(heard, word, strict=True) if a != b)
        same_sound = all(readings(h) & e for h, e in zip(heard, exact, strict=True))
        if len(word) == 2:
            return True if same_sound and differing == 1 else None
        if same_sound:
            return True
        if not all(_fuzzy_set(h) & f for h, f in zip(heard, fz, strict=True)):
            return None
        return False if differing <= max(1, len(word) // 3) else None

    def correct(self, text: str) -> str:
        """``text`` with every correction applied."""
        out, last = [], 0
        for c in self.find(text):
            out.append(text[last : c.start])
            out.append(c.word)
            last = c.end
        out.append(text[last:])
        return "".join(out)
