"""工单质量: the appeal type is not downgraded; the ticket holds the key facts the call gave."""

from __future__ import annotations

import re
from typing import Any

from classifiers.qa.context import CallContext, Finding, not_applicable
from classifiers.qa.numbers import phones
from classifiers.qa.rubric import RubricItem
from classifiers.qa.text import evidence, find_all

_PLACE = re.compile(r"[村镇乡组街路巷区栋号]|社区|小区|集镇")
# words of any ticket's content that name no demand (来电人来电反映情况 / 市民咨询相关问题)
_PLACEHOLDER = re.compile(
    r"来电人|来电|市民|群众|反映|咨询|投诉|举报|求助|建议|情况|问题|有关|相关|事宜|事情|一下|的|了|[\W_]"
)


def complaint_hits(ctx: CallContext) -> list[tuple[int, int, int, str]]:
    """(turn, start, end, phrase) of every place the caller states a complaint or report of their own."""
    found = []
    for i in ctx.of("caller"):
        f = ctx.folded[i]
        vetoes = find_all(ctx.lex["appeal_not_complaint"], f)
        for s, e, label in find_all(ctx.lex["appeal_complaint"], f):
            if not any(vs < e and s < ve for vs, ve, _ in vetoes):
                found.append((i, s, e, label))
    return found


def check_appeal_type(ctx: CallContext, item: RubricItem) -> Finding:
    ranks = item.params["ranks"]
    recorded = str(ctx.ticket().get("appeal_type") or "").strip()
    if not recorded or recorded not in ranks:
        return not_applicable("工单没有可比对的诉求类型")
    hits = complaint_hits(ctx)
    details = {"recorded": recorded, "caller_complaint": bool(hits)}
    if hits and ranks[recorded] < max(ranks.get("投诉", 2), ranks.get("举报", 2)):
        evs = [
            evidence(ctx.turns, i, ctx.folded[i], s, e, note=f"来电人要求投诉/举报，工单记为{recorded}")
            for i, s, e, _ in hits[:3]
        ]
        return Finding(True, 0.9, f"诉求类型降级：来电人要求投诉/举报，工单记为“{recorded}”", evs, details)
    return Finding(
        False, 0.9 if hits or ranks[recorded] >= 2 else 0.85, "诉求类型与通话一致", details=details
    )


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


def _ticket_phones(ticket: dict) -> list[str]:
    raw = ticket.get("phones")
    values = raw if isinstance(raw, list) else [raw]
    values += [ticket.get("phone"), ticket.get("contact_phone")]
    return [d for d in (_digits(v) for v in values) if len(d) >= 5]


def check_key_facts(ctx: CallContext, item: RubricItem) -> Finding:
    ticket = dict(ctx.ticket())
    if not ticket:
        return not_applicable("没有工单，不检查工单要素")
    p = item.params
    problems, evs = [], []
    caller = ctx.of("caller")
    content = str(ticket.get("content") or ticket.get("demand") or ticket.get("appeal_content") or "").strip()
    if len(content) < p["min_content_chars"] or len(_PLACEHOLDER.sub("", content)) < 2:
        # 来电人来电反映情况。: long enough, but says nothing of the demand
        problems.append("诉求内容")
        if caller:
            evs.append(evidence(ctx.turns, caller[0], note="工单缺少诉求内容"))
    agent_said = [(ctx.turns[i].start, ph.digits) for i in ctx.of("agent") for ph in phones(ctx.folded[i], 7)]
    spoken = [
        (i, ph)
        for i in caller
        for ph in phones(ctx.folded[i], min_digits=7)
        if not any(t < ctx.turns[i].start and ph.digits in d for t, d in agent_said)
    ]
    recorded = _ticket_phones(ticket)
    refused = any(find_all(ctx.lex["phone_refused"], ctx.folded[i]) for i in caller)
    if not recorded and not refused:
        problems.append("联系电话")
        evs += [
            evidence(ctx.turns, i, ctx.folded[i], ph.start, ph.end, note="通话中报了电话，工单未填")
            for i, ph in spoken[:1]
        ]
    elif recorded and spoken and not any(ph.digits in recorded for _, ph in spoken):
        problems.append("联系电话与通话不一致")
        evs += [
            evidence(
                ctx.turns,
                i,
                ctx.folded[i],
                ph.start,
                ph.end,
                note=f"通话中为{ph.digits}，工单为{'、'.join(recorded)}",
            )
            for i, ph in spoken[:1]
        ]
    appeal = str(ticket.get("appeal_type") or "")
    has_address = any(
        str(ticket.get(k) or "").strip() for k in ("address", "address_detail", "village", "township")
    )
    if appeal in p["address_for"] and not has_address:
        problems.append("地址")
        place = next((i for i in caller if _PLACE.search(ctx.turns[i].text)), caller[0] if caller else None)
        if place is not None:
            evs.append(evidence(ctx.turns, place, note="需要承办的诉求，工单缺少地址"))
    details = {"problems": problems}
    if problems:
        return Finding(
            True, 0.85, "工单要素不全或有误：" + "、".join(problems), evs, details, occurrences=len(problems)
        )
    return Finding(False, 0.9, "工单要素完整", details=details)
