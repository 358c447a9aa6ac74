"""Approximate matching of a word-list phrase inside a turn, for wording the list does not hold.

Spoken agents rarely say a listed phrase verbatim: they put words in (不归我们**这边**管, 我**这边也是**没有办法)
or swap one word (管不**到** for 管不**了**). ``approx_find`` finds every stretch of a folded turn that a
phrase matches at a small edit cost (Sellers' approximate substring search):

- an extra character inside the match is cheap (``INSERT``), a missing or different character costs 1;
- never across punctuation (a match stays inside one clause);
- characters that carry who and whether (你我他 不没别…) may not be added, dropped or swapped: 你自己去问
  never matches 我自己去问, 我也没办法 never matches 我也不是没办法;
- a phrase is matched only when it has at least ``MIN_CHARS`` characters (短语太短, 近似就是乱配).

The allowed cost grows with the phrase: for 4 characters two extra characters, for 5–6 three, nothing
missing or swapped; for 7–9 one missing or swapped character (and one extra) or four extra; 1.6 beyond.
A match begins and ends on the phrase's own first and last characters, and phrases with numbers match
only exactly."""

from __future__ import annotations

from functools import lru_cache

MIN_CHARS = 4
INSERT = 0.3
EDIT = 1.0
FIXED = frozenset("你您我他她它们不没别无非未莫勿")
_INF = float("inf")
_NUMERALS = frozenset("零一二三四五六七八九十幺两")
_BREAKS = frozenset("，。！？；,.!?;…：:、\n“”\"'‘’「」『』（）()")


def allowed_cost(length: int) -> float:
    return 0.6 if length <= 4 else 0.9 if length <= 6 else 1.3 if length <= 9 else 1.6


def fuzzy_form(phrase: str) -> str:
    """The phrase if it may match approximately: four characters or more, and no number in it (a phone
    number or 12345 is right or wrong, never nearly right)."""
    if len(phrase) < MIN_CHARS or any(c.isdigit() for c in phrase) or sum(c in _NUMERALS for c in phrase) >= 2:
        return ""
    return phrase


@lru_cache(maxsize=4096)
def _profile(phrase: str) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(phrase), frozenset(phrase) & FIXED


def could_match(phrase: str, text_chars: frozenset[str]) -> bool:
    """A quick test before the search: the phrase's fixed characters all occur, and all but one of the rest."""
    chars, fixed = _profile(phrase)
    if not fixed <= text_chars:
        return False
    return len(chars - text_chars) <= (0 if len(phrase) <= 4 else 1)


def approx_find(phrase: str, text: str, max_cost: float | None = None) -> list[tuple[int, int, float]]:
    """``(start, end, cost)`` of the best approximate match of ``phrase`` ending at each place in ``text``
    where the cost is within ``max_cost`` (default: :func:`allowed_cost`), overlapping ends merged."""
    m = len(phrase)
    if m < MIN_CHARS or not text:
        return []
    limit = allowed_cost(m) if max_cost is None else max_cost
    n = len(text)
    # prev[j] / cur[j]: best cost of matching phrase[:i] ending at text[:j], and where that match starts
    prev = [0.0] * (n + 1)
    prev_start = list(range(n + 1))
    for i in range(1, m + 1):
        p = phrase[i - 1]
        fixed = p in FIXED
        cur = [_INF] * (n + 1)
        cur_start = [0] * (n + 1)
        cur[0] = _INF if fixed else prev[0] + EDIT
        cur_start[0] = 0
        for j in range(1, n + 1):
            t = text[j - 1]
            best, begin = _INF, j
            if p == t:
                best, begin = prev[j - 1], prev_start[j - 1]
            elif not (fixed or t in FIXED or t in _BREAKS):  # one character swapped
                best, begin = prev[j - 1] + EDIT, prev_start[j - 1]
            if not fixed and prev[j] + EDIT < best:  # a phrase character missing from the text
                best, begin = prev[j] + EDIT, prev_start[j]
            if not (t in FIXED or t in _BREAKS) and cur[j - 1] + INSERT < best:  # a word put in
                best, begin = cur[j - 1] + INSERT, cur_start[j - 1]
            cur[j], cur_start[j] = best, begin
        prev, prev_start = cur, cur_start
    hits: list[tuple[int, int, float]] = []
    for j in range(1, n + 1):
        cost = prev[j]
        start = prev_start[j]
        # the match begins and ends on the phrase's own first and last characters
        if cost > limit + 1e-9 or start >= j or text[j - 1] != phrase[-1] or text[start] != phrase[0]:
            continue
        if hits and start < hits[-1][1]:
            if cost < hits[-1][2]:
                hits[-1] = (min(start, hits[-1][0]), j, cost)
            continue
        hits.append((start, j, cost))
    return hits
