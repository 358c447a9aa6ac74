"""The learned fatal-family detector in the scorer: each agent sentence (reported speech left out) with the
caller's or third party's sentence before it, scored once per call by :mod:`classifiers.qa.sentences`.

Where the rules found nothing, a sentence at or above the item's ``learned_deduct`` is a deduction with
its evidence (the sentence and its time), and a fatal one always sends the call to a person; one at or
above ``learned_review`` sends a fatal item's call to a person (a 禁用语 into the sample) with no deduction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.qa.context import CallContext, Finding
from classifiers.qa.exemplar import SENTENCE, reported, sentences
from classifiers.qa.rubric import RubricItem
from classifiers.qa.text import evidence, find_all

# the family each item reads, and how it names it to QA staff
FAMILY = {
    "abuse": ("abuse", "辱骂或贬损来电人"),
    "confidential_leak": ("leak", "透露反映人或保密来电人身份"),
    "forbidden_promise": ("promise", "违规承诺或个人担保"),
    "forbidden_phrase": ("brushoff", "推诿搪塞类禁用语"),
}


@dataclass(frozen=True)
class ScoredSentence:
    turn: int
    start: int  # folded offsets in the turn
    end: int
    probs: dict[str, float]
    reported: bool = False  # quotes someone (他骂您…, 您是说…): not the agent's own abuse, promise or brush-off


def _context(ctx: CallContext, turn: int) -> str:
    """The last sentence of the caller's or third party's turn before the agent's ``turn``."""
    k = ctx.order.index(turn)
    for j in reversed(ctx.order[:k]):
        if ctx.turns[j].speaker != "agent":
            spans = [m.group() for m in SENTENCE.finditer(ctx.folded[j].s) if m.group().strip("，, ")]
            return spans[-1] if spans else ""
    return ""


def scored_sentences(ctx: CallContext) -> list[ScoredSentence]:
    """Every agent sentence of the call with its family probabilities (computed once, in one batch)."""
    cached = getattr(ctx, "_learned_scores", None)
    if cached is not None:
        return cached
    out: list[ScoredSentence] = []
    model = ctx.learned
    if model is not None:
        frames, marks = ctx.lex["quote_frames"], ctx.lex.quote_marks
        spans = [(i, s, e) for i in ctx.of("agent") for s, e in sentences(ctx.folded[i])]
        contexts = {i: _context(ctx, i) for i in {i for i, _, _ in spans}}
        probs = model.proba([ctx.folded[i].s[s:e] for i, s, e in spans], [contexts[i] for i, _, _ in spans])
        out = [
            ScoredSentence(i, s, e, p, reported(ctx.folded[i].s[s:e], frames, marks))
            for (i, s, e), p in zip(spans, probs, strict=True)
        ]
    ctx._learned_scores = out
    return out


_THIRD = re.compile("他|她|那个人|这个人|那家|对方|老板|师傅")


def _held_back(ctx: CallContext, family: str, best: ScoredSentence) -> bool:
    """Where the rules' own excuses apply, a learned hit is reviewed, not deducted: a promise taken back
    (不能保证, 没办法给您打包票, 要看调查); an insult word about a third person with no 你 in the sentence
    (他是不是喝醉了，讲话颠三倒四的); a leak in a turn that refuses to name the reporter with no 不过/反正/只能说
    after it (反映人信息保密。您的电话是…吗？)."""
    f = ctx.folded[best.turn]
    text = f.s[best.start : best.end]
    if family == "promise":
        return any(best.start <= s < best.end for s, _, _ in find_all(ctx.lex["promise_negated"], f))
    if family == "abuse":
        return "你" not in text and bool(_THIRD.search(text))
    if family == "leak":
        from classifiers.qa.leak import _CONTRAST  # leak.py calls this module; imported late to avoid a cycle

        return bool(find_all(ctx.lex["reveal_refusal"], f)) and not _CONTRAST.search(f.s)
    return False


def learned_finding(ctx: CallContext, item: RubricItem) -> Finding | None:
    """A deduction (≥ ``learned_deduct``) or a call for a person (≥ ``learned_review``), else None."""
    family, what = FAMILY[item.check]
    # a reporter named in reported-speech form (是…那位反映的) is still a leak; the other families skip quotes
    scored = [x for x in scored_sentences(ctx) if family == "leak" or not x.reported]
    if not scored:
        return None
    best = max(scored, key=lambda x: x.probs.get(family, 0.0))
    p = best.probs.get(family, 0.0)
    details = {"learned": round(p, 3), "family": family}
    hedged = _held_back(ctx, family, best)
    if item.params["learned_deduct"] < 1.0 and p >= item.params["learned_deduct"] and not hedged:  # 1.0: never
        note = f"句子模型判为{what}（{p:.2f}）"
        ev = [evidence(ctx.turns, best.turn, ctx.folded[best.turn], best.start, best.end, note=note)]
        return Finding(True, 0.6, f"句子模型判为{what}，请人工确认", ev, details)
    if p >= item.params["learned_review"]:
        note = f"句子模型判为疑似{what}（{p:.2f}）"
        ev = [evidence(ctx.turns, best.turn, ctx.folded[best.turn], best.start, best.end, note=note)]
        confidence = 0.5 if item.fatal else 0.7
        return Finding(False, confidence, f"句子模型判为疑似{what}，未扣分，须人工复核", ev, details)
    return None
