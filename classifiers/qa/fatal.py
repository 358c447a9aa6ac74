"""致命错误: disclosing a reporter's or confidential caller's details, abuse, forbidden promises."""

from __future__ import annotations

import re

from classifiers.qa.context import CallContext, Finding
from classifiers.qa.exemplar import model_sentence
from classifiers.qa.identity import caller_surnames, name_spans, tail_of
from classifiers.qa.numbers import phones
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
        if (s, e) in guarantee_spans and left > 0:
            # 钱月底就到你卡上了，我担保: a guarantee also covers the clause before it
            left = clause_bounds(f.s, left - 1, left - 1)[0]
        for os_, oe, _ in outcomes:
            if not (left <= os_ < right) or any(a < oe and os_ < b for a, b, _ in allowed):
                continue
            if any(s <= a and b <= os_ for a, b, _ in allowed):
                continue  # 肯定督促他们把路修好: the commitment is to the process, the outcome is its object
            if not _hedged(ctx, f, negated, os_, oe):
                return min(s, os_), max(e, oe)
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
    judged = _model_finding(ctx, item, "forbidden_promise", "违规承诺")
    if judged is not None:
        return judged
    suspect = _suspects(ctx, "promise_suspect", "坐席用了保证类说法，疑似承诺办理结果")
    if suspect:  # 保证/肯定/放心 … 给你/钱/修: maybe an outcome in words the lists lack
        return Finding(False, 0.55, "疑似承诺办理结果，未能确认，须人工复核", suspect)
    return Finding(False, 0.9, "未发现违规承诺")


def _reporter_leaks(ctx: CallContext, answer_turns: int) -> tuple[list, list]:
    """Identity cues the agent gave after the caller asked who reported them; and the questions
    that got neither a cue nor a clear refusal (those go to a person)."""
    found, unrefused = [], []
    agent = ctx.of("agent")
    reported = False  # the caller has said they were reported: 我想晓得是哪个 then asks for the reporter
    for i in ctx.of("caller"):
        reported = reported or bool(any_hit(ctx.lex["reported_party"], ctx.folded[i]))
        hit = any_hit(ctx.lex["reporter_question"], ctx.folded[i]) or (
            any_hit(ctx.lex["reporter_question_weak"], ctx.folded[i]) if reported else None
        )
        if not hit:
            continue
        start, refused, leaked = ctx.turns[i].start, False, False
        for j in [a for a in agent if ctx.turns[a].start >= start][:answer_turns]:
            f = ctx.folded[j]
            refusals = find_all(ctx.lex["reveal_refusal"], f)
            refused = refused or bool(refusals)
            if refusals and not _CONTRAST.search(f.s):
                continue  # 就是为了保护反映人，我们不能说: a refusal with no “不过…” takes the turn's cues back
            for s, e, _ in find_all(ctx.lex["reveal_cue"], f):
                left, right = clause_bounds(f.s, s, e)
                if any(left <= rs < right for rs, _, _ in refusals):
                    continue
                found.append(evidence(ctx.turns, j, f, s, e, note="向被反映人透露反映人身份线索"))
                leaked = True
                break
        if not refused and not leaked:
            unrefused.append(
                evidence(
                    ctx.turns, i, ctx.folded[i], hit[0], hit[1], note="来电人追问反映人身份，坐席未明确保密"
                )
            )
    return found, unrefused


def _confidential_leaks(ctx: CallContext) -> list:
    ticket = ctx.ticket()
    caller = ctx.of("caller")
    confidential = ticket.get("confidential") is True or any(
        any_hit(ctx.lex["confidential_request"], ctx.folded[i]) for i in caller
    )
    others = ctx.of("other")
    if not confidential or not others:
        return []
    third_from = ctx.turns[others[0]].start - 5.0
    raw_name = ctx.lex.fold(str(ticket.get("caller_name") or "")).s
    name = raw_name.replace("某", "")
    surnames = caller_surnames(raw_name, (ctx.folded[i].s for i in caller))
    numbers = {d for d in (str(p) for p in ticket.get("phones") or []) if len(d) >= 7}
    numbers |= {p.digits for i in caller for p in phones(ctx.folded[i], min_digits=7)}
    found = []
    for j in ctx.of("agent"):
        if ctx.turns[j].start < third_from:
            continue
        f = ctx.folded[j]
        spans = [(p.start, p.end, "电话") for p in phones(f, min_digits=4) if tail_of(numbers, p.digits)]
        if len(name) >= 2:
            at = f.s.find(name)
            if at >= 0:
                spans.append((at, at + len(name), "姓名"))
        # 田大姐, 老田, 姓田的: the surname with a kinship or courtesy term names the caller as well
        spans += [(s, e, "姓氏称呼") for s, e in name_spans(f.s, surnames) if not quoted(ctx, f, s)]
        for s, e, what in spans[:1]:
            found.append(evidence(ctx.turns, j, f, s, e, note=f"第三方在线时说出保密来电人的{what}"))
    return found


_NEGATION = re.compile("不会|不能|不得|不可能|绝不|不要|别|没有|没")
_CONTRAST = re.compile("不过|但是|可以告诉你|只能说|提示你|透露一点|偷偷")


def _direct_leaks(ctx: CallContext, seen: set[int]) -> list:
    """举报你的是…, 是你们隔壁那家打的电话: the agent names the reporter, asked or not."""
    found = []
    for j in ctx.of("agent"):
        if j in seen:
            continue
        f = ctx.folded[j]
        refusals = find_all(ctx.lex["reveal_refusal"], f)
        for s, e, _ in find_all(ctx.lex["reveal_direct"], f):
            left, right = clause_bounds(f.s, s, e)
            if quoted(ctx, f, s) or any(left <= rs < right for rs, _, _ in refusals):
                continue
            if _NEGATION.search(f.s[left:s]):  # 我们不会跟对方说是您举报的
                continue
            found.append(evidence(ctx.turns, j, f, s, e, note="向被反映人说出反映人身份"))
            break
    return found


def check_confidential_leak(ctx: CallContext, item: RubricItem) -> Finding:
    found, unrefused = _reporter_leaks(ctx, int(item.params["answer_turns"]))
    found += _direct_leaks(ctx, {ev.turn for ev in found})
    found += _confidential_leaks(ctx)
    if found:
        return Finding(True, 0.85, "泄露来电人/反映人信息", found, occurrences=len(found))
    if unrefused:
        return Finding(False, 0.5, "来电人追问反映人身份，坐席未明确表示保密，须人工复核", unrefused)
    return Finding(False, 0.9, "未发现泄露来电人信息")
