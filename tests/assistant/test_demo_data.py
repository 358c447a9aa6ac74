"""Integrity of the demo county's configuration files (鹤峰县)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "assistant" / "demo" / "heifeng"

TOWNSHIPS = ["容美镇", "走马镇", "太平镇", "燕子镇", "中营镇", "下坪乡", "邬阳乡", "五里乡", "铁炉白族乡"]
UNIT_KINDS = {
    "county_department",
    "township_government",
    "public_utility",
    "village_committee",
    "coordination",
    "linkage",
}
LEVELS = {"county", "township", "village"}
ROLES = {"agent", "unit_staff", "qa", "supervisor", "admin"}
# Placeholders in the catalogue: the government of the event's township / the committee of its village.
PLACEHOLDERS = {"township": "township", "village": "village"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _json(name: str):
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def county() -> dict:
    return _json("county.json")


@pytest.fixture(scope="module")
def units() -> list[dict]:
    return _json("units.json")


@pytest.fixture(scope="module")
def users() -> list[dict]:
    return _json("users.json")


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    with (DEMO / "catalogue.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["matter", "keywords", "unit_code", "level", "co_units", "basis"]
        return list(reader)


@pytest.fixture(scope="module")
def codes(units) -> set[str]:
    return {u["code"] for u in units}


def test_county_header(county):
    assert county["code"] == "422828"
    assert county["name"] == "鹤峰县"
    assert county["prefecture"] == "恩施土家族苗族自治州"
    assert county["province"] == "湖北省"
    assert county["timezone"] == "Asia/Shanghai"
    assert county["ticket_prefix"] == "HF"
    assert county["hotline"] == "12345"


def test_nine_townships_with_villages(county):
    townships = county["townships"]
    assert [t["name"] for t in townships] == TOWNSHIPS
    for t in townships:
        assert t["kind"] == ("镇" if t["name"].endswith("镇") else "乡"), t["name"]
        assert isinstance(t["aliases"], list)
        assert 4 <= len(t["villages"]) <= 8, t["name"]
        names = [v["name"] for v in t["villages"]]
        assert len(names) == len(set(names)), t["name"]
        assert all(v["name"].endswith(("村", "社区")) for v in t["villages"]), t["name"]
        assert all(isinstance(v["aliases"], list) for v in t["villages"])
        assert t["seat"] in names, t["name"]
    assert "铁炉" in townships[-1]["aliases"]


def test_township_aliases_are_unambiguous(county):
    owner: dict[str, str] = {}
    for t in county["townships"]:
        for name in [t["name"], *t["aliases"]]:
            assert owner.setdefault(name, t["name"]) == t["name"], f"“{name}”同时指向两个乡镇"


def test_places_resolve_to_known_divisions(county):
    villages = {t["name"]: {v["name"] for v in t["villages"]} for t in county["townships"]}
    assert county["places"]
    for place in county["places"]:
        assert place["township"] in villages, place["name"]
        if place.get("village"):
            assert place["village"] in villages[place["township"]], place["name"]
    assert any(p["name"] == "屏山峡谷" and p["township"] == "容美镇" for p in county["places"])


def test_unit_codes_unique_and_fields_valid(units):
    codes = [u["code"] for u in units]
    assert len(codes) == len(set(codes))
    names = [u["name"] for u in units]
    assert len(names) == len(set(names))
    for u in units:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", u["code"]), u["code"]
        assert u["code"] not in PLACEHOLDERS, u["code"]
        assert u["kind"] in UNIT_KINDS, u["code"]
        assert u["level"] in LEVELS, u["code"]
        assert CJK.search(u["name"]) and CJK.search(u["short_name"]) and CJK.search(u["duties"]), u["code"]
        assert 10 <= len(u["keywords"]) <= 25, u["code"]
        assert len(set(u["keywords"])) == len(u["keywords"]), u["code"]
        assert re.fullmatch(r"0718-55\d{5}", u["phone"]), u["code"]
        assert u["fictional_contact"] is True, u["code"]
    assert len({u["phone"] for u in units}) == len(units)


def test_unit_levels_match_places(units, county):
    villages = {t["name"]: {v["name"] for v in t["villages"]} for t in county["townships"]}
    for u in units:
        if u["level"] == "county":
            assert u["township"] is None and u["village"] is None, u["code"]
        elif u["level"] == "township":
            assert u["kind"] == "township_government", u["code"]
            assert u["township"] in villages and u["village"] is None, u["code"]
        else:
            assert u["kind"] == "village_committee", u["code"]
            assert u["township"] in villages, u["code"]
            assert u["village"] in villages[u["township"]], u["code"]


def test_each_township_has_one_government(units):
    governments = [u for u in units if u["kind"] == "township_government"]
    assert sorted(u["township"] for u in governments) == sorted(TOWNSHIPS)
    for u in governments:
        assert u["name"] == f"{u['township']}人民政府"


def test_expected_units_present(units):
    kinds = {u["kind"] for u in units}
    assert kinds == UNIT_KINDS
    assert sum(u["kind"] == "county_department" for u in units) >= 25
    assert len([u for u in units if u["kind"] == "village_committee"]) >= 2
    by_code = {u["code"]: u for u in units}
    assert by_code["gaj"]["kind"] == "linkage"
    assert by_code["rx12345"]["kind"] == "coordination"


def test_users_reference_real_units(users, codes):
    usernames = [u["username"] for u in users]
    assert len(usernames) == len(set(usernames))
    assert {u["role"] for u in users} == ROLES
    for u in users:
        assert u["role"] in ROLES
        assert u["password"].startswith("demo-"), u["username"]
        if u["role"] == "unit_staff" or u["unit_code"] is not None:
            assert u["unit_code"] in codes, u["username"]
    staff_units = {u["unit_code"] for u in users if u["role"] == "unit_staff"}
    assert "zmz" in staff_units and len(staff_units) >= 2


def test_catalogue_rows_are_valid(catalogue, codes):
    assert len(catalogue) >= 120
    matters = [r["matter"] for r in catalogue]
    assert len(matters) == len(set(matters))
    for r in catalogue:
        matter = r["matter"]
        assert CJK.search(matter), matter
        assert r["level"] in LEVELS, matter
        keywords = r["keywords"].split("|")
        assert len(keywords) >= 3 and all(k.strip() == k and k for k in keywords), matter
        if r["unit_code"] in PLACEHOLDERS:
            assert r["level"] == PLACEHOLDERS[r["unit_code"]], matter
        else:
            assert r["unit_code"] in codes, matter
            assert r["level"] == "county", matter
        co_units = [c for c in r["co_units"].split("|") if c] if r["co_units"] else []
        assert len(co_units) == len(set(co_units)), matter
        assert r["unit_code"] not in co_units, matter
        for c in co_units:
            assert c in codes or c == "township", f"{matter}: {c}"
        assert CJK.search(r["basis"]), matter


def test_catalogue_covers_linkage_and_shared_duties(catalogue):
    by_unit: dict[str, int] = {}
    for r in catalogue:
        by_unit[r["unit_code"]] = by_unit.get(r["unit_code"], 0) + 1
    assert by_unit.get("gaj", 0) >= 5
    assert by_unit.get("zzzx", 0) >= 2
    assert by_unit.get("township", 0) >= 5
    assert sum(1 for r in catalogue if r["co_units"]) >= 60
