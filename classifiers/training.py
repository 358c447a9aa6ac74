"""Train a county's category model on its own history, measure it, and save it with its figures.

>>> card = train_category_model(texts, labels, "/data/models/category-20240501.joblib")
>>> card.metrics["macro_f1"], card.metrics["holdout_rows"]

The figures come from a stratified holdout (``holdout_frac``, fixed ``seed``) scored before the
final model is refitted on all rows, so the saved card reports how the model does on tickets it
did not see. With too few rows per class for a holdout, the card says so instead of a score.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from classifiers.category import CategoryClassifier, check_training_data
from classifiers.model_io import ModelCard, save_model


def holdout_figures(
    texts: Sequence[str], labels: Sequence[str], method: str = "tfidf", holdout_frac: float = 0.2, seed: int = 13,
    **params,
) -> dict:
    """Accuracy, macro-F1 and top-3 accuracy of ``method`` on a stratified holdout of the data."""
    counts = Counter(labels)
    n_test = int(round(holdout_frac * len(labels)))
    if min(counts.values()) < 3 or n_test < len(counts):
        return {"holdout_rows": 0, "note": "每类样本太少，未做留出评估"}
    xtr, xte, ytr, yte = train_test_split(
        list(texts), list(labels), test_size=holdout_frac, random_state=seed, stratify=list(labels)
    )
    model = CategoryClassifier(method=method, **params).fit(xtr, ytr)
    proba = model.predict_proba(xte)
    order = np.argsort(-proba, axis=1)
    pred = model.classes_[order[:, 0]]
    top3 = model.classes_[order[:, :3]]
    return {
        "accuracy": round(float(accuracy_score(yte, pred)), 4),
        "macro_f1": round(float(f1_score(yte, pred, average="macro")), 4),
        "top3_accuracy": round(float(np.mean([y in row for y, row in zip(yte, top3, strict=True)])), 4),
        "holdout_rows": len(yte),
        "holdout": f"stratified {holdout_frac:.0%} seed={seed}",
    }


def train_category_model(
    texts: Sequence[str],
    labels: Sequence[str],
    path: str | Path,
    method: str = "tfidf",
    version: str | None = None,
    holdout_frac: float = 0.2,
    seed: int = 13,
    extra: dict | None = None,
    **params,
) -> ModelCard:
    """Measure on a holdout, refit on everything, save to ``path``; return the saved card."""
    texts, labels = [str(t) for t in texts], [str(y).strip() for y in labels]
    check_training_data(texts, labels)
    metrics = holdout_figures(texts, labels, method, holdout_frac, seed, **params)
    start = time.perf_counter()
    model = CategoryClassifier(method=method, **params).fit(texts, labels)
    metrics["train_s"] = round(time.perf_counter() - start, 2)
    metrics["train_rows"] = len(texts)
    return save_model(model, path, version=version, metrics=metrics, extra=extra)
