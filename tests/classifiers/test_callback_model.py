"""CallbackOutcomeClassifier (scikit-learn style), save/load, retraining with a county's own data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifiers.callback import (
    CallbackOutcomeClassifier,
    CallbackOutcomeReader,
    ModelUnavailableError,
    NotFittedError,
    TrainingDataError,
    train,
)
from classifiers.callback.train import DEFAULT_TRAIN, read_rows

ROWS = read_rows(DEFAULT_TRAIN)


def fit_small(**params) -> CallbackOutcomeClassifier:
    rows = ROWS[::3]
    return CallbackOutcomeClassifier(**params).fit(
        [r["text"] for r in rows], [(r["resolution"], r["satisfaction"]) for r in rows],
        [r.get("reason_side") for r in rows])


def test_fit_returns_self_with_learned_attributes() -> None:
    model = CallbackOutcomeClassifier()
    assert not hasattr(model, "vectorizer_")
    rows = ROWS[::3]
    assert model.fit([r["text"] for r in rows], [(r["resolution"], r["satisfaction"]) for r in rows]) is model
    assert model.reason_model_ is None and model.n_train_ == len(rows)
    assert [list(c) for c in model.classes_] == [["解决", "部分解决", "未解决"], ["满意", "基本满意", "不满意"]]
    assert model.get_params()["features"] == "tfidf+cues"


def test_predict_and_predict_proba_shapes() -> None:
    model = fit_small(calibration="sigmoid", cv=3)
    texts = ["弄好了，满意", "没人管，不满意", "弄了一半，还行吧"]
    pred = model.predict(texts)
    assert pred.shape == (3, 2)
    assert tuple(pred[0]) == ("解决", "满意") and tuple(pred[1]) == ("未解决", "不满意")
    res, sat = model.predict_proba(texts)
    assert res.shape == sat.shape == (3, 3)
    assert np.allclose(res.sum(axis=1), 1.0) and np.allclose(sat.sum(axis=1), 1.0)
    assert model.predict_reason_proba(texts).shape == (3, 3)


def test_save_load_roundtrip(tmp_path) -> None:
    model = fit_small()
    path = model.save(tmp_path / "m.pkl")
    loaded = CallbackOutcomeClassifier.load(path)
    texts = ["还行吧，弄了一半", "说是政策不允许，不满意"]
    for a, b in zip(model.predict_proba(texts), loaded.predict_proba(texts), strict=True):
        assert np.allclose(a, b)
    (tmp_path / "bad.pkl").write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError):
        CallbackOutcomeClassifier.load(tmp_path / "bad.pkl")
    with pytest.raises(ModelUnavailableError):
        CallbackOutcomeClassifier.load(tmp_path / "missing.pkl")


def test_bad_training_input() -> None:
    with pytest.raises(NotFittedError):
        CallbackOutcomeClassifier().predict(["满意"])
    with pytest.raises(TrainingDataError):
        CallbackOutcomeClassifier().fit(["满意", "不满意"], [("解决", "很好"), ("未解决", "不满意")])
    with pytest.raises(TrainingDataError):
        CallbackOutcomeClassifier().fit(["满意"], [("解决", "满意")])  # one class only


def test_train_writes_model_and_figures_where_told(tmp_path) -> None:
    data = tmp_path / "county.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS[::2]), encoding="utf-8")
    out = tmp_path / "model"
    figures = train(data, out, cv_folds=2)
    assert sorted(p.name for p in out.iterdir()) == ["model.json", "model.pkl"]
    saved = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert saved["train_rows"] == figures["train_rows"] == len(ROWS[::2])
    assert 0.0 <= saved["cv"]["resolution_macro_f1"] <= 1.0
    reader = CallbackOutcomeReader(out / "model.pkl")
    assert reader.run("解决了，很满意").satisfaction == "满意"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "好", "resolution": "好了", "satisfaction": "满意"}\n', encoding="utf-8")
    with pytest.raises(TrainingDataError):
        train(bad, out)


def test_shipped_model_figures_are_recorded() -> None:
    figures = json.loads((DEFAULT_TRAIN.parent / "model.json").read_text(encoding="utf-8"))
    assert figures["train_rows"] == len(ROWS) >= 400
    assert figures["model_bytes"] < 5_000_000


def test_model_from_another_sklearn_version(tmp_path, monkeypatch) -> None:
    import pickle
    import shutil

    from classifiers.callback import ModelVersionError, component

    stale = tmp_path / "model.pkl"
    stale.write_bytes(pickle.dumps({"format": 1, "sklearn": "0.0.1", "model": b""}))
    with pytest.raises(ModelVersionError):
        CallbackOutcomeClassifier.load(stale)
    with pytest.raises(ModelVersionError):
        CallbackOutcomeReader(stale).warm_up()
    # the shipped model is refitted in memory from the shipped replies instead
    shutil.copy(DEFAULT_TRAIN.parent / "model.json", tmp_path / "model.json")
    monkeypatch.setattr(component, "DEFAULT_MODEL_PATH", stale)
    refitted = component.load_model()
    assert refitted.n_train_ == len(ROWS)
    assert tuple(refitted.predict(["解决了，很满意"])[0]) == ("解决", "满意")
