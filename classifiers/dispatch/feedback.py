"""Learning from returned tickets (退单): each record says an appeal went to ``wrong_unit`` and
belonged to ``right_unit``. Two simple, inspectable parts:

- per-unit term weights, trained perceptron-style: while the router still picks a wrong unit for a
  returned appeal, the appeal's words gain weight for the right unit and lose it for the one picked;
- a memory of returned appeals: a new appeal very close (embedding cosine) to a returned one leans
  towards that return's right unit, and the agent sees the similar return.

Units are keyed by catalogue family (every township government counts as ``township``), so a return
learned in one township helps all of them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FeedbackRecord:
    text: str
    wrong_unit: str
    right_unit: str
    address: str = ""


class FeedbackModel:
    def __init__(self, learning_rate: float = 0.2, max_weight: float = 1.5, memory_threshold: float = 0.9,
                 memory_weight: float = 1.5) -> None:
        self.learning_rate = learning_rate
        self.max_weight = max_weight
        self.memory_threshold = memory_threshold
        self.memory_weight = memory_weight
        self.weights_: dict[str, dict[str, float]] = {}
        self.memory_: list[tuple[np.ndarray | None, str, str, str]] = []  # vector, text, right, wrong

    def __len__(self) -> int:
        return len(self.memory_)

    def bonus(self, terms: list[str]) -> dict[str, float]:
        if not self.weights_ or not terms:
            return {}
        norm = 1.0 / math.sqrt(len(terms))
        out = {}
        for family, weights in self.weights_.items():
            s = sum(weights.get(t, 0.0) for t in terms)
            if s:
                out[family] = s * norm
        return out

    def update(self, terms: Iterable[str], right: str, wrong: str) -> None:
        for t in set(terms):
            for family, sign in ((right, 1.0), (wrong, -1.0)):
                w = self.weights_.setdefault(family, {})
                w[t] = max(-self.max_weight, min(self.max_weight, w.get(t, 0.0) + sign * self.learning_rate))

    def remember(self, vector: np.ndarray | None, text: str, right: str, wrong: str) -> None:
        self.memory_.append((vector, text, right, wrong))

    def to_dict(self) -> dict:
        """Plain data to store (vectors are recomputed on load)."""
        return {"weights": {f: dict(w) for f, w in self.weights_.items()},
                "memory": [[text, right, wrong] for _vec, text, right, wrong in self.memory_]}

    def recall(self, vector: np.ndarray | None) -> tuple[dict[str, float], list[str]]:
        """Bonus per family from returned appeals close to ``vector``, and those appeals' texts."""
        if vector is None or not self.memory_:
            return {}, []
        out: dict[str, float] = {}
        similar = []
        for vec, text, right, wrong in self.memory_:
            if vec is None:
                continue
            sim = float(vec @ vector)
            if sim >= self.memory_threshold:
                strength = self.memory_weight * (sim - self.memory_threshold) / (1 - self.memory_threshold + 1e-9)
                out[right] = out.get(right, 0.0) + strength
                out[wrong] = out.get(wrong, 0.0) - strength / 2
                similar.append(text)
        return out, similar
