"""Address resolution for routing: names, aliases, landmarks and colloquial forms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.dispatch import Gazetteer, GazetteerInvalid

DEMO = Path(__file__).resolve().parents[2] / "assistant" / "demo" / "heifeng"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.from_county(json.loads((DEMO / "county.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(("text", "township", "village"), [
    ("走马镇梅坪村3组", "走马镇", "梅坪村"),
    ("走马那边的路", "走马镇", None),
    ("太坪那边的乡道上有个大坑", "太平镇", None),
    ("铁炉那个白族乡江口村的账", "铁炉白族乡", "江口村"),
    ("白族乡这边", "铁炉白族乡", None),
    ("屏山那边我们组里的入户路", "容美镇", "屏山村"),
    ("中营大兴河那段村道", "中营镇", "大兴河村"),
    ("燕子坪那边", "燕子镇", None),
    ("留驾司那段通村公路", "下坪乡", "留驾村"),
    ("我在县城的柳家村", "容美镇", "柳家村"),
])
def test_names_aliases_and_colloquial_forms(gaz, text, township, village):
    place = gaz.resolve(text)
    assert (place.township, place.village) == (township, village)
    assert place.confidence >= 0.5 and place.span is not None
    assert text[place.span[0]:place.span[1]] == place.matched


def test_landmarks_give_township_and_place(gaz):
    place = gaz.resolve("县医院对面那条街")
    assert place.township == "容美镇" and place.place == "鹤峰县人民医院"
    place = gaz.resolve("南府土司遗址那里有人挖东西")
    assert (place.township, place.village, place.place) == ("五里乡", "南村村", "南府土司遗址")


def test_no_place_and_ordinary_words_are_not_places(gaz):
    assert not gaz.resolve("我们村口的垃圾堆了一个月").found
    assert gaz.resolve("十字路口的红绿灯坏了").confidence < 0.5
    assert gaz.resolve("天下太平").confidence < 0.5


def test_several_townships_are_reported(gaz):
    place = gaz.resolve("走马和太平交界那段路")
    assert place.township in ("走马镇", "太平镇") and len(place.others) == 1


def test_urban_or_rural_setting(gaz):
    assert gaz.setting(gaz.resolve("满山红社区"), "满山红社区") == "urban"
    assert gaz.setting(gaz.resolve("屏山村"), "屏山村") == "rural"
    assert gaz.setting(gaz.resolve("走马镇"), "走马镇") == "rural"
    assert gaz.setting(gaz.resolve("县城新街"), "县城新街") == "urban"


def test_malformed_county_is_rejected():
    with pytest.raises(GazetteerInvalid, match="缺少乡镇列表"):
        Gazetteer.from_county({"name": "某县"})
    county = {"townships": [{"name": "甲镇", "villages": [{"name": "乙村"}]}],
              "places": [{"name": "丙桥", "township": "甲镇", "village": "丁村"}]}
    with pytest.raises(GazetteerInvalid, match="不在甲镇的村"):
        Gazetteer.from_county(county)
