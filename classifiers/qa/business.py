"""业务准确: the agent's answer agrees with the knowledge-base answer; dispatch follows the suggestion."""

from __future__ import annotations

import re

from classifiers.qa.context import CallContext, Finding, not_applicable
from classifiers.qa.numbers import arabize, phone_kind, phones, quantities
from classifiers.qa.rubric import RubricItem
from classifiers.qa.text import Folded, content_chars, evidence, find_all, fold_str

_CJK = re.compile(r"[\u4e00-\u9fff]")
_STOP_CHARS = set("的了是在和或也可以等及与对为就都要请您你我他她它这那有个一")
_NEGATORS = ("不", "没", "无", "免", "别")
_ELAPSED = re.compile("(已经|快|都|近|有|足足)$")


def _bigrams(s: str) -> set[str]:
    chars = [c if _CJK.match(c) or c.isdigit() else " " for c in s]
    out = set()
    for a, b in zip(chars, chars[1:], strict=False):
        if a != " " and b != " " and not (a in _STOP_CHARS and b in _STOP_CHARS):
            out.add(a + b)
    return out


def _negated(f: Folded, start: int) -> bool:
    before = f.s[max(0, start - 3) : start]
    return any(n in before for n in _NEGATORS)


def _elapsed(f: Folded, start: int, end: int) -> bool:
    """停电快一天了, 已经三天: how long the caller's trouble has lasted, not a time limit from the KB."""
    return f.s[end : end + 1] == "了" or bool(_ELAPSED.search(f.s[max(0, start - 2) : start]))


_DAYS = {"day": 1.0, "month": 30.0, "workday": 1.4}  # calendar days in each unit of a period


def _comparable(unit: str, value: float, kb_qty: dict[str, set[float]]) -> tuple[str, float]:
    """A period in another unit than the KB's (冷静期三个月 against 30日, 一个月 against 15个工作日) in the
    KB's unit; a value within a fifth of one the KB gives (20个工作日 ≈ 一个月) is taken as that value."""
    if unit in kb_qty or unit not in _DAYS:
        return unit, value
    for other, days in _DAYS.items():
        if other != unit and other in kb_qty:
            converted = value * _DAYS[unit] / days
            near = [v for v in kb_qty[other] if abs(v - converted) <= 0.2 * max(v, converted)]
            return other, near[0] if near else converted
    return unit, value


def _kb_phone_ok(digits: str, kb_phones: set[str], always_ok: frozenset[str]) -> bool:
    """A number the agent read out is fine if the KB has it, or if the KB gives no number of its kind
    (a landline is only checked against the KB's landlines, a short hotline against its hotlines)."""
    kind = phone_kind(digits)
    if digits in always_ok or kind == "mobile":
        return True
    same_kind = {k for k in kb_phones if phone_kind(k) == kind and k not in always_ok}
    return not same_kind or any(k.endswith(digits) or digits.endswith(k) for k in same_kind)


def check_kb_agreement(ctx: CallContext, item: RubricItem) -> Finding:
    kb_text = (ctx.call.kb_answer or "").strip()
    if not kb_text:
        return not_applicable("未提供知识库答案，不比对")
    answer = [
        i for i in ctx.of("agent") if content_chars(ctx.turns[i].text) >= item.params["answer_min_chars"]
    ]
    if not answer:
        return Finding(True, 0.6, "坐席没有实质答复", details={"coverage": 0.0})
    kb = arabize(ctx.lex.fold(kb_text))
    kb_qty: dict[str, set[float]] = {}
    for q in quantities(kb):
        kb_qty.setdefault(q.unit, set()).add(q.value)
    kb_phones = {p.digits for p in phones(kb, min_digits=3)}
    caller_qty = [
        (ctx.turns[i].start, q.unit, q.value)
        for i in ctx.of("caller")
        for q in quantities(arabize(ctx.folded[i]))
    ]
    conflicts, confirmed = [], 0
    for i in answer:
        f = arabize(ctx.folded[i])
        said_before = {(u, v) for t, u, v in caller_qty if t < ctx.turns[i].start}
        for q in quantities(f):
            unit, value = _comparable(q.unit, q.value, kb_qty)
            if unit in kb_qty and value in kb_qty[unit]:
                confirmed += 1
            elif unit in kb_qty and (q.unit, q.value) not in said_before and not _elapsed(f, q.start, q.end):
                conflicts.append(evidence(ctx.turns, i, f, q.start, q.end, note=f"“{q.text}”与知识库不符"))
        if kb_phones:
            for p in phones(f):
                confirmed += p.digits in kb_phones and p.digits not in ctx.lex.always_ok_numbers
                if not _kb_phone_ok(p.digits, kb_phones, ctx.lex.always_ok_numbers):
                    conflicts.append(
                        evidence(ctx.turns, i, f, p.start, p.end, note=f"电话{p.digits}与知识库不符")
                    )
        for kb_side, agent_side, note in ctx.lex.kb_conflicts:
            if not find_all(kb_side, kb):
                continue
            for s, e, _ in find_all(agent_side, f):
                if not _negated(f, s):
                    conflicts.append(evidence(ctx.turns, i, f, s, e, note=note))
                    break
    kb_grams = _bigrams(kb.s)
    said = set().union(*(_bigrams(ctx.folded[i].s) for i in answer))
    coverage = len(kb_grams & said) / max(len(kb_grams), 1)
    details = {"coverage": round(coverage, 3), "conflicts": len(conflicts)}
    if conflicts:
        return Finding(True, 0.9, f"答复与知识库不一致{len(conflicts)}处", conflicts, details)
    if coverage < item.params["min_coverage"] and confirmed:
        # a long article answered on its one relevant point: the number or amount the KB gives was said
        msg = f"答复覆盖率低（{coverage:.0%}），但说对了知识库中的电话或数字，抽检"
        return Finding(False, 0.7, msg, details=details | {"confirmed": confirmed})
    if coverage < item.params["min_coverage"]:
        evs = [evidence(ctx.turns, i, note="答复未覆盖知识库要点") for i in answer[:2]]
        return Finding(True, 0.6, f"答复未覆盖知识库要点（覆盖率{coverage:.0%}）", evs, details)
    low = coverage < item.params["min_coverage"] * 1.5
    return Finding(
        False, 0.7 if low else 0.9, f"答复与知识库一致（要点覆盖率{coverage:.0%}）", details=details
    )


def normalize_unit(name: str, ctx: CallContext) -> str:
    s = re.sub(r"[（(][^）)]*[）)]|[\s·、，,。]", "", fold_str(name))
    changed = True
    while changed:
        changed = False
        for prefix in ctx.lex.unit_prefixes:
            if prefix and s.startswith(prefix) and len(s) > len(prefix) + 1:
                s, changed = s[len(prefix) :], True
    # 恩施州生态环境局鹤峰分局 = 鹤峰生态环境分局: the county's branch of a prefecture bureau
    for prefix in ctx.lex.unit_prefixes:
        if len(prefix) >= 2 and s.endswith(f"局{prefix}分局"):
            s = s[: -len(f"局{prefix}分局")] + "分局"
            break
    if s.endswith("分局") and len(s) >= 4:  # a county's 公安分局 / 生态环境分局 is its 公安局 / 生态环境局
        s = s[:-2] + "局"
    for short, full in sorted(ctx.lex.unit_aliases.items(), key=lambda kv: -len(kv[0])):
        if s.endswith(short) and not s.endswith(full):
            s = s[: len(s) - len(short)] + full
            break
    return s


def same_unit(a: str, b: str, ctx: CallContext) -> bool:
    na, nb = normalize_unit(a, ctx), normalize_unit(b, ctx)
    if na == nb:
        return True
    shorter, longer = sorted((na, nb), key=len)
    return len(shorter) >= 4 and longer.endswith(shorter)


def check_dispatch(ctx: CallContext, item: RubricItem) -> Finding:
    suggested, chosen = ctx.call.suggested_unit, ctx.call.chosen_unit
    if not suggested or not chosen:
        return not_applicable("没有派单建议或实际派单，不比对")
    details = {"suggested": suggested, "chosen": chosen}
    if same_unit(suggested, chosen, ctx):
        return Finding(False, 0.95, "派单与建议一致", details=details)
    if (ctx.call.dispatch_reason or "").strip():
        details["reason"] = ctx.call.dispatch_reason
        return Finding(False, 0.7, "派单与建议不一致，已说明理由，交人工抽查", details=details)
    caller = ctx.of("caller")
    evs = (
        [evidence(ctx.turns, caller[0], note=f"建议派{suggested}，实际派{chosen}，未说明理由")]
        if caller
        else []
    )
    return Finding(
        True, 0.85, f"派单与建议不一致且未说明理由（建议：{suggested}；实际：{chosen}）", evs, details
    )
