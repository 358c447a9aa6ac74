"""Linear SVM with probabilities: temperature scaling fitted on out-of-fold SVM scores.

``CalibratedClassifierCV`` keeps k SVMs and one sigmoid per class and fold, which is slow to run
per message. Here the SVM is trained once on everything, its decision scores for every training
row are obtained out-of-fold (k-fold), and one temperature ``t`` is fitted so that
``softmax(scores / t)`` minimises the log-loss of those held-out scores (Guo et al. 2017).
A single temperature keeps the SVM's ranking (so the best label never changes, and rare classes
are not pushed aside as a per-class calibrator fitted on imbalanced data would do), and costs one
matrix product per message.

With ``tune_offsets``, one additive offset per class is first fitted to the same out-of-fold scores
by coordinate ascent on macro-F1 (a small grid, a few rounds): the balanced SVM still leans towards
the large, broad classes (城乡建设 takes many 商贸旅游 appeals). On real appeals it gained .005
macro-F1 on each of five split seeds at a fixed ``C``, but only .002 on average with ``C`` chosen by
CV and lost .012 on a sixth seed: off by default in the category model.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by bin size (ECE)."""
    confidence, correct = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            total += mask.sum() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total / max(1, len(confidence)))


def _scores(svm: LinearSVC, X) -> np.ndarray:
    s = svm.decision_function(X)
    return np.column_stack([-s, s]) if s.ndim == 1 else s


def oof_scores(X, y, C: float, class_weight, cv: int, random_state: int) -> np.ndarray:
    """Out-of-fold decision scores of ``LinearSVC(C)`` for every row of ``X``."""
    folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    s = cross_val_predict(LinearSVC(C=C, class_weight=class_weight), X, y, cv=folds, method="decision_function")
    return np.column_stack([-s, s]) if s.ndim == 1 else s


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


OFFSET_GRID = tuple(np.round(np.linspace(-0.3, 0.3, 25), 3))


def _macro_f1(y_index: np.ndarray, pred: np.ndarray, n: int) -> float:
    tp = np.bincount(y_index[pred == y_index], minlength=n)
    support, predicted = np.bincount(y_index, minlength=n), np.bincount(pred, minlength=n)
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros(n), where=denom > 0)
    return float(f1[support > 0].mean())


def fit_class_offsets(scores: np.ndarray, y_index: np.ndarray, grid=OFFSET_GRID, rounds: int = 3) -> np.ndarray:
    """Per-class offsets added to ``scores`` that maximise macro-F1 of their argmax (coordinate ascent)."""
    n = scores.shape[1]
    offsets = np.zeros(n)
    best = _macro_f1(y_index, scores.argmax(axis=1), n)
    for _ in range(rounds):
        improved = False
        for j in range(n):
            for d in grid:
                trial = offsets.copy()
                trial[j] = d
                f = _macro_f1(y_index, (scores + trial).argmax(axis=1), n)
                if f > best + 1e-9:
                    best, offsets, improved = f, trial, True
        if not improved:
            break
    return offsets


def fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """The temperature minimising the mean negative log-likelihood of ``softmax(scores / t)``."""

    def nll(log_t: float) -> float:
        z = scores / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y_index)), y_index].mean())

    res = minimize_scalar(nll, bounds=(np.log(1e-3), np.log(1e2)), method="bounded")
    return float(np.exp(res.x))


class SoftmaxCalibratedSVC(ClassifierMixin, BaseEstimator):
    """``LinearSVC`` whose ``predict_proba`` is ``softmax(decision_function / temperature_)``."""

    def __init__(self, C: float = 1.0, class_weight: str | None = "balanced", cv: int = 5, random_state: int = 0,
                 tune_offsets: bool = False):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.random_state = random_state
        self.tune_offsets = tune_offsets

    def fit(self, X, y, scores: np.ndarray | None = None) -> SoftmaxCalibratedSVC:
        """``scores``: out-of-fold scores already computed for ``(X, y)`` with the same ``C``."""
        y = np.asarray(y)
        self.svm_ = LinearSVC(C=self.C, class_weight=self.class_weight).fit(X, y)
        self.classes_ = self.svm_.classes_
        _, counts = np.unique(y, return_counts=True)
        k = int(min(self.cv, counts.min()))
        if scores is None and k >= 2:
            scores = oof_scores(X, y, self.C, self.class_weight, k, self.random_state)
        held_out = scores is not None
        if not held_out:  # too few rows per class for k-fold: calibrate on the training scores
            scores = _scores(self.svm_, X)
        y_index = np.searchsorted(self.classes_, y)
        scores = np.asarray(scores, dtype=np.float64)
        n = len(self.classes_)
        self.offsets_ = fit_class_offsets(scores, y_index) if self.tune_offsets and held_out else np.zeros(n)
        self.temperature_ = fit_temperature(scores + self.offsets_, y_index)
        return self

    def __setstate__(self, state: dict) -> None:
        state.setdefault("tune_offsets", False)  # saved before class offsets existed
        super().__setstate__(state)

    def _shifted(self, X) -> np.ndarray:
        return _scores(self.svm_, X) + getattr(self, "offsets_", 0.0)

    def decision_function(self, X) -> np.ndarray:
        return self.svm_.decision_function(X)

    def predict_proba(self, X) -> np.ndarray:
        return _softmax(self._shifted(X) / self.temperature_)

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
