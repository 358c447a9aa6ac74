"""致命错误: disclosing a reporter's identity to the reported party, or a confidential caller's to a third party."""

from __future__ import annotations

import re

from classifiers.qa.context import CallContext, Finding
from classifiers.qa.identity import caller_surnames, name_spans, tail_of
from classifiers.qa.learned import learned_finding
from classifiers.qa.numbers import phones
from classifiers.qa.rubric import RubricItem
from classifiers.qa.service import quoted
from classifiers.qa.text import Folded, any_hit, clause_bounds, evidence, find_all


def _reporter_leaks(ctx: CallContext, answer_turns: int) -> tuple[list, list]:
    """Identity cues the agent gave after the caller asked who reported them; and the questions
    that got neither a cue nor a clear refusal (those go to a person)."""
    found, unrefused = [], []
    agent = ctx.of("agent")
    reported = False  # the caller has said they were reported: 我想晓得是哪个 then asks for the reporter
    for i in ctx.of("caller"):
        reported = reported or bool(any_hit(ctx.lex["reported_party"], ctx.folded[i]))
        strong = any_hit(ctx.lex["reporter_question"], ctx.folded[i])
        hit = strong or any_hit(ctx.lex["reporter_question_weak"], ctx.folded[i])
        # 是不是开超市的那个？ with nothing before it saying the caller was reported: an answer that looks like a
        # cue goes to a person, not a deduction (reading it as a reporter question cost three false alarms)
        uncertain = strong is None and not reported
        cues = unrefused if uncertain else found
        if not hit or _waived(ctx, ctx.folded[i], hit[0], hit[1]):
            continue
        own = _caller_numbers(ctx)
        start, refused, leaked = ctx.turns[i].start, False, False
        for j in [a for a in agent if ctx.turns[a].start >= start][:answer_turns]:
            f = ctx.folded[j]
            refusals = find_all(ctx.lex["reveal_refusal"], f)
            refused = refused or bool(refusals)
            if refusals and not _CONTRAST.search(f.s):
                continue  # 就是为了保护反映人，我们不能说: a refusal with no “不过…” takes the turn's cues back
            mine = _own_number_spans(f, own)
            for s, e, _ in find_all(ctx.lex["reveal_cue"], f):
                left, right = clause_bounds(f.s, s, e)
                if any(left <= rs < right for rs, _, _ in refusals) or any(a < e and s < b for a, b in mine):
                    continue  # refused in the clause, or the caller's own number read back to them
                cues.append(evidence(ctx.turns, j, f, s, e, note="向被反映人透露反映人身份线索"))
                leaked = True
                break
            if not leaked and not refused:
                described = _described(f)  # 这个人你上个月才跟他吵过 / 跟你同一天搬进去的那户
                if described is not None:
                    note = "向被反映人描述反映人（与来电人的关系、住处或特征）"
                    cues.append(evidence(ctx.turns, j, f, *described, note=note))
                    leaked = True
        if not refused and not leaked and not uncertain:
            unrefused.append(
                evidence(
                    ctx.turns, i, ctx.folded[i], hit[0], hit[1], note="来电人追问反映人身份，坐席未明确保密"
                )
            )
    return found, unrefused


# a person described (he/she, that household, the one who…) in the same clause as the caller (你): an answer to
# "who reported me" that points at someone by their relation to the caller, not by a listed cue
_PERSON = re.compile(
    "(?<!其)(他|她)(?!们)|这个人|那个人|那人|那一?家|那一?户|那位|的那个(?!东西|事|问题|地方|部门|单位|时候)|领头的"
)
_PROCESS = re.compile(
    "联系|核实|处理|回复|回访|上门|检查|调查|执法|整改|答复|通知|协调|调解|转给|反映|投诉|举报|登记|保密|规定|理解|有人|群众"
    "|(让|叫|要求|督促|催|请|通知)(他|她)|要是|如果|假如|万一|的话"
)

# what ties the person to the caller: 跟你…, your doorstep / floor / group, a quarrel or acquaintance, a surname
_RELATION = re.compile(
    "跟你|和你|同你|你(家|们家|们)?(门口|隔壁|对门|楼上|楼下|对面|旁边|后面|前面|附近|院子|组|村|单位|店|屋|街上|楼里|办公室|厂|小区|车间)"
    "|你[^，,。]{0,6}(吵|矛盾|过节|认识|知道|熟|见过|打过交道|得罪)|姓|亲戚|搬"
)


def _described(f: Folded) -> tuple[int, int] | None:
    for m in _PERSON.finditer(f.s):
        left, right = clause_bounds(f.s, m.start(), m.end())
        clause = f.s[left:right]
        asks = right < len(f.s) and f.s[right] in "?？" or clause.endswith(("吗", "呢", "吧"))
        if _RELATION.search(clause) and not asks and not _PROCESS.search(clause):
            return left, right
    return None


def _waived(ctx: CallContext, f: Folded, start: int, end: int) -> bool:
    """哪个投诉的我不问，我就想问…: the caller says they do not ask who reported them."""
    left, right = clause_bounds(f.s, start, end)
    right = clause_bounds(f.s, right + 1, right + 1)[1] if right < len(f.s) else right
    return any(left <= s < right for s, _, _ in find_all(ctx.lex["reporter_question_waived"], f))


def _caller_numbers(ctx: CallContext) -> set[str]:
    numbers = {d for d in (str(p) for p in ctx.ticket().get("phones") or []) if len(d) >= 7}
    return numbers | {p.digits for i in ctx.of("caller") for p in phones(ctx.folded[i], min_digits=7)}


_YOUR_NUMBER = re.compile(
    r"你(的|这个|现在这个|留的)?(电话|号码|手机|手机号|联系电话)(是|就是|还是)?(这个)?$"
)


def _own_number_spans(f: Folded, own: set[str]) -> list[tuple[int, int]]:
    """Numbers the agent reads back to the caller as theirs (您的电话是一五八…吧？)."""
    out = []
    for p in phones(f, min_digits=4):
        left, _ = clause_bounds(f.s, p.start, p.start)
        if tail_of(own, p.digits) or _YOUR_NUMBER.search(f.s[max(left, p.start - 12) : p.start]):
            out.append((p.start, p.end))
    return out


def _third_party_turns(ctx: CallContext, start: float) -> list[tuple[int, int]]:
    """Agent turns (and the part of each) a third party on the line can hear: from ``start`` until the
    agent comes back to the caller alone after the third party's last words (喂，您还在吧？…)."""
    last_other = ctx.turns[ctx.of("other")[-1]].end
    out = []
    for j in ctx.of("agent"):
        if ctx.turns[j].start < start:
            continue
        f = ctx.folded[j]
        back = any_hit(ctx.lex["caller_back"], f) if ctx.turns[j].start >= last_other else None
        if back is None:
            out.append((j, len(f.s)))
            continue
        out.append((j, back[0]))
        break
    return out


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
    for j, heard in _third_party_turns(ctx, third_from):
        f = ctx.folded[j]
        spans = [(p.start, p.end, "电话") for p in phones(f, min_digits=4) if tail_of(numbers, p.digits)]
        if len(name) >= 2:
            at = f.s.find(name)
            if at >= 0:
                spans.append((at, at + len(name), "姓名"))
        # 田大姐, 老田, 姓田的: the surname with a kinship or courtesy term names the caller as well
        spans += [(s, e, "姓氏称呼") for s, e in name_spans(f.s, surnames) if not quoted(ctx, f, s)]
        spans = [sp for sp in spans if sp[0] < heard]
        for s, e, what in spans[:1]:
            found.append(evidence(ctx.turns, j, f, s, e, note=f"第三方在线时说出保密来电人的{what}"))
    return found


_NEGATION = re.compile("不会|不能|不得|不可能|绝不|不要|别|没有|没")
_CONTRAST = re.compile(
    "不过|但是|可以告诉你|只能(跟你|给你|和你|对你)?(说|透露|告诉)|提示你|透露一点|偷偷|反正"
    # a partial refusal after the cue: 一个戴眼镜的老师，别的我不能说 / 就说这么多了
    "|别的|其他的|其余的|再多的|更多的|多的我|就(说|讲)这么多"
)


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
    learned = learned_finding(ctx, item)  # the learned family: a deduction when confident, else a person
    if learned is not None:
        return learned
    if unrefused:
        return Finding(False, 0.5, "来电人追问反映人身份，坐席未明确表示保密，须人工复核", unrefused)
    return Finding(False, 0.9, "未发现泄露来电人信息")
