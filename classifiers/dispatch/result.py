"""Typed results of the dispatch router."""

from __future__ import annotations

from dataclasses import dataclass, field

from classifiers.dispatch.gazetteer import Place

ESCALATION_TEXT = "提交县人民政府（县政府办）协调"


@dataclass(frozen=True)
class Candidate:
    """One unit the appeal could go to, with the catalogue line that brought it and its scores."""

    unit_code: str
    unit_name: str
    matter: str
    probability: float
    score: float
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoUnit:
    code: str
    name: str
    source: str  # "目录" (the catalogue line's co-handlers) or "相近" (a close runner-up)


@dataclass(frozen=True)
class DispatchSuggestion:
    """Where an appeal should go and why. ``escalate`` marks the distinct outcome "no lead can be
    determined": the unit is then the county government office and ``reason`` says why."""

    unit_code: str
    unit_name: str
    level: str
    escalate: bool
    confidence: float
    reason: str
    matter: str | None = None
    basis: str | None = None
    catalogue_row: int | None = None
    co_units: tuple[CoUnit, ...] = ()
    transfer_to: str | None = None
    place: Place = field(default_factory=Place)
    place_source: str | None = None
    alternatives: tuple[Candidate, ...] = ()
    keywords: tuple[str, ...] = ()
    similar_returns: tuple[str, ...] = ()
    elapsed_ms: float = 0.0

    def explain(self) -> list[str]:
        """The suggestion in a few Chinese sentences for the agent's screen."""
        lines = []
        if self.escalate:
            lines.append(self.reason if ESCALATION_TEXT in self.reason else f"建议{ESCALATION_TEXT}：{self.reason}")
        else:
            lines.append(f"建议派给：{self.unit_name}（{self.level}），置信度 {self.confidence:.0%}")
        if self.matter:
            lines.append(f"派单目录：{self.matter}；依据：{self.basis}")
        if self.keywords:
            lines.append(f"命中关键词：{'、'.join(self.keywords)}")
        lines.append(f"事发地：{self.place.describe()}" + (f"（据{self.place_source}中的“{self.place.matched}”）"
                                                          if self.place.matched else ""))
        if self.transfer_to:
            lines.append(f"建议转{self.transfer_to}处置")
        if self.co_units:
            lines.append("协办：" + "、".join(f"{c.name}（{c.source}）" for c in self.co_units))
        if self.alternatives:
            lines.append("其他候选：" + "；".join(f"{c.unit_name}·{c.matter} {c.probability:.0%}"
                                                for c in self.alternatives))
        if self.similar_returns:
            lines.append("相似退单：" + "；".join(self.similar_returns))
        if not self.escalate and self.reason:
            lines.append(self.reason)
        return lines
