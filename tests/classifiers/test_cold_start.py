"""Cold start: categories from the taxonomy's own wording, with and without embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from classifiers import ColdStartClassifier, Taxonomy, TaxonomyError

TAXONOMY = Taxonomy.from_csv_text(
    """level1,level2,level3
城乡建设,城市建设和市政管理,燃气供应
城乡建设,城市建设和市政管理,自来水供应
城乡建设,城市建设和市政管理,路灯照明
教育文体,教育,中小学教育
教育文体,教育,学前教育
劳动和社会保障,劳动权益,拖欠工资
劳动和社会保障,社会保险,养老保险
"""
)
MESSAGES = ["我家自来水停了三天", "小孩上小学学校收费太高", "老板拖欠我们三个月工资不给"]
EXPECTED = ["城乡建设", "教育文体", "劳动和社会保障"]


def test_keywords_only_cold_start():
    clf = ColdStartClassifier(TAXONOMY, level=1, use_embeddings=False).fit()
    assert list(clf.classes_) == TAXONOMY.labels(1)
    assert list(clf.predict(MESSAGES)) == EXPECTED
    pred = clf.classify(MESSAGES[0])[0]
    assert pred.path == ("城乡建设",) and pred.source == "cold_start"
    assert np.allclose(clf.predict_proba(MESSAGES).sum(axis=1), 1.0)


def test_descriptions_and_keywords_extend_labels():
    clf = ColdStartClassifier(
        TAXONOMY, level=1, use_embeddings=False, keywords={"教育文体": ["补课", "校服"]},
        descriptions={"城乡建设": "物业、电梯、小区管理"},
    ).fit()
    assert clf.predict(["学校强制买校服"])[0] == "教育文体"
    assert clf.predict(["小区电梯坏了物业不管"])[0] == "城乡建设"


def test_unknown_label_is_reported_in_chinese():
    with pytest.raises(TaxonomyError, match="找不到"):
        ColdStartClassifier(TAXONOMY, labels=["城乡建设", "不存在的类"], use_embeddings=False).fit()
    with pytest.raises(TaxonomyError, match="需要分类体系"):
        ColdStartClassifier().fit()


@pytest.mark.slow
def test_embedding_cold_start_second_level():
    clf = ColdStartClassifier(TAXONOMY, level=2).fit()
    assert set(clf.classes_) == {"城市建设和市政管理", "教育", "劳动权益", "社会保险"}
    preds = clf.classify(["老板欠我工资不给", "孩子上小学的教育问题"])
    assert [p.label for p in preds] == ["劳动权益", "教育"]
    assert preds[0].path == ("劳动和社会保障", "劳动权益")
