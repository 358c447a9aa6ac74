"""The managed dispatch catalogue: seeded from the county's CSV, edited, imported with per-row checks,
versioned with who/when/what, rolled back; the dispatcher follows it without a restart."""

from __future__ import annotations

import csv
import io

import pytest

from assistant.catalogue import CatalogueLineIn, CatalogueLinePatch
from assistant.errors import NotFound, PermissionDenied, ValidationFailed
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users


@pytest.fixture
def admin(hotline):
    return actor(hotline, demo_users("admin")[0]["username"])


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=["matter", "keywords", "unit_code", "level", "co_units", "basis"])
    w.writeheader()
    for r in rows:
        w.writerow({**r, "keywords": "|".join(r["keywords"]), "co_units": "|".join(r["co_units"])})
    return out.getvalue().encode("utf-8")


def test_seeded_from_county_csv(hotline, admin) -> None:
    rows = hotline.catalogue.current_rows()
    with open(hotline.county.directory / "catalogue.csv", encoding="utf-8-sig") as f:
        assert len(rows) == sum(1 for _ in csv.DictReader(f))
    versions = hotline.catalogue.versions(admin)
    assert [v["action"] for v in versions] == ["seed"] and versions[0]["lines"] == len(rows)
    assert hotline.catalogue.seed(hotline.county.directory / "catalogue.csv") == 0  # idempotent
    listed = hotline.catalogue.list(admin, q="养老", level="county")
    assert listed["total"] >= 1 and all("养老" in x["matter"] or "养老" in x["basis"] for x in listed["items"])
    with pytest.raises(PermissionDenied):
        hotline.catalogue.list(actor(hotline, demo_users("agent")[0]["username"]))


def test_crud_is_versioned_and_checked(hotline, admin) -> None:
    line = CatalogueLineIn(matter="高山茶园病虫害防治指导", keywords=["茶园", "病虫害"], unit_code="township",
                           level="township", co_units=[], basis="县农业农村局三定方案")
    created = hotline.catalogue.create(line, admin)
    assert hotline.catalogue.get(created["id"], admin)["matter"] == line.matter
    with pytest.raises(ValidationFailed, match="已在派单目录中"):
        hotline.catalogue.create(line, admin)
    with pytest.raises(ValidationFailed, match="不在承办单位名录中"):
        hotline.catalogue.create(line.model_copy(update={"matter": "另一事项", "unit_code": "nope",
                                                         "level": "county"}), admin)
    updated = hotline.catalogue.update(created["id"], CatalogueLinePatch(basis="《农业技术推广法》"), admin)
    assert updated["basis"] == "《农业技术推广法》" and updated["updated_by"] == admin.display_name
    hotline.catalogue.delete(created["id"], admin)
    with pytest.raises(NotFound):
        hotline.catalogue.get(created["id"], admin)
    versions = hotline.catalogue.versions(admin)
    assert [v["action"] for v in versions] == ["delete", "update", "create", "seed"]
    assert versions[1]["changes"][0]["before"]["basis"] == "县农业农村局三定方案"
    assert all(v["actor"] == admin.display_name for v in versions[:3])


def test_import_checks_every_row_and_rolls_back(hotline, admin) -> None:
    before = hotline.catalogue.current_rows()
    start = hotline.catalogue.revision()
    bad = before[:3] + [{**before[3], "unit_code": "no_such_unit"}, {**before[4], "level": "province"},
                        {**before[5], "matter": ""}]
    with pytest.raises(ValidationFailed) as err:
        hotline.catalogue.import_file(_csv(bad), "csv", admin)
    problems = err.value.details["problems"]
    assert any(p.startswith("第 5 行") and "no_such_unit" in p for p in problems)
    assert any(p.startswith("第 6 行") and "办理层级" in p for p in problems)
    assert any(p.startswith("第 7 行") and "事项名称为空" in p for p in problems)
    assert hotline.catalogue.revision() == start  # nothing imported
    result = hotline.catalogue.import_file(_csv(before[:10]), "csv", admin)
    assert result["lines"] == 10 and result["removed"] == len(before) - 10
    assert len(hotline.catalogue.current_rows()) == 10
    back = hotline.catalogue.rollback(start, admin)
    assert back["restored"] == start and hotline.catalogue.current_rows() == before
    assert hotline.catalogue.versions(admin)[0]["action"] == "rollback"
    with pytest.raises(NotFound):
        hotline.catalogue.rollback(9999, admin)


def test_xlsx_import(hotline, admin) -> None:
    from openpyxl import Workbook

    rows = hotline.catalogue.current_rows()[:5]
    wb = Workbook()
    ws = wb.active
    ws.append(["事项", "关键词", "牵头单位", "办理层级", "协办单位", "依据"])
    for r in rows:
        ws.append([r["matter"], "|".join(r["keywords"]), r["unit_code"], r["level"], "|".join(r["co_units"]),
                   r["basis"]])
    buf = io.BytesIO()
    wb.save(buf)
    assert hotline.catalogue.import_file(buf.getvalue(), "xlsx", admin)["lines"] == 5
    with pytest.raises(ValidationFailed, match="缺少列"):
        hotline.catalogue.import_file("事项,关键词\n甲,乙\n".encode(), "csv", admin)


def test_dispatcher_follows_the_catalogue_without_restart(hotline, admin) -> None:
    text = "我们村的茶园今年茶饼病虫害好严重，叶子都烂了，想请专家来指导一下"
    first = hotline.routing.dispatch(text, address="走马镇白果村")
    assert hotline.routing.catalogue_revision == hotline.catalogue.revision()
    line = CatalogueLineIn(matter="茶园茶饼病与病虫害防治技术指导", keywords=["茶饼病", "茶园病虫害", "茶叶病虫害"],
                           unit_code="nyj" if any(u["code"] == "nyj" for u in hotline.county.units) else "township",
                           level="county" if any(u["code"] == "nyj" for u in hotline.county.units) else "township",
                           co_units=[], basis="《农作物病虫害防治条例》")
    hotline.catalogue.create(line, admin)
    second = hotline.routing.dispatch(text, address="走马镇白果村")
    assert hotline.routing.catalogue_revision == hotline.catalogue.revision()
    assert second["matter"] == line.matter, (first["matter"], second)
