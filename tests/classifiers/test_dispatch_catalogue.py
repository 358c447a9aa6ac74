"""Dispatch catalogue: the demo catalogue loads; broken rows are reported row by row, in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.dispatch import Catalogue, CatalogueInvalid, DispatchError

DEMO = Path(__file__).resolve().parents[2] / "assistant" / "demo" / "heifeng"
UNITS = json.loads((DEMO / "units.json").read_text(encoding="utf-8"))


def row(**kw) -> dict:
    base = {"matter": "停电与电力故障", "keywords": "停电|跳闸", "unit_code": "gdgs", "level": "county",
            "co_units": "", "basis": "《电力法》"}
    return {**base, **kw}


def test_demo_catalogue_loads_and_is_consistent_with_units():
    cat = Catalogue.from_csv(DEMO / "catalogue.csv", UNITS)
    assert len(cat) >= 180
    line = cat.get("拖欠农民工工资")
    assert line.unit_code == "rsj" and line.level == "county"
    assert "township" in line.co_units and "欠薪" in line.keywords and line.basis
    local = cat.get("乡道、村道破损与养护")
    assert local.is_local and local.level == "township" and local.row > 1


def test_every_bad_row_is_reported_with_its_row_number():
    rows = [
        row(),
        row(matter="停电与电力故障"),  # duplicate
        row(matter="乡道养护", unit_code="township", level="county"),
        row(matter="村规民约", unit_code="village", level="township"),
        row(matter="无名单位", unit_code="nosuch"),
        row(matter="层级错", level="province"),
        row(matter="协办错", co_units="jtj|nosuch2"),
        row(matter="无依据", basis=" "),
        row(matter="", unit_code="gdgs"),
        row(matter="层级不符", unit_code="zmz", level="county"),
    ]
    with pytest.raises(CatalogueInvalid) as info:
        Catalogue.from_rows(rows, UNITS)
    err = info.value
    assert isinstance(err, DispatchError) and err.code == "catalogue_invalid"
    problems = "\n".join(err.problems)
    assert len(err.problems) == 9
    for expected in ("第 3 行（停电与电力故障）：事项与第 2 行重复",
                     "第 4 行（乡道养护）：牵头单位为 township（事发地乡镇政府）时，办理层级必须为 township",
                     "第 5 行（村规民约）：牵头单位为 village",
                     "第 6 行（无名单位）：牵头单位编码“nosuch”不在承办单位名录中",
                     "第 7 行（层级错）：办理层级“province”无效",
                     "第 8 行（协办错）：协办单位编码“nosuch2”不在承办单位名录中",
                     "第 9 行（无依据）：缺少法律法规或职责依据",
                     "第 10 行：事项名称为空",
                     "第 11 行（层级不符）：牵头单位“走马镇人民政府”的层级是 township"):
        assert expected in problems, expected
    assert str(err).startswith("派单目录有 9 处错误")


def test_without_units_only_the_row_itself_is_checked():
    cat = Catalogue.from_rows([row(unit_code="anything", co_units=["x", "township", "x"])])
    assert cat.lines[0].co_units == ("x", "township")


def test_csv_with_missing_columns_and_empty_catalogue(tmp_path):
    bad = tmp_path / "cat.csv"
    bad.write_text("matter,keywords,unit_code\n停电,停电,gdgs\n", encoding="utf-8")
    with pytest.raises(CatalogueInvalid, match="缺少列：level、co_units、basis"):
        Catalogue.from_csv(bad)
    with pytest.raises(CatalogueInvalid, match="派单目录为空"):
        Catalogue.from_rows([])
    with pytest.raises(CatalogueInvalid, match="无法读取派单目录"):
        Catalogue.from_csv(tmp_path / "missing.csv")
