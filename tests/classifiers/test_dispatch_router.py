"""Dispatch router with the real embedding model on a compact catalogue drawn from the demo county:
职权法定, 属地管理 (township and village routing), escalation, 110/综治 transfers, explanations,
settings, and learning from returned tickets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from classifiers.dispatch import (
    ESCALATION_TEXT,
    DispatchRouter,
    FeedbackInvalid,
    FeedbackRecord,
    InvalidSetting,
    UnitsInvalid,
)

DEMO = Path(__file__).resolve().parents[2] / "assistant" / "demo" / "heifeng"
UNITS = json.loads((DEMO / "units.json").read_text(encoding="utf-8"))
COUNTY = json.loads((DEMO / "county.json").read_text(encoding="utf-8"))
MATTERS = (
    "乡道、村道破损与养护", "通组路、入户路日常维护", "农村人居环境整治与农村垃圾", "县城生活垃圾清运与环卫",
    "正在发生的违法犯罪和治安警情", "道路交通事故", "噪音扰民（社会生活）", "邻里纠纷", "职责不清与派单争议事项",
    "政府信息公开", "停电与电力故障", "县城供水停水与水压", "农村饮水安全", "食品安全", "拖欠农民工工资",
    "最低生活保障", "地质灾害隐患报告", "道路塌方与交通阻断", "移风易俗与红白喜事操办", "建筑施工噪声",
)


def demo_rows() -> list[dict]:
    with open(DEMO / "catalogue.csv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["matter"] in MATTERS]


@pytest.fixture(scope="module")
def router() -> DispatchRouter:
    r = DispatchRouter(demo_rows(), UNITS, COUNTY)
    r.warm_up()
    return r


def test_county_department_by_duty(router):
    s = router.run("我们这里三天两头停电，一停就是大半天，冰箱里的东西都坏了", "中营镇刘家湾村")
    assert (s.unit_code, s.level, s.escalate) == ("gdgs", "county", False)
    assert s.matter == "停电与电力故障" and s.basis and "停电" in s.keywords
    assert s.place.township == "中营镇" and s.place_source == "地址"
    assert s.alternatives and all(a.unit_code != "gdgs" for a in s.alternatives)


def test_township_level_matter_goes_to_the_event_township(router):
    s = router.run("我们村那条通村的水泥路去年才修好，今年就烂成坑了，车子都过不去", "太平镇茅坪村")
    assert (s.unit_code, s.unit_name, s.level) == ("tpz", "太平镇人民政府", "township")
    assert "属地管理" in s.reason and s.co_units[0].code == "jtj"
    s = router.run("太坪那边的乡道上有个大坑，好几个骑摩托车的都摔了")  # address only in the text
    assert (s.unit_code, s.place_source) == ("tpz", "诉求内容")


def test_village_level_matter_goes_to_the_committee_or_the_township(router):
    s = router.run("组里有户人家办酒办了三天，整酒风气越来越厉害", "走马镇梅坪村")
    assert (s.unit_code, s.level) == ("v_meiping", "village")
    s = router.run("组里有户人家办酒办了三天，整酒风气越来越厉害", "邬阳乡金鸡口村")  # no committee listed
    assert (s.unit_code, s.level) == ("wyx", "township")


def test_urban_and_rural_lines_follow_the_place(router):
    assert router.run("垃圾桶满了好几天没人收，臭得不得了", "容美镇满山红社区").unit_code == "cgj"
    assert router.run("垃圾池满了半个月没人来拉，臭得很", "五里乡南村村").unit_code == "wlx"


def test_escalation_when_no_lead_can_be_determined(router):
    s = router.run("我们村那条路烂得不成样子了，坑坑洼洼的，好多年了没人修")  # local matter, no township
    assert s.escalate and s.unit_code == "xzfb" and s.level == "county"
    assert "乡镇" in s.reason and ESCALATION_TEXT in s.reason
    s = router.run("这个事镇里说是县里的，县里又说是镇里的，几个部门推来推去，到底归哪个管？")
    assert s.escalate and s.matter == "职责不清与派单争议事项"
    s = router.run("走马和太平交界那段村道坑坑洼洼，没人修")
    assert s.escalate and "多个乡镇" in s.reason
    s = router.run("你好，我就是想说一下那个事情。")
    assert s.escalate and s.explain()[0].endswith("建议" + ESCALATION_TEXT) and s.explain()[0].count(ESCALATION_TEXT) == 1


def test_police_and_mediation_matters_are_proposed_for_transfer(router):
    s = router.run("快来人！街上有个人喝醉了拿起菜刀在追人", "容美镇")
    assert (s.unit_code, s.transfer_to, s.escalate) == ("gaj", "110", False)
    s = router.run("刚才两个车撞了，有人躺在路上，快喊人来")
    assert (s.unit_code, s.transfer_to) == ("gaj", "110")
    s = router.run("隔壁邻居修房子屋檐伸到我家，雨水全滴到我屋里，吵了好几回", "下坪乡岩门村")
    assert (s.unit_code, s.transfer_to) == ("zzzx", "综治")
    assert router.run("楼上天天半夜打麻将吵得睡不着").transfer_to is None


def test_every_suggestion_explains_itself(router):
    s = router.run("包工头把我们十几个人半年的工钱拖起不给，人也找不到了", "燕子镇")
    text = "\n".join(s.explain())
    assert s.unit_code == "rsj"
    assert "拖欠农民工工资" in text and "《保障农民工工资支付条例》" in text and "燕子镇" in text
    assert "其他候选" in text and s.elapsed_ms > 0
    assert {c.source for c in s.co_units} >= {"目录"} and "燕子镇人民政府" in [c.name for c in s.co_units]


def test_settings_are_checked():
    with pytest.raises(InvalidSetting, match="协调单位"):
        DispatchRouter(demo_rows(), UNITS, COUNTY, escalation_unit="nosuch", use_embeddings=False)
    with pytest.raises(InvalidSetting, match="未知的权重"):
        DispatchRouter(demo_rows(), UNITS, COUNTY, weights={"bogus": 1.0}, use_embeddings=False)
    with pytest.raises(InvalidSetting, match="转办设置"):
        DispatchRouter(demo_rows(), UNITS, COUNTY, transfers={"110": ["没有这个事项"]}, use_embeddings=False)
    with pytest.raises(UnitsInvalid, match="没有对应的乡镇人民政府"):
        DispatchRouter(demo_rows(), [u for u in UNITS if u["code"] != "zmz"], COUNTY, use_embeddings=False)


def test_learning_from_returned_tickets(router):
    text = "小区楼下新开的麻将馆天天半夜吵，吵得老人睡不着觉"
    before = router.run(text, "容美镇")
    assert before.unit_code == "gaj"
    # the county decides such parlours are the township's to handle: two returns teach it
    router.fit_feedback([(text, "gaj", "容美镇人民政府"),
                         FeedbackRecord("街上麻将馆通宵营业，吵得附近住户睡不着", "鹤峰县公安局", "rmz", "容美镇")])
    after = router.run(text, "容美镇")
    assert after.unit_code == "rmz" and after.similar_returns
    assert router.run("麻将馆通宵吵闹，影响休息", "走马镇").unit_code == "zmz"  # learned for townships
    assert router.run("我们这里三天两头停电", "中营镇").unit_code == "gdgs"  # unrelated appeals unchanged
    assert router.feedback_.weights_["township"]
    state = json.loads(json.dumps(router.feedback_state(), ensure_ascii=False))
    router.load_feedback({})
    assert router.run(text, "容美镇").unit_code == "gaj"  # forgotten
    router.load_feedback(state)
    assert router.run(text, "容美镇").unit_code == "rmz"  # restored
    with pytest.raises(FeedbackInvalid):
        router.fit_feedback([("有事", "nosuch", "rmz")])
