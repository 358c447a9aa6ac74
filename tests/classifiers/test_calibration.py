"""Calibrated linear SVM: class offsets tuned for macro-F1 on held-out scores, temperature on top."""

from __future__ import annotations

import numpy as np

from classifiers.calibration import SoftmaxCalibratedSVC, _macro_f1, fit_class_offsets


def test_offsets_move_a_boundary_that_favours_a_large_class():
    rng = np.random.default_rng(0)
    y = np.array([0] * 80 + [1] * 20)
    scores = rng.normal(0, 0.05, (100, 2))
    scores[:80, 0] += 0.3  # class 0 rows score high on class 0
    scores[80:, 1] += 0.3
    scores[:, 0] += 0.35  # ...but every row leans to the large class 0
    before = _macro_f1(y, scores.argmax(axis=1), 2)
    offsets = fit_class_offsets(scores, y)
    after = _macro_f1(y, (scores + offsets).argmax(axis=1), 2)
    assert after > before and after > 0.95


def test_no_offsets_where_the_scores_are_already_right():
    y = np.array([0, 1, 2, 0, 1, 2])
    scores = np.eye(3)[y]
    assert np.allclose(fit_class_offsets(scores, y), 0.0)


def test_svc_with_offsets_keeps_probabilities_consistent_with_predictions():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(c, 1.0, (30 + 20 * c, 4)) for c in range(3)])
    y = np.repeat(["a", "b", "c"], [30, 50, 70])
    model = SoftmaxCalibratedSVC(C=1.0, tune_offsets=True).fit(X, y)
    assert model.offsets_.shape == (3,) and model.temperature_ > 0
    proba = model.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(model.predict(X)) == list(model.classes_[proba.argmax(axis=1)])
    plain = SoftmaxCalibratedSVC(C=1.0).fit(X, y)
    assert np.allclose(plain.offsets_, 0.0)
