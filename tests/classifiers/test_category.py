"""Category classifier: fit/predict/save/load on a tiny project-written set, calibrated probabilities."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifiers import (
    CategoryClassifier,
    ModelFileError,
    NotFittedError,
    TrainingDataError,
    load_model,
    read_card,
    save_model,
)

TRAIN = {
    "城乡建设": ["小区停水三天了没人管", "路灯坏了请派人修", "天然气管道漏气维修", "物业不作为垃圾没人清",
             "自来水水压太小", "楼道灯不亮了", "小区电梯经常坏", "下水道堵了污水外冒"],
    "教育文体": ["孩子上小学怎么划片", "学校乱收补课费", "中考体育考试时间", "图书馆开放时间",
             "幼儿园伙食太差", "老师在校外办补习班", "助学贷款怎么申请", "学校校服强制购买"],
    "劳动和社会保障": ["老板拖欠工资不给", "社保卡丢了补办", "养老金没到账", "失业保险金申领",
                "公司不买社保", "工伤认定要多久", "医保缴费档次", "加班不给加班费"],
}


def _data():
    texts = [t for ts in TRAIN.values() for t in ts]
    labels = [k for k, ts in TRAIN.items() for _ in ts]
    return texts, labels


@pytest.fixture(scope="module")
def fitted():
    texts, labels = _data()
    return CategoryClassifier(method="tfidf", min_df=1).fit(texts, labels)


def test_fit_predict_and_calibrated_probabilities(fitted):
    assert fitted.fit(*_data()) is fitted  # fit returns self
    assert list(fitted.classes_) == sorted(TRAIN)
    probe = ["我家停水了好几天", "学校收补课费", "工资被拖欠三个月"]
    proba = fitted.predict_proba(probe)
    assert proba.shape == (3, 3)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(fitted.predict(probe)) == ["城乡建设", "教育文体", "劳动和社会保障"]
    pred = fitted.classify(probe[0], top_k=3)[0]
    assert pred.label == "城乡建设" and pred.confidence == pytest.approx(proba[0].max(), abs=1e-3)
    assert [a.label for a in pred.alternatives] and len(pred.alternatives) == 2
    assert pred.alternatives[0].confidence >= pred.alternatives[1].confidence


def test_save_load_round_trip(fitted, tmp_path):
    path = tmp_path / "models" / "category-v1.joblib"
    card = save_model(fitted, path, version="v1", metrics={"macro_f1": 0.9}, extra={"note": "测试"})
    assert card.version == "v1" and card.classes == sorted(TRAIN)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["metrics"]["macro_f1"] == 0.9 and meta["format_version"] == 1
    assert read_card(path).extra == {"note": "测试"}
    loaded = load_model(path)
    probe = ["路灯不亮", "社保怎么交"]
    assert np.allclose(loaded.predict_proba(probe), fitted.predict_proba(probe))
    assert sorted(p.name for p in path.parent.iterdir()) == ["category-v1.joblib", "category-v1.json"]


def test_errors_are_chinese(tmp_path):
    with pytest.raises(NotFittedError, match="尚未训练"):
        CategoryClassifier().predict(["x"])
    with pytest.raises(TrainingDataError, match="至少需要两个类别"):
        CategoryClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(TrainingDataError, match="样本少于"):
        CategoryClassifier().fit(["a", "b", "c"], ["x", "x", "y"])
    with pytest.raises(ModelFileError, match="找不到模型文件") as info:
        load_model(tmp_path / "none.joblib")
    assert info.value.code == "model_not_found"
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="无法读取"):
        load_model(bad)


@pytest.mark.slow
def test_embedding_and_ensemble_methods():
    from classifiers import CachedEmbedder, E5Embedder

    texts, labels = _data()
    embedder = CachedEmbedder(E5Embedder(max_chars=64))
    embed = CategoryClassifier(method="embed", embedder=embedder).fit(texts, labels)
    ensemble = CategoryClassifier(method="ensemble", embedder=embedder, min_df=1).fit(texts, labels)
    probe = ["我家停水了", "工资被拖欠"]
    for model in (embed, ensemble):
        proba = model.predict_proba(probe)
        assert np.allclose(proba.sum(axis=1), 1.0)
        assert list(model.predict(probe)) == ["城乡建设", "劳动和社会保障"]
    assert 0.0 <= ensemble.weight_ <= 1.0 and ensemble.ensemble_cv_


def test_train_category_model_saves_card_with_holdout_figures(tmp_path):
    from classifiers import Taxonomy, load_model, train_category_model

    texts, labels = _data()
    card = train_category_model(texts, labels, tmp_path / "m.joblib", version="2024-05-01", min_df=1)
    assert card.version == "2024-05-01" and card.n_train == len(texts)
    assert card.metrics["holdout_rows"] == 5 and 0.0 <= card.metrics["macro_f1"] <= 1.0
    model = load_model(tmp_path / "m.joblib")
    tax = Taxonomy.from_rows([["城乡建设", "供水"], ["教育文体", "学校"], ["劳动和社会保障", "工资"]])
    pred = model.classify("我家停水了", taxonomy=tax, level=1)[0]
    assert pred.label == "城乡建设" and pred.path == ("城乡建设",)


def test_optional_clean_up_and_subject_block():
    texts, labels = _data()
    texts, labels = texts + ["您好，停水了，谢谢"], labels + ["城乡建设"]
    model = CategoryClassifier(min_df=1, clean=True, title_chars=40).fit(texts, labels)
    union = model.tfidf_model_.named_steps["tfidf"]
    assert [name for name, _ in union.transformer_list] == ["body", "title"]
    body_vocab = union.transformer_list[0][1].vocabulary_
    assert not any("您好" in gram for gram in body_vocab)  # greetings are cleaned out
    probe = ["您好，我家停水了，电话13800001111，谢谢", "尊敬的领导：工资被拖欠三个月"]
    assert list(model.predict(probe)) == ["城乡建设", "劳动和社会保障"]
    plain = CategoryClassifier(min_df=1).fit(texts, labels)  # the default: plain char n-grams
    assert "您好" in plain.tfidf_model_.named_steps["tfidf"].vocabulary_


def test_model_saved_before_the_new_switches_still_loads_and_resaves(fitted, tmp_path):
    import pickle

    state = fitted.__getstate__()
    for key in ("clean", "title_chars", "tune_offsets"):
        state.pop(key)
    old = CategoryClassifier.__new__(CategoryClassifier)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert old.get_params()["clean"] is False and old.get_params()["title_chars"] == 0
    assert old.get_params()["tune_offsets"] is False
    card = save_model(old, tmp_path / "old.joblib", version="old")
    assert card.params["title_chars"] == 0
    assert list(load_model(tmp_path / "old.joblib").predict(["路灯不亮"])) == list(fitted.predict(["路灯不亮"]))
