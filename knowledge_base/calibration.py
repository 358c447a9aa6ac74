"""Confidence of the top answer in 0..1: a small logistic model over retrieval features, fitted
on the project's own dev questions (never on the shared evaluation data)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "calibration.json"
FEATURES = ("dense_top", "dense_margin", "bm25_share", "bm25_margin", "agree", "fused_margin")


class Calibrator:
    def __init__(self, coef: Sequence[float] | None = None, intercept: float = 0.0,
                 features: Sequence[str] = FEATURES, info: dict | None = None) -> None:
        self.features = tuple(features)
        # an unfitted calibrator trusts the dense cosine alone (e5 cosines sit in 0.75..0.95)
        self.coef = np.asarray(coef if coef is not None else [30.0, 0, 0, 0, 0, 0][: len(self.features)],
                               dtype=np.float64)
        self.intercept = float(intercept if coef is not None else -26.0)
        self.info = info or {}

    def vector(self, features: dict[str, float]) -> np.ndarray:
        return np.asarray([float(features.get(f, 0.0)) for f in self.features], dtype=np.float64)

    def predict(self, features: dict[str, float]) -> float:
        z = float(self.vector(features) @ self.coef + self.intercept)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def fit(self, rows: Sequence[dict[str, float]], labels: Sequence[int], c: float = 10.0) -> Calibrator:
        from sklearn.linear_model import LogisticRegression

        x = np.stack([self.vector(r) for r in rows])
        y = np.asarray(labels, dtype=int)
        model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
        self.coef = model.coef_[0].astype(np.float64)
        self.intercept = float(model.intercept_[0])
        self.info = {"rows": len(y), "positives": int(y.sum())}
        return self

    def to_dict(self) -> dict:
        return {"features": list(self.features), "coef": self.coef.tolist(), "intercept": self.intercept,
                "info": self.info}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH) -> Calibrator:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["coef"], d["intercept"], d["features"], d.get("info"))

    @classmethod
    def default(cls) -> Calibrator:
        return cls.load(DEFAULT_PATH) if DEFAULT_PATH.is_file() else cls()


def features_from(dense: list[tuple[str, float]], bm25: list[tuple[str, float]],
                  fused: list[tuple[str, float]], bm25_self: float) -> dict[str, float]:
    """Features of one query's candidate lists, each (doc, score) best first. ``bm25_self`` is
    the BM25 score the query would get against itself (its terms' idf mass), to make BM25 scores
    comparable across queries."""
    f = dict.fromkeys(FEATURES, 0.0)
    if dense:
        f["dense_top"] = dense[0][1]
        f["dense_margin"] = dense[0][1] - (dense[1][1] if len(dense) > 1 else dense[0][1] - 0.1)
    if bm25:
        denom = max(bm25_self, 1e-6)
        f["bm25_share"] = min(1.5, bm25[0][1] / denom)
        f["bm25_margin"] = min(1.5, (bm25[0][1] - (bm25[1][1] if len(bm25) > 1 else 0.0)) / denom)
    if dense and bm25:
        f["agree"] = 1.0 if dense[0][0] == bm25[0][0] else 0.0
    if fused:
        top = fused[0][1]
        f["fused_margin"] = (top - fused[1][1]) / top if len(fused) > 1 and top > 0 else 1.0
    return f
