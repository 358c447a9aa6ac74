"""Typed results returned by the classifiers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class Alternative:
    """A candidate label with its calibrated probability."""

    label: str
    confidence: float


@dataclass(frozen=True)
class Prediction:
    """The chosen label, its calibrated confidence, and the next-best candidates (best first)."""

    label: str
    confidence: float
    alternatives: list[Alternative] = field(default_factory=list)
    path: tuple[str, ...] = ()
    source: str = "model"
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def rank(proba_row: np.ndarray, classes: list[str], top_k: int) -> tuple[list[Alternative], int]:
    """The ``top_k`` labels of one probability row (best first) and the index of the best."""
    order = np.argsort(-proba_row, kind="stable")
    best = int(order[0])
    top = [Alternative(str(classes[i]), round(float(proba_row[i]), 4)) for i in order[: max(1, top_k)]]
    return top, best


def to_predictions(
    proba: np.ndarray, classes: list[str], top_k: int = 3, source: str = "model"
) -> list[Prediction]:
    """One ``Prediction`` per row of ``proba``: the best label plus ``top_k - 1`` alternatives."""
    out = []
    for row in np.asarray(proba, dtype=float):
        top, _ = rank(row, classes, top_k)
        out.append(Prediction(label=top[0].label, confidence=top[0].confidence, alternatives=top[1:], source=source))
    return out
