"""Taxonomy: loading the level1,level2,level3 CSV, the tree, and Chinese validation errors."""

from __future__ import annotations

import pytest

from classifiers import ClassifierError, Taxonomy, TaxonomyError

CSV = """level1,level2,level3
城乡建设,城市建设和市政管理,燃气供应
城乡建设,城市建设和市政管理,自来水供应
城乡建设,住房保障,公租房
环境保护,水污染,河流污染
交通运输,公共交通,
"""


def test_load_tree_and_queries(tmp_path):
    path = tmp_path / "taxonomy.csv"
    path.write_text("\ufeff" + CSV, encoding="utf-8")
    tax = Taxonomy.from_csv(path)
    assert len(tax) == 5 and tax.depth == 3
    assert tax.labels(1) == ["城乡建设", "环境保护", "交通运输"]
    assert tax.children(("城乡建设",)) == ["城市建设和市政管理", "住房保障"]
    assert tax.find("燃气供应") == [("城乡建设", "城市建设和市政管理", "燃气供应")]
    assert ("交通运输", "公共交通") in tax.paths  # a shorter path is allowed
    roots = tax.tree()
    assert [n.name for n in roots] == tax.labels(1)
    assert roots[0].children[0].children[0].path == ("城乡建设", "城市建设和市政管理", "燃气供应")
    assert tax.prefixes(2)[0] == ("城乡建设", "城市建设和市政管理")


def test_gbk_file_is_accepted(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(CSV.encode("gb18030"))
    assert Taxonomy.from_csv(path).labels(1)[0] == "城乡建设"


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("", "taxonomy_empty", "为空"),
        ("a,b,c\n城乡建设,x,y\n", "taxonomy_header", "level1"),
        ("level1,level2,level3\n城乡建设,,燃气供应\n", "taxonomy_invalid", "第 2 行第 2 级为空"),
        ("level1,level2\n城乡建设,住房\n城乡建设,住房\n", "taxonomy_invalid", "重复（第 2 行与第 3 行）"),
        ("level1,level2\n城乡建设\n城乡建设,住房\n", "taxonomy_invalid", "既是独立类别又有下级类别"),
        ("level1,level2\n,\n", "taxonomy_empty", "没有任何类别"),
    ],
)
def test_validation_errors_are_chinese(text, code, fragment):
    with pytest.raises(TaxonomyError) as info:
        Taxonomy.from_csv_text(text)
    assert info.value.code == code
    assert fragment in str(info.value)
    assert isinstance(info.value, ClassifierError)


def test_missing_file_and_bad_level(tmp_path):
    with pytest.raises(TaxonomyError, match="找不到分类体系文件") as info:
        Taxonomy.from_csv(tmp_path / "none.csv")
    assert info.value.code == "taxonomy_not_found"
    tax = Taxonomy.from_csv_text(CSV)
    with pytest.raises(TaxonomyError, match="分类层级"):
        tax.labels(4)
    with pytest.raises(TaxonomyError, match="没有"):
        tax.children(("不存在",))
