"""服务规范: opening and closing phrases, forbidden phrases, interrupting, silences, speaking rate."""

from __future__ import annotations

from dataclasses import replace

from classifiers.qa.context import CallContext, Finding, not_applicable
from classifiers.qa.exemplar import model_sentence
from classifiers.qa.learned import learned_finding
from classifiers.qa.rubric import RubricItem
from classifiers.qa.text import Folded, any_hit, clause_bounds, content_chars, evidence, find_all


def check_opening(ctx: CallContext, item: RubricItem) -> Finding:
    agent = ctx.of("agent")
    if not agent:
        return Finding(True, 0.9, "坐席全程没有发言，无开场白")
    t0 = ctx.turns[agent[0]].start
    window = [i for i in agent if ctx.turns[i].start <= t0 + item.params["window_s"]]
    greet = next((i for i in window if any_hit(ctx.lex["opening_greeting"], ctx.folded[i])), None)
    service = next((i for i in window if any_hit(ctx.lex["opening_service"], ctx.folded[i])), None)
    if greet is not None and service is not None:
        return Finding(False, 0.95, "开场白规范", details={"turn": agent[0]})
    missing = "问候语" if greet is None else "热线/服务用语"
    partial = greet is not None or service is not None
    return Finding(
        True,
        0.8 if partial else 0.95,
        f"开场白缺少{missing}",
        [evidence(ctx.turns, agent[0], note=f"开场白缺少{missing}")],
    )


def check_closing(ctx: CallContext, item: RubricItem) -> Finding:
    agent = ctx.of("agent")
    if not agent:
        return Finding(True, 0.9, "坐席全程没有发言，无结束语")
    last_end = ctx.turns[agent[-1]].end
    window = [i for i in agent if ctx.turns[i].end >= last_end - item.params["window_s"]]
    window = sorted(set(window) | set(agent[-int(item.params["last_turns"]) :]), key=ctx.order.index)
    if any(any_hit(ctx.lex["closing"], ctx.folded[i]) for i in window):
        return Finding(False, 0.95, "结束语规范")
    caller = ctx.of("caller")
    last_caller_start = ctx.turns[caller[-1]].start if caller else -1.0
    tail = [i for i in agent if ctx.turns[i].start > last_caller_start]
    if tail and any(any_hit(ctx.lex["caller_dropped"], ctx.folded[i]) for i in tail):
        return Finding(
            False, 0.8, "来电人中途挂断，坐席呼叫无应答，不计结束语", details={"caller_dropped": True}
        )
    if caller and not tail and any_hit(ctx.lex["caller_hangup"], ctx.folded[caller[-1]]):
        return Finding(False, 0.75, "来电人主动结束通话，不计结束语", details={"caller_hung_up": True})
    last = ctx.folded[caller[-1]].s.rstrip("。.!！…") if caller else ""
    if caller and not tail and not last.endswith(("?", "？", "吗", "呢", "嘛")):
        # the recording ends on the caller's own last words (not a question left hanging): they hung up
        return Finding(
            False,
            0.65,
            "通话以来电人的话结束，坐席来不及说结束语，不扣分（抽检确认）",
            details={"caller_hung_up": True},
        )
    return Finding(
        True, 0.9, "结束时没有规范结束语", [evidence(ctx.turns, agent[-1], note="结束时没有规范结束语")]
    )


def quoted(ctx: CallContext, folded: Folded, start: int) -> bool:
    """The phrase at ``start`` is reported speech or explicitly negated (我不会说“…”)."""
    if start > 0 and folded.s[start - 1] in ctx.lex.quote_marks:
        return True
    before_all = folded.s[:start]
    if before_all.count("“") > before_all.count("”") or before_all.count('"') % 2:
        return True  # inside a quotation that a comma runs through (医生讲“不知道，你去问别人”)
    left, _ = clause_bounds(folded.s, start, start)
    before = folded.s[left:start]
    return any(p.pattern.search(before) for p in ctx.lex["quote_frames"])


def check_forbidden_phrase(ctx: CallContext, item: RubricItem) -> Finding:
    hits, excused = [], []
    for i in ctx.of("agent"):
        f = ctx.folded[i]
        found = [(s, e, label, False) for s, e, label in find_all(ctx.lex["forbidden"], f)]
        # 推诿 (not ours / I don't know) is a 禁用语 unless the agent goes on to help (我帮您转…, 电话是…)
        helped = bool(find_all(ctx.lex["help_offer"], f))
        found += [
            (s, e, label, helped)
            for s, e, label in find_all(ctx.lex["deflection"], f)
            if not any(a < e and s < b for a, b, _, _ in found)
        ]
        for s, e, label, excuse in found:
            target = excused if excuse or quoted(ctx, f, s) else hits
            target.append(evidence(ctx.turns, i, f, s, e, note=f"禁用语“{label.removeprefix('re:')}”"))
    details = {"excused": [ev.text for ev in excused]}
    if hits:
        return Finding(True, 0.9, f"使用禁用语{len(hits)}次", hits, details, occurrences=len(hits))
    if excused:
        return Finding(False, 0.75, "禁用语出现在复述或否定中，不扣分", excused, details)
    learned = learned_finding(ctx, item)  # the learned brush-off family: sampled by default
    if learned is not None:
        return learned
    hit = model_sentence(ctx, "forbidden_phrase")  # wording beyond the lists: sampled, never deducted
    if hit is not None and hit.prob >= item.params["suspect_threshold"]:
        note = f"样例模型判为疑似禁用语（{hit.prob:.2f}）"
        ev = [evidence(ctx.turns, hit.turn, ctx.folded[hit.turn], hit.start, hit.end, note=note)]
        details["model"] = round(hit.prob, 3)
        return Finding(False, 0.7, "疑似禁用语，词表未能确认，抽检", ev, details)
    return Finding(False, 0.95, "未使用禁用语")


def check_interrupt(ctx: CallContext, item: RubricItem) -> Finding:
    min_overlap = item.params["min_overlap_s"]
    events, near = [], 0
    callers = ctx.of("caller")
    for i in ctx.of("agent"):
        a = ctx.turns[i]
        if ctx.lex.backchannel.match(ctx.folded[i].s):
            continue
        for j in callers:
            c = ctx.turns[j]
            if not (c.start < a.start < c.end):
                continue
            overlap = min(a.end, c.end) - a.start
            if overlap >= min_overlap:
                ev = evidence(ctx.turns, i, note=f"来电人第{j + 1}句尚未说完，坐席开口，重叠{overlap:.1f}秒")
                events.append(replace(ev, end=round(min(a.end, c.end), 2)))
                near += overlap < min_overlap + 0.5
            elif overlap >= min_overlap - 0.4:
                near += 1
            break
    violated = len(events) > item.params["max_count"]
    conf = 0.75 if near else 0.95
    msg = f"抢话打断来电人{len(events)}次" if violated else "未抢话"
    return Finding(violated, conf, msg, events, {"count": len(events)}, occurrences=max(len(events), 1))


def check_silence(ctx: CallContext, item: RubricItem) -> Finding:
    order = ctx.order
    if len(order) < 2:
        return not_applicable("通话过短，不检查静默")
    max_gap, max_hold = item.params["max_gap_s"], item.params["max_notified_gap_s"]
    found, near, notified_gaps = [], 0, []
    cur_end, before = ctx.turns[order[0]].end, [order[0]]
    for k in order[1:]:
        t = ctx.turns[k]
        gap = t.start - cur_end
        if gap > max_gap - 2:
            near += abs(gap - max_gap) < 2
        if gap > max_gap:
            recent = before[-2:]
            notified = any(
                ctx.turns[i].speaker == "agent" and any_hit(ctx.lex["hold_notice"], ctx.folded[i])
                for i in recent
            )
            caller_asked = any(
                ctx.turns[i].speaker == "caller" and any_hit(ctx.lex["caller_hold"], ctx.folded[i])
                for i in recent
            )
            last = before[-1]
            if caller_asked:
                pass
            elif not notified or gap > max_hold:
                why = "未告知来电人等待" if not notified else f"等待超过{max_hold:.0f}秒"
                ev = evidence(
                    ctx.turns, last, note=f"静默{gap:.1f}秒（{cur_end:.1f}–{t.start:.1f}秒），{why}"
                )
                found.append(replace(ev, start=round(cur_end, 2), end=round(t.start, 2)))
            else:
                notified_gaps.append(round(gap, 1))
        cur_end = max(cur_end, t.end)
        before.append(k)
    details = {"notified_gaps_s": notified_gaps}
    if found:
        return Finding(
            True,
            0.75 if near else 0.9,
            f"长时间静默未告知{len(found)}次",
            found,
            details,
            occurrences=len(found),
        )
    return Finding(False, 0.8 if near else 0.95, "无未告知的长时间静默", details=details)


def check_speech_rate(ctx: CallContext, item: RubricItem) -> Finding:
    p = item.params
    rated = []
    for i in ctx.of("agent"):
        t = ctx.turns[i]
        n = content_chars(t.text)
        if n >= p["min_chars"] and t.end > t.start:
            rated.append((i, n, t.end - t.start))
    seconds = sum(d for _, _, d in rated)
    if seconds < p["min_speech_s"]:
        return not_applicable("坐席成句发言过少，不评语速")
    rate = sum(n for _, n, _ in rated) / seconds
    lo, hi = p["min_rate"], p["max_rate"]
    margin = min(abs(rate - lo) / lo, abs(rate - hi) / hi)
    conf = 0.95 if margin > 0.12 else 0.65
    details = {"chars_per_s": round(rate, 2), "range": [lo, hi]}
    if lo <= rate <= hi:
        return Finding(False, conf, f"语速适中（每秒{rate:.1f}字）", details=details)
    fast = rate > hi
    worst = sorted(rated, key=lambda x: x[1] / x[2], reverse=fast)[:2]
    word = "过快" if fast else "过慢"
    evs = [evidence(ctx.turns, i, note=f"语速{word}：每秒{n / d:.1f}字") for i, n, d in worst]
    return Finding(True, conf, f"语速{word}（每秒{rate:.1f}字，合理范围{lo:g}–{hi:g}）", evs, details)
