"""Addresses through the gazetteer (aliases, landmarks, colloquial forms), names, confidentiality, callback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.fields import FieldExtractor
from classifiers.fields.addresslib import jionlp_available

COUNTY = json.loads((Path(__file__).resolve().parents[2] / "assistant/demo/heifeng/county.json").read_text("utf-8"))
CALL = "2025-06-02T09:05:00+08:00"


@pytest.fixture(scope="module")
def fx() -> FieldExtractor:
    extractor = FieldExtractor(COUNTY, address_library=None)
    extractor.warm_up()
    return extractor


def turns(*lines: str) -> list[dict]:
    return [{"speaker": "agent" if s == "A" else "caller", "start": 2.0 * i, "end": 2.0 * i + 1.5, "text": t}
            for i, (s, t) in enumerate(line.split("：", 1) for line in lines)]


def place(fx: FieldExtractor, *lines: str) -> tuple:
    d = fx.run(turns(*lines), CALL)
    return d.township.value, d.village.value, d.address_detail.value


@pytest.mark.parametrize(("lines", "township", "village"), [
    (("C：就在走马那边，路垮了。",), "走马镇", None),
    (("C：我是走马镇白果村的。", "A：在哪个位置？", "C：就是白果坪那个桥。"), "走马镇", "白果村"),
    (("C：县城，满山红那边的麻将馆。",), "容美镇", "满山红社区"),
    (("C：我们下坪，留驾司那里被狗咬了。",), "下坪乡", "留驾村"),
    (("C：南府那边路口有棵树要倒了。",), "五里乡", "南村村"),
    (("C：走马坪街上开了个小卖部。",), "走马镇", "走马社区"),
    (("C：燕子那边，不对，是中营，中营镇官扎营村。",), "中营镇", "官扎营村"),
    (("C：我是那个，铁炉那边的，马家村。",), "铁炉白族乡", "马家村"),
])
def test_aliases_and_colloquial_places(fx: FieldExtractor, lines: tuple, township: str, village: str | None) -> None:
    got = place(fx, *lines)
    assert got[:2] == (township, village)


def test_bridge_and_village_mouth_details(fx: FieldExtractor) -> None:
    assert place(fx, "C：白果坪那个桥裂了。")[2] == "桥"
    assert place(fx, "C：我是燕子镇百顺村的，我们村口那个垃圾池好久没人清了。")[:3] == ("燕子镇", "百顺村", "村口")
    assert place(fx, "A：是哪个组？", "C：我们三组这一片都没得水。")[2] == "三组"


def test_common_words_are_not_places(fx: FieldExtractor) -> None:
    assert place(fx, "C：十字路口那个红绿灯坏了。")[0] is None
    assert place(fx, "C：早高峰的时候堵得很，杨柳树都倒了。")[0] is None
    assert place(fx, "C：我是十字村的。")[:2] == ("五里乡", "十字村")


def test_destination_weighs_less_than_the_event_place(fx: FieldExtractor) -> None:
    assert place(fx, "C：我们在白果村村口晒苞谷，往芭蕉河去的那条路。")[1] == "白果村"


def test_agent_information_is_not_an_address(fx: FieldExtractor) -> None:
    assert place(fx, "C：残疾证年审要带啥子？", "A：到县政务服务中心二楼办理。", "C：好的谢谢。")[0] is None


@pytest.mark.skipif(not jionlp_available(), reason="jionlp not installed")
def test_outside_the_county_with_the_address_library() -> None:
    fx = FieldExtractor(COUNTY, address_library="jionlp")
    d = fx.run(turns("C：我在恩施市打工，老板欠我工资。", "A：工地在哪里？", "C：在恩施市区舞阳坝那边。", "C：我屋是燕子的。"), CALL)
    assert fx.address_library_ == "jionlp"
    assert d.township.value is None


@pytest.mark.parametrize(("lines", "name"), [
    (("A：请问您贵姓？", "C：我姓王。", "A：王先生，您的联系电话是多少呢？"), "王先生"),
    (("C：贵啥子姓哦，我姓田，田老汉。", "A：田大爷，您有电话吗？"), "田大爷"),
    (("C：你叫我老张就行了。", "A：好的张师傅。"), "老张"),
    (("C：我叫覃德明，覃是西早覃。",), "覃德明"),
    (("A：您的姓名？", "C：彭建军。"), "彭建军"),
    (("C：我姓符，符合的符，符大爷。",), "符大爷"),
    (("C：我姓覃，覃家明。",), "覃家明"),
    (("A：您贵姓？", "C：杨。", "A：杨先生还是杨女士？", "C：杨女士。"), "杨女士"),
    (("A：老人叫什么名字？", "C：叫向老三，大名叫向德福。", "A：您怎么称呼？", "C：我是他邻居，姓覃，覃先生。"), "覃先生"),
    (("C：名字就不说了嘛。", "A：好的。"), None),
    (("C：表扬下坪卫生院的刘医生。", "A：您说的是下坪乡卫生院的刘医生是吧？"), None),
    (("C：本人谭某，家住铁炉白族乡江口村二组。",), "谭某"),
])
def test_names(fx: FieldExtractor, lines: tuple, name: str | None) -> None:
    assert fx.run(turns(*lines), CALL).caller_name.value == name


@pytest.mark.parametrize(("lines", "want"), [
    (("C：你们不要透露我的信息哈。",), True),
    (("C：别说是我打的电话。",), True),
    (("C：莫把我电话给他们。",), True),
    (("A：需要为您保密吗？", "C：要保密。"), True),
    (("A：需要对您的信息保密吗？", "C：不用不用，无所谓。"), False),
    (("C：我的名字不说了。", "A：好的，我们会为您保密。需要留电话吗？", "C：不留了。"), None),
    (("C：路灯坏了。",), None),
])
def test_confidentiality(fx: FieldExtractor, lines: tuple, want: bool | None) -> None:
    assert fx.run(turns(*lines), CALL).confidential.value is want


@pytest.mark.parametrize(("lines", "want"), [
    (("A：处理结果回访您可以吗？", "C：可以回访。"), True),
    (("A：好的，处理结果我们会回访您。", "C：要得要得。"), True),
    (("A：需要回访吗？", "C：不用回电话了，搞好了就行。"), False),
    (("C：办好了给我回个电话嘛。",), True),
    (("C：现在还没通知我们。", "A：您电话？", "C：不用了，就表扬一下。"), None),
])
def test_callback(fx: FieldExtractor, lines: tuple, want: bool | None) -> None:
    assert fx.run(turns(*lines), CALL).callback_ok.value is want
