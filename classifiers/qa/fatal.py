"""致命错误: abuse and forbidden promises (disclosures are in :mod:`classifiers.qa.leak`)."""

from __future__ import annotations

import re

from classifiers.qa.context import CallContext, Finding
from classifiers.qa.exemplar import model_sentence
from classifiers.qa.learned import learned_finding
from classifiers.qa.pledge import liability_pledge, sentence_bounds
from classifiers.qa.rubric import RubricItem
from classifiers.qa.service import quoted
from classifiers.qa.text import Folded, any_hit, clause_bounds, evidence, find_all


def check_abuse(ctx: CallContext, item: RubricItem) -> Finding:
    hits, excused = [], []
    for i in ctx.of("agent"):
        f = ctx.folded[i]
        for s, e, label in find_all(ctx.lex["abuse"], f):
            excuse = quoted(ctx, f, s) or _about_third_party(ctx, f, s, e) or _denied(f, s)
            target = excused if excuse else hits
            target.append(evidence(ctx.turns, i, f, s, e, note=f"辱骂用语“{label.removeprefix('re:')}”"))
    if hits:
        return Finding(True, 0.9, "坐席辱骂来电人", hits, occurrences=len(hits))
    if excused:
        return Finding(False, 0.7, "辱骂词出现在复述中，不判致命错误", excused)
    learned = learned_finding(ctx, item)  # the learned family: a deduction when confident, else a person
    if learned is not None:
        return learned
    judged = _model_finding(ctx, item, "abuse", "辱骂")
    if judged is not None:
        return judged
    protests = _caller_protests(ctx)
    if protests:  # 你么样骂人 / 你这个人么样这么凶: the words may be beyond the lists, a person listens
        return Finding(False, 0.5, "来电人抗议坐席言语或态度，未识别出辱骂用语，须人工复核", protests)
    suspect = _suspects(ctx, "abuse_suspect", "坐席对来电人有贬损性评价，疑似辱骂")
    if suspect:  # a judgement on the caller's person (你……蠢/素质/脑子) in words the lists lack
        return Finding(False, 0.55, "疑似贬损来电人，未能确认，须人工复核", suspect)
    return Finding(False, 0.95, "未发现辱骂")


def _model_finding(ctx: CallContext, item: RubricItem, check: str, what: str) -> Finding | None:
    """Where the word lists found nothing, a sentence the model rates above ``suspect_threshold`` sends
    the call to a person. Never a deduction: its verdicts alone fell below the precision aim."""
    hit = model_sentence(ctx, check)
    if hit is None or hit.prob < item.params["suspect_threshold"]:
        return None
    note = f"样例模型判为疑似{what}（{hit.prob:.2f}）"
    ev = [evidence(ctx.turns, hit.turn, ctx.folded[hit.turn], hit.start, hit.end, note=note)]
    return Finding(False, 0.55, f"疑似{what}，词表未能确认，须人工复核", ev, {"model": round(hit.prob, 3)})


def _suspects(ctx: CallContext, name: str, note: str) -> list:
    """Agent clauses a cheap cue marks as possibly fatal, for a person to hear (never a deduction)."""
    out = []
    for i in ctx.of("agent"):
        f = ctx.folded[i]
        negated = find_all(ctx.lex["promise_negated"], f) if name == "promise_suspect" else []
        allowed = find_all(ctx.lex["promise_process_ok"], f) if name == "promise_suspect" else []
        for s, e, _ in find_all(ctx.lex[name], f):
            if quoted(ctx, f, s) or _hedged(ctx, f, negated, s, e):
                continue
            left, right = clause_bounds(f.s, s, e)
            if any(left <= a < right for a, _, _ in allowed):
                continue
            out.append(evidence(ctx.turns, i, f, s, e, note=note))
            break
    return out


def _caller_protests(ctx: CallContext) -> list:
    agent_starts = [ctx.turns[i].start for i in ctx.of("agent")]
    out = []
    for i in ctx.of("caller"):
        if not any(t < ctx.turns[i].start for t in agent_starts[1:]):
            continue  # before the agent has said anything but the opening
        hit = any_hit(ctx.lex["caller_protest"], ctx.folded[i])
        if hit:
            out.append(evidence(ctx.turns, i, ctx.folded[i], hit[0], hit[1], note="来电人抗议坐席"))
    return out


def _next_clause(s: str, right: int) -> int:
    """End of the clause after the one that ends at ``right`` (我跟你打包票，下个礼拜就修好)."""
    if right >= len(s) or s[right] not in "，,：:":
        return right
    return clause_bounds(s, right + 1, right + 1)[1]


def _hedged(ctx: CallContext, f: Folded, negated: list, start: int, end: int) -> bool:
    """A negation or an open question in the clause (不能保证, 能不能退, 要看调查) takes a promise back."""
    left, right = clause_bounds(f.s, start, end)
    return any(left <= ns < right for ns, _, _ in negated) or quoted(ctx, f, start)


def _promise(ctx: CallContext, f: Folded) -> tuple[int, int] | None:
    negated = find_all(ctx.lex["promise_negated"], f)
    allowed = find_all(ctx.lex["promise_process_ok"], f)
    outcomes = find_all(ctx.lex["promise_outcome"], f)
    guarantees = find_all(ctx.lex["promise_guarantee"], f)
    guarantee_spans = {(gs, ge) for gs, ge, _ in guarantees}
    instructions = find_all(ctx.lex["promise_instruction"], f)
    for s, e, _ in find_all(ctx.lex["promise_commit"], f) + guarantees:
        if any(ns < e and s < ne for ns, ne, _ in negated) or _hedged(ctx, f, negated, s, e):
            continue
        if any(a < e and s < b for a, b, _ in instructions):
            continue  # 请一定注意安全 / 您一定要保管好发票: an instruction to the caller, not a commitment
        left, right = clause_bounds(f.s, s, e)
        right = _next_clause(f.s, right)
        if (s, e) in guarantee_spans:
            # 钱月底就到你卡上了，我担保 / 包票我给你打起，月底之前，那一排灯全部亮起来: an explicit guarantee
            # covers its whole sentence
            left, right = sentence_bounds(f.s, s, e)
        for os_, oe, _ in outcomes:
            if not (left <= os_ < right) or any(a < oe and os_ < b for a, b, _ in allowed):
                continue
            if any(s <= a and b <= os_ for a, b, _ in allowed):
                continue  # 肯定督促他们把路修好: the commitment is to the process, the outcome is its object
            if not _hedged(ctx, f, negated, os_, oe):
                return min(s, os_), max(e, oe)
    pledge = liability_pledge(f, ctx.lex["promise_liability"], ctx.lex["promise_stake"])  # 批不下来你来找我
    if pledge is not None and not _hedged(ctx, f, negated, *pledge):
        return pledge
    # 今天就给你解决, 我们会给你补偿: an outcome promised without a commitment word
    return next(
        ((s, e) for s, e, _ in find_all(ctx.lex["promise_timed"], f) if not _hedged(ctx, f, negated, s, e)),
        None,
    )


# 不是您苕，是骗子太会装了 / 不怪你: the agent denies the insult (又不是 and 是不是 stay sarcasm and questions)
_DENIAL = re.compile(
    r"(?<![又还否])(不是|并不是|并非|不怪|不能怪|不该怪|没有人说|没人说|没有说|没说)(说)?(你|你们)?$"
)


def _denied(f: Folded, start: int) -> bool:
    left, _ = clause_bounds(f.s, start, start)
    return bool(_DENIAL.search(f.s[left:start]))


def _about_third_party(ctx: CallContext, f: Folded, start: int, end: int) -> bool:
    """这个人太不要脸了 about the reported party, not the caller: a third person before the word in its
    clause and no 你 there nor in the words themselves (难怪村里没人理你 is aimed at the caller)."""
    left, right = clause_bounds(f.s, start, end)
    if "你" in f.s[left:end]:
        return False
    before, after = f.s[left:start], f.s[end:right]
    if any(p.pattern.search(before) for p in ctx.lex["abuse_third_party"]):
        return True
    # 鸡蛋里挑骨头的是那个商家: the words describe whoever the clause then names
    return bool(_NAMED_AFTER.match(after)) and any(
        p.pattern.search(after) for p in ctx.lex["abuse_third_party"]
    )


_NAMED_AFTER = re.compile("的(人)?(是|就是)")


def check_forbidden_promise(ctx: CallContext, item: RubricItem) -> Finding:
    hits = []
    for i in ctx.of("agent"):
        found = _promise(ctx, ctx.folded[i])
        if found:
            hits.append(
                evidence(ctx.turns, i, ctx.folded[i], found[0], found[1], note="对办理结果作出违规承诺")
            )
    if hits:
        return Finding(True, 0.85, "违规承诺办理结果", hits, occurrences=len(hits))
    learned = learned_finding(ctx, item)
    if learned is not None:
        return learned
    judged = _model_finding(ctx, item, "forbidden_promise", "违规承诺")
    if judged is not None:
        return judged
    suspect = _suspects(ctx, "promise_suspect", "坐席用了保证类说法，疑似承诺办理结果")
    if suspect:  # 保证/肯定/放心 … 给你/钱/修: maybe an outcome in words the lists lack
        return Finding(False, 0.55, "疑似承诺办理结果，未能确认，须人工复核", suspect)
    return Finding(False, 0.9, "未发现违规承诺")
