"""Spoken and written digit strings inside a text, with the offsets they came from.

Callers read numbers digit by digit in Chinese (一五九, 幺 for 1, 两 for 2, 洞 for 0, 拐 for 7,
勾 for 9), in Arabic digits, or mixed, in groups separated by pauses (commas, spaces) and fillers
(呃, 那个, 就是). "三个八" means 888. A group of digits is a *chunk*; chunks separated only by
light gaps form a *run*. Numbers are assembled from runs later (see ``numbers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGIT_VALUES = {
    **{c: "0" for c in "零〇○洞0０"}, **{c: "1" for c in "一幺1１"}, **{c: "2" for c in "二两2２"},
    **{c: "3" for c in "三3３"}, **{c: "4" for c in "四4４"}, **{c: "5" for c in "五5５"},
    **{c: "6" for c in "六6６"}, **{c: "7" for c in "七拐7７"}, **{c: "8" for c in "八8８"},
    **{c: "9" for c in "九勾9９"},
}
X_CHARS = "XxＸ叉"
# 幺 is often written 么 by recognisers; only as a digit between other digits.
_AMBIGUOUS_ONE = "么"
_GAP = re.compile(r"^(?:[\s，,、\-—－·.:：]|呃|嗯|额|啊|那个|就是|是)*$")
_REPEAT = re.compile(r"([两二三四五六])个([零〇洞一幺二两三四五六七拐八九勾0-9])")
_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


@dataclass(frozen=True)
class Chunk:
    """Contiguous digits: the digit string and, for each digit, its character offset."""

    digits: str
    offsets: tuple[int, ...]

    @property
    def start(self) -> int:
        return self.offsets[0]

    @property
    def end(self) -> int:
        return self.offsets[-1] + 1


@dataclass(frozen=True)
class Run:
    """Chunks separated only by pauses and fillers, in one turn."""

    chunks: tuple[Chunk, ...]
    lead: str  # the text before the run (back to the start of the turn)
    tail: str  # the text after the run

    @property
    def digits(self) -> str:
        return "".join(c.digits for c in self.chunks)

    @property
    def start(self) -> int:
        return self.chunks[0].start

    @property
    def end(self) -> int:
        return self.chunks[-1].end


def _is_digit_at(text: str, i: int) -> bool:
    ch = text[i]
    if ch in DIGIT_VALUES:
        return True
    if ch == _AMBIGUOUS_ONE:
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        return (before in DIGIT_VALUES or after in DIGIT_VALUES) and after not in "样子事" and before not in "什怎这那多"
    return False


def _repeats(text: str) -> dict[int, re.Match]:
    """``三个八`` (888) where it stands next to other digits ("一三九，三个八，零七一八")."""
    found = {}
    for m in _REPEAT.finditer(text):
        around = text[max(0, m.start() - 2):m.start()] + text[m.end():m.end() + 2]
        if any(ch in DIGIT_VALUES for ch in around):
            found[m.start()] = m
    return found


def chunks(text: str) -> list[Chunk]:
    """All chunks of ``text``; a trailing X/叉 stays with the chunk it ends (ID check digit)."""
    out: list[Chunk] = []
    repeats = _repeats(text)
    i, n = 0, len(text)
    while i < n:
        if text[i] in X_CHARS and out and i - out[-1].end <= 2 and len(out[-1].digits) >= 2:
            out.append(Chunk("X", (i,)))  # a lone X after a pause
            i += 1
            continue
        if i not in repeats and not _is_digit_at(text, i):
            i += 1
            continue
        digits: list[str] = []
        offsets: list[int] = []
        while i < n:
            m = repeats.get(i)
            if m:
                count = _COUNT[m.group(1)]
                digits.extend(DIGIT_VALUES[m.group(2)] * count)
                offsets.extend([m.start()] + [m.start(2)] * (count - 1))
                i = m.end()
                continue
            if _is_digit_at(text, i):
                digits.append(DIGIT_VALUES.get(text[i], "1"))
                offsets.append(i)
                i += 1
                continue
            if text[i] in X_CHARS:
                digits.append("X")
                offsets.append(i)
                i += 1
            break
        if digits:
            out.append(Chunk("".join(digits), tuple(offsets)))
    return out


def runs(text: str) -> list[Run]:
    """Group the chunks of ``text`` into runs separated by real words."""
    out: list[Run] = []
    current: list[Chunk] = []
    for c in chunks(text):
        if current and _GAP.match(text[current[-1].end:c.start]) and c.start - current[-1].end <= 4:
            current.append(c)
            continue
        if current:
            out.append(Run(tuple(current), text[:current[0].start], text[current[-1].end:]))
        current = [c]
    if current:
        out.append(Run(tuple(current), text[:current[0].start], text[current[-1].end:]))
    return out
