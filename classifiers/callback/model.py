"""``CallbackOutcomeClassifier``: resolution, satisfaction and reason side of callback replies.

scikit-learn style: ``fit`` returns ``self``, learned attributes end in ``_``. One shared feature
union (character n-gram TF-IDF and/or e5-small embeddings, plus the negation-aware rule cues of
:mod:`classifiers.callback.cues` and :mod:`classifiers.callback.reasons`) feeds three logistic
regressions whose probabilities are read as confidences (``calibration="none"``: plain logistic
regression was the better calibrated on cross-validation of the training replies; sigmoid and
isotonic scaling remain options). BLAS runs on one thread: the service shares two cores."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from classifiers.callback.errors import (
    InvalidSettingError,
    ModelUnavailableError,
    ModelVersionError,
    NotFittedError,
    TrainingDataError,
)
from classifiers.callback.features import FEATURE_SETS, make_features
from classifiers.callback.labels import REASON_SIDES, RESOLUTIONS, SATISFACTIONS

CALIBRATIONS = ("none", "sigmoid", "isotonic")
FORMAT_VERSION = 1


class CallbackOutcomeClassifier(ClassifierMixin, BaseEstimator):
    """Reads a callback reply (caller's words or agent's notes) into resolution and satisfaction.

    ``fit(X, y, reason_side=None)``: ``X`` texts, ``y`` pairs ``(resolution, satisfaction)``,
    ``reason_side`` (optional) ``"unit" | "external" | "unknown"`` for unsatisfied rows, ``None``
    elsewhere. ``predict`` gives an ``(n, 2)`` array of labels; ``predict_proba`` a list of two
    ``(n, 3)`` arrays in the order of ``classes_``."""

    def __init__(self, features: str = "tfidf+cues", C: float = 4.0, calibration: str = "none",
                 ngram_max: int = 3, cue_weight: float = 1.0, cv: int = 5, random_state: int = 0) -> None:
        self.features = features
        self.C = C
        self.calibration = calibration
        self.ngram_max = ngram_max
        self.cue_weight = cue_weight
        self.cv = cv
        self.random_state = random_state

    # ---------------------------------------------------------------- training
    def _check(self) -> None:
        if self.features not in FEATURE_SETS:
            raise InvalidSettingError(f"未知的特征组合：{self.features}")
        if self.calibration not in CALIBRATIONS:
            raise InvalidSettingError(f"未知的校准方式：{self.calibration}")
        if not self.C > 0:
            raise InvalidSettingError("正则化参数 C 必须大于 0")

    def _head(self, X, y, classes: Sequence[str]):
        labels = np.asarray(y, dtype=object)
        counts = {c: int((labels == c).sum()) for c in classes}
        missing = [c for c, n in counts.items() if n == 0]
        if missing:
            raise TrainingDataError(f"训练数据缺少类别：{'、'.join(missing)}")
        lr = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        folds = min(self.cv, min(counts.values()))
        if self.calibration == "none" or folds < 2:
            return lr.fit(X, labels)
        model = CalibratedClassifierCV(lr, method=self.calibration, cv=folds)
        return model.fit(X, labels)

    def fit(self, X, y, reason_side: Sequence[str | None] | None = None) -> CallbackOutcomeClassifier:
        self._check()
        texts = [str(t) for t in X]
        pairs = [tuple(p) for p in y]
        if not texts or len(texts) != len(pairs) or any(len(p) != 2 for p in pairs):
            raise TrainingDataError("训练文本与标签数量不一致，或标签不是（解决情况，满意度）二元组")
        res = [p[0] for p in pairs]
        sat = [p[1] for p in pairs]
        bad = {r for r in res if r not in RESOLUTIONS} | {s for s in sat if s not in SATISFACTIONS}
        if bad:
            raise TrainingDataError(f"未知的标签：{'、'.join(sorted(map(str, bad)))}")
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(texts, res, sat, reason_side)

    def _fit(self, texts, res, sat, reason_side) -> CallbackOutcomeClassifier:
        self.vectorizer_ = make_features(self.features, self.ngram_max, self.cue_weight)
        matrix = self.vectorizer_.fit_transform(texts)
        self.resolution_model_ = self._head(matrix, res, RESOLUTIONS)
        self.satisfaction_model_ = self._head(matrix, sat, SATISFACTIONS)
        self.reason_model_ = None
        if reason_side is not None:
            sides = list(reason_side)
            if len(sides) != len(texts):
                raise TrainingDataError("原因归属标签数量与训练文本不一致")
            rows = [i for i, s in enumerate(sides) if s is not None]
            present = {sides[i] for i in rows}
            if present - set(REASON_SIDES):
                raise TrainingDataError(f"未知的原因归属：{'、'.join(sorted(present - set(REASON_SIDES)))}")
            if len(present) == len(REASON_SIDES):
                self.reason_model_ = self._head(matrix[rows], [sides[i] for i in rows], REASON_SIDES)
        self.classes_ = [np.array(RESOLUTIONS, dtype=object), np.array(SATISFACTIONS, dtype=object)]
        self.n_train_ = len(texts)
        return self

    # ---------------------------------------------------------------- prediction
    def _fitted(self) -> None:
        if not hasattr(self, "vectorizer_"):
            raise NotFittedError()

    @staticmethod
    def _ordered(model, proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
        order = [list(model.classes_).index(c) for c in classes]
        return proba[:, order]

    def transform(self, X):
        """The feature matrix of ``X`` (shared by the three heads; parts stacked without joblib)."""
        self._fitted()
        texts = [str(t) for t in X]
        blocks = [part.transform(texts) for _, part in self.vectorizer_.transformer_list]
        return sparse.hstack([sparse.csr_matrix(b) for b in blocks], format="csr")

    def predict_all(self, X) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Resolution, satisfaction and reason-side probabilities from one feature pass."""
        m = self.transform(X)
        res = self._ordered(self.resolution_model_, self.resolution_model_.predict_proba(m), RESOLUTIONS)
        sat = self._ordered(self.satisfaction_model_, self.satisfaction_model_.predict_proba(m), SATISFACTIONS)
        side = None
        if self.reason_model_ is not None:
            side = self._ordered(self.reason_model_, self.reason_model_.predict_proba(m), REASON_SIDES)
        return res, sat, side

    def predict_proba(self, X) -> list[np.ndarray]:
        res, sat, _ = self.predict_all(X)
        return [res, sat]

    def predict(self, X) -> np.ndarray:
        res, sat = self.predict_proba(X)
        out = np.empty((res.shape[0], 2), dtype=object)
        out[:, 0] = np.asarray(RESOLUTIONS, dtype=object)[res.argmax(axis=1)]
        out[:, 1] = np.asarray(SATISFACTIONS, dtype=object)[sat.argmax(axis=1)]
        return out

    def predict_reason_proba(self, X) -> np.ndarray | None:
        """``(n, 3)`` probabilities over ``REASON_SIDES``; ``None`` when trained without reasons."""
        self._fitted()
        return None if self.reason_model_ is None else self.predict_all(X)[2]

    def score(self, X, y, sample_weight=None) -> float:
        """Mean of the two accuracies."""
        pred = self.predict(X)
        truth = np.asarray([tuple(p) for p in y], dtype=object)
        return float((pred == truth).mean())

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> Path:
        """Pickle the fitted model to ``path``, behind a header naming the scikit-learn version."""
        self._fitted()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": FORMAT_VERSION, "sklearn": sklearn.__version__,
                   "model": pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)}
        with open(path, "wb") as f:
            pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    @classmethod
    def load(cls, path: str | Path) -> CallbackOutcomeClassifier:
        """Load a model written by :meth:`save` (only load files the project or county wrote).

        A model pickled by another scikit-learn version raises :class:`ModelVersionError` before
        it is unpickled: retrain it (``python -m classifiers.callback.train``)."""
        path = Path(path)
        try:
            with open(path, "rb") as f:
                payload = pickle.load(f)  # noqa: S301 - the project's own model file
        except FileNotFoundError as exc:
            raise ModelUnavailableError(f"回访识别模型文件不存在：{path}") from exc
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError) as exc:
            raise ModelUnavailableError(f"回访识别模型文件无法读取：{path}") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
            raise ModelUnavailableError(f"回访识别模型文件格式不符：{path}")
        if payload.get("sklearn") != sklearn.__version__:
            raise ModelVersionError(
                f"回访识别模型由 scikit-learn {payload.get('sklearn')} 训练，当前为 {sklearn.__version__}，请重新训练")
        try:
            model = pickle.loads(payload["model"])  # noqa: S301
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, KeyError) as exc:
            raise ModelUnavailableError(f"回访识别模型文件无法读取：{path}") from exc
        if not isinstance(model, cls):
            raise ModelUnavailableError(f"回访识别模型文件格式不符：{path}")
        return model
