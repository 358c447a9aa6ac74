"""Contact numbers and ID numbers from spoken or written digits, across turns.

Digit runs are joined across a caller's turns when the agent only said "嗯" in between, then cut
into numbers (mobile, landline, ID) by length and shape. A number the agent reads back counts when
the caller confirms it; a later version of a number (a caller's "不对，是…", a confirmed read-back)
replaces an earlier one that differs in a few digits: the last confirmed version wins. ID numbers
are kept only when their check character is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classifiers.fields import dialogue
from classifiers.fields.digits import Chunk, Run
from classifiers.fields.idcard import is_valid_id
from classifiers.fields.model import Span, Turn, span_of

_THIRD_PARTY = re.compile(
    r"(?<![我])(他|她|对方|老板|工头|包工头|物业|公司|单位|诈骗|骗子|村主任|书记|主任|客服|商家|店里|医院|派出所|老师)"
    r"[^。？！?!我]{0,6}(电话|号码|手机|座机|号)")
_ANOTHER = re.compile(r"还有|另外|或者|再留|也记|也留|两个")
_OWN_CUE = re.compile(r"电话|手机|号码|座机|联系方式|打这个|打我|找我|联系我")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class Number:
    kind: str  # mobile | landline | id | bad_id | fragment
    value: str
    turn: int
    speaker: str
    spans: list[Span]
    correction: bool = False
    third_party: bool = False
    cue: bool = False
    confirmed: bool = False
    denied: bool = False
    another: bool = False
    question: bool = False
    history: list[str] = field(default_factory=list)


def classify(digits: str, area_code: str | None) -> tuple[str, str] | None:
    """(kind, normalised value) of a complete number, None for anything else."""
    n = len(digits)
    if n == 18 and re.match(r"^[1-8]\d{5}(19|20)\d{9}[\dX]$", digits):
        return ("id", digits) if is_valid_id(digits) else ("bad_id", digits)
    if "X" in digits:
        return None
    if n == 11 and _MOBILE.match(digits):
        return "mobile", digits
    if digits.startswith("0") and n in (11, 12):
        code = digits[:3] if digits[1] in "12" else digits[:4]
        if len(digits) - len(code) in (7, 8):
            return "landline", f"{code}-{digits[len(code):]}"
    if n == 7 and digits[0] in "23456789" and area_code:
        return "local", f"{area_code}-{digits}"
    return None


def _spans(turns: list[Turn], parts: list[tuple[int, Chunk]]) -> list[Span]:
    out: list[Span] = []
    for turn, chunk in parts:
        if out and out[-1].turn == turn:
            last = out[-1]
            out[-1] = span_of(turns, turn, last.start, chunk.end)
        else:
            out.append(span_of(turns, turn, chunk.start, chunk.end))
    return out


def _sequences(turns: list[Turn], runs: list[list[Run]]) -> list[list[tuple[int, Chunk]]]:
    """Runs as chunk sequences, a caller's unfinished run joined to the start of their next turn
    when the agent only acknowledged in between ("一三九，" / "嗯。" / "七二八八，零四一六")."""
    seqs: list[list[tuple[int, Chunk]]] = []
    pending: list[tuple[int, Chunk]] | None = None
    for i, turn in enumerate(turns):
        turn_runs = runs[i]
        if turn.speaker == "agent":
            if turn_runs or not dialogue.is_backchannel(turn.text):
                pending = None
            seqs.extend([(i, c) for c in r.chunks] for r in turn_runs)
            continue
        if not turn_runs:
            pending = None
            continue
        current: list[tuple[int, Chunk]] = []
        for k, r in enumerate(turn_runs):
            parts = [(i, c) for c in r.chunks]
            if k == 0 and pending is not None and dialogue.LIGHT_LEAD.match(r.lead):
                pending.extend(parts)
                current = pending
            else:
                seqs.append(parts)
                current = parts
        pending = current if dialogue.LIGHT_TAIL.match(turn_runs[-1].tail) else None
    return seqs


def _assemble(seq: list[tuple[int, Chunk]], area_code: str | None) -> list[tuple[str, str, list]]:
    """Cut a chunk sequence into numbers: a chunk complete by itself stands alone, otherwise the
    longest join of following chunks that makes a number; what is left are fragments."""
    out: list[tuple[str, str, list]] = []
    i, n = 0, len(seq)
    while i < n:
        alone = classify(seq[i][1].digits, area_code)
        if alone and alone[0] != "local":
            out.append((alone[0], alone[1], [seq[i]]))
            i += 1
            continue
        best = None
        digits = ""
        for j in range(i, n):
            if j > i and (c := classify(seq[j][1].digits, area_code)) and c[0] != "local":
                break
            digits += seq[j][1].digits
            if len(digits) > 18:
                break
            got = classify(digits, area_code)
            if got:
                best = (j, got)
        if best:
            j, (kind, value) = best
            out.append((kind, value, seq[i:j + 1]))
            i = j + 1
        else:
            out.append(("fragment", seq[i][1].digits, [seq[i]]))
            i += 1
    return out


def _context(turns: list[Turn], num: Number) -> None:
    t = num.turn
    first = num.spans[0]
    lead = turns[first.turn].text[:first.start]
    sentence = re.split(r"[。？！?!]", lead)[-1]
    num.correction = bool(dialogue.CORRECTION.search(sentence[-12:]))
    num.third_party = bool(_THIRD_PARTY.search(sentence[-14:]))
    num.cue = bool(_OWN_CUE.search(sentence))
    num.another = bool(_ANOTHER.search(sentence))
    num.question = dialogue.is_question(turns[t].text)
    prev = dialogue.previous_agent(turns, first.turn)
    if num.speaker == "caller" and prev is not None:
        topics = dialogue.asks(turns[prev].text)
        if "third_party" in topics:
            num.third_party = True
        elif topics & {"phone", "id"}:
            num.cue = True
    if num.speaker == "agent":
        reply = dialogue.next_caller(turns, t)
        if reply is not None:
            said = dialogue.answer(turns[reply].text)
            num.confirmed = said is True
            num.denied = said is False


def _similar(a: str, b: str) -> bool:
    a, b = a.replace("-", ""), b.replace("-", "")
    if len(a) != len(b):
        return False
    return sum(x != y for x, y in zip(a, b, strict=True)) <= 3


def extract_numbers(turns: list[Turn], runs: list[list[Run]], area_code: str | None) -> tuple[list[Number], Number | None]:
    """The caller's contact numbers (in order of first mention) and the ID number (or None)."""
    found: list[Number] = []
    for seq in _sequences(turns, runs):
        for kind, value, parts in _assemble(seq, area_code):
            t = parts[0][0]
            num = Number(kind, value, t, turns[t].speaker, _spans(turns, parts))
            _context(turns, num)
            found.append(num)
    kept: list[Number] = []
    for num in found:
        if num.kind == "local":
            if not (num.cue or num.confirmed):
                continue
            num.kind = "landline"
        if num.third_party and num.speaker == "caller" and _family(num.kind) == "phone":
            continue
        if num.kind == "fragment":
            _apply_fragment(num, kept)
            continue
        twin = None if num.another else next(
            (k for k in reversed(kept) if _family(k.kind) == _family(num.kind) and _similar(k.value, num.value)), None)
        if num.speaker == "agent":
            _merge_readback(num, twin, kept)
            continue
        if twin is None:
            kept.append(num)
        elif twin.value == num.value:
            twin.confirmed = True
            twin.spans.extend(num.spans)
        else:
            _replace(twin, num)
    phones = [k for k in kept if k.kind in ("mobile", "landline")]
    ids = [k for k in kept if k.kind == "id"]
    return phones, (ids[-1] if ids else None)


def _merge_readback(num: Number, twin: Number | None, kept: list[Number]) -> None:
    """An agent's read-back: confirms the caller's number, or replaces it when the caller says yes."""
    if num.denied:
        return
    if twin is None:
        if num.confirmed and num.question:
            kept.append(num)
        return
    if twin.value == num.value:
        twin.confirmed = twin.confirmed or num.confirmed
        twin.spans.extend(num.spans)
    elif num.confirmed:
        _replace(twin, num)


def _replace(old: Number, new: Number) -> None:
    old.history.append(old.value)
    old.value, old.kind, old.correction = new.value, new.kind, True
    old.confirmed = new.confirmed
    old.spans.extend(new.spans)


def _family(kind: str) -> str:
    return "id" if kind in ("id", "bad_id") else "phone"


def _apply_fragment(frag: Number, kept: list[Number]) -> None:
    """"不对，最后是七四": a short run after a correction replaces the end of the last number."""
    if not frag.correction or frag.speaker != "caller" or not 2 <= len(frag.value) <= 6 or not kept:
        return
    last = max(kept, key=lambda k: (k.spans[-1].turn, k.spans[-1].start))
    digits = last.value.replace("-", "")
    if len(frag.value) >= len(digits):
        return
    new = digits[: len(digits) - len(frag.value)] + frag.value
    if "-" in last.value:
        code = last.value.split("-")[0]
        new = f"{code}-{new[len(code):]}"
    last.history.append(last.value)
    last.value, last.correction = new, True
    last.spans.extend(frag.spans)


def phone_confidence(num: Number) -> float:
    conf = 0.65 + (0.15 if num.cue else 0.0) + (0.15 if num.confirmed else 0.0)
    return min(0.98, conf)


def id_confidence(num: Number) -> float:
    return 0.97 if num.confirmed else 0.92
