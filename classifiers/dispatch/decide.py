"""From fused line scores to a decision: probabilities per unit (属地 resolved), the lead, its
co-handlers, a transfer proposal, or escalation to the county government when no lead can be
determined (duties unclear, local matter without a known township or spanning townships, low
confidence, or close candidates from units the catalogue does not pair)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from classifiers.dispatch.catalogue import TOWNSHIP, VILLAGE
from classifiers.dispatch.gazetteer import Place
from classifiers.dispatch.result import ESCALATION_TEXT, Candidate, CoUnit, DispatchSuggestion
from classifiers.dispatch.scoring import Evidence

if TYPE_CHECKING:
    from classifiers.dispatch.router import DispatchRouter

_UNKNOWN = "?"


def _softmax(x: np.ndarray, t: float) -> np.ndarray:
    e = np.exp((x - x.max()) / t)
    return e / e.sum()


def _co_codes(router: DispatchRouter, line, place: Place) -> list[str]:
    out = []
    for co in line.co_units:
        if co in (TOWNSHIP, VILLAGE):
            code, _ = router.directory.resolve(co, place.township, place.village)
            out.append(code or co)
        else:
            out.append(co)
    return out


def decide(router: DispatchRouter, fused: np.ndarray, ev: Evidence, place: Place, source: str | None,
           similar: list[str], emergency: bool = False) -> DispatchSuggestion:
    lines, directory = router.lines, router.directory
    best: dict[str, int] = {}  # unit → its best line (units are scored by their best line)
    levels: dict[str, str] = {}
    for i in np.argsort(-fused):
        code, level = directory.resolve(lines[i].unit_code, place.township, place.village)
        key = code or _UNKNOWN + lines[i].unit_code
        if key not in best:
            best[key] = int(i)
            levels[key] = level
    keys = list(best)
    t = router.weights["temperature" if ev.vector is not None else "lexical_temperature"]
    probs = _softmax(np.array([fused[best[k]] for k in keys]), t)
    mass = {k: float(v) for k, v in zip(keys, probs, strict=True)}
    ranked = keys
    top, p1 = ranked[0], mass[ranked[0]]
    line = lines[best[top]]
    alternatives = tuple(
        Candidate(k, directory.name(k.lstrip(_UNKNOWN)), lines[best[k]].matter, round(mass[k], 4),
                  round(float(fused[best[k]]), 4), tuple(ev.found[best[k]]))
        for k in ranked[: router.n_alternatives + 1])
    keywords = tuple(ev.found[best[top]])
    emergency = emergency and router.transfer_of.get(line.matter) == "110"  # never hold up a police matter
    reason = None
    if line.matter in router.dispute_matters:
        reason = f"诉求反映职责不清或部门推诿（派单目录“{line.matter}”）"
    elif p1 < router.min_confidence and not emergency:
        reason = f"匹配置信度低（{p1:.0%}），无法确定牵头单位"
    elif top.startswith(_UNKNOWN):
        reason = f"属地事项“{line.matter}”须由事发地乡镇办理，但未能识别事发乡镇（村）"
    elif line.is_local and place.others:
        reason = f"属地事项“{line.matter}”涉及多个乡镇（{place.township}、{'、'.join(place.others)}），无法确定属地"
    elif len(ranked) > 1 and not emergency:
        second = ranked[1]
        p2 = mass[second]
        paired = second in _co_codes(router, line, place) or top in _co_codes(router, lines[best[second]], place)
        if p2 >= router.conflict_ratio * p1 and not paired and not second.startswith(_UNKNOWN):
            reason = (f"候选单位{directory.name(top)}（{line.matter}）与{directory.name(second)}"
                      f"（{lines[best[second]].matter}）得分接近且职责不同，无法确定牵头单位")
    if reason is not None:
        esc = router.escalation_unit
        is_dispute = line.matter in router.dispute_matters
        return DispatchSuggestion(
            unit_code=esc, unit_name=directory.name(esc), level=directory.units[esc].level, escalate=True,
            confidence=round(p1, 4), reason=f"{reason}，建议{ESCALATION_TEXT}",
            matter=line.matter if is_dispute else None, basis=line.basis if is_dispute else None,
            catalogue_row=line.row if is_dispute else None, place=place, place_source=source,
            alternatives=alternatives, keywords=keywords, similar_returns=tuple(similar[:3]))
    co_units = [CoUnit(c, directory.name(c), "目录") for c in _co_codes(router, line, place) if c != top]
    for k in ranked[1:]:
        if len(co_units) >= len(line.co_units) + 2 or mass[k] < 0.5 * p1:
            break
        if k.startswith(_UNKNOWN) or k in (top, router.escalation_unit) or any(c.code == k for c in co_units):
            continue
        co_units.append(CoUnit(k, directory.name(k), "相近"))
    note = ""
    if line.is_local:
        note = f"属地管理：按事发地{place.describe()}交{directory.name(top)}办理"
    return DispatchSuggestion(
        unit_code=top, unit_name=directory.name(top), level=levels[top], escalate=False, confidence=round(p1, 4),
        reason=note, matter=line.matter, basis=line.basis, catalogue_row=line.row, co_units=tuple(co_units),
        transfer_to=router.transfer_of.get(line.matter), place=place, place_source=source,
        alternatives=alternatives[1:], keywords=keywords, similar_returns=tuple(similar[:3]))
