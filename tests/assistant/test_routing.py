"""Classification and dispatch through the service, and versioned category models."""

from __future__ import annotations

import pytest

from assistant.errors import NotFound, ValidationFailed


def test_classify_and_dispatch(hotline) -> None:
    out = hotline.routing.classify("我们屋后头山上的石头一直在往下滚，怕是要垮山了，快点来人看哈")
    assert out["urgency"]["label"] in ("紧急", "特急") and out["appeal_type"]["label"] == "求助"
    assert out["category"] is not None and out["category_model"] == "cold_start"
    d = hotline.routing.dispatch("走马镇白果村的路灯坏了半个月了没人修", address="走马镇白果村")
    assert d["unit_code"] and d["explanation"]
    fight = hotline.routing.dispatch("有人在街上持刀打架，已经有人受伤了")
    assert fight["transfer_to"] == "110"
    with pytest.raises(ValidationFailed):
        hotline.routing.classify("   ")


def test_train_switch_and_roll_back(hotline) -> None:
    rows = ["label,text"]
    samples = {
        "城乡建设": ["小区门口的路挖开了几个月没填", "楼上装修天天打电钻", "村里的桥面裂了好宽的缝", "物业不管电梯坏了"],
        "劳动和社会保障": ["老板拖欠三个月工资不给", "社保断缴了怎么补", "工伤认定要多久", "养老金这个月没到账"],
        "教育文体": ["孩子转学手续怎么办", "学校乱收补课费", "幼儿园报名要什么材料", "学生资助什么时候发"],
    }
    for label, texts in samples.items():
        rows += [f"{label},{t}" for t in texts]
    result = hotline.routing.train("\n".join(rows).encode(), "csv", test_frac=0.25)
    assert result["version"] == "v0001" and 0 <= result["metrics"]["macro_f1"] <= 1
    assert hotline.routing.classify("单位欠我工资不发")["category_model"] == "v0001"
    hotline.routing.train("\n".join(rows).encode(), "csv", test_frac=0.25)
    assert hotline.routing.models.current() == "v0002"
    hotline.routing.models.use("v0001")  # roll back
    assert hotline.routing.classify("单位欠我工资不发")["category_model"] == "v0001"
    with pytest.raises(NotFound):
        hotline.routing.models.use("v0099")
    with pytest.raises(ValidationFailed, match="至少"):
        hotline.routing.train("label,text\n甲,一\n乙,二\n".encode(), "csv")


def test_returns_are_learned_from(hotline) -> None:
    from assistant.routing import feedback_from_history
    from assistant.tickets.schemas import ActionInput
    from tests.assistant.test_tickets import actor, new_ticket
    from tests.conftest import demo_users

    staff = demo_users("unit_staff")
    people = {"agent": actor(hotline, demo_users("agent")[0]["username"])}
    tid = new_ticket(hotline, people, title="白果村饮水管爆了", content="村里的饮水管子爆了，全组停水")
    hotline.tickets.act(tid, "dispatch", ActionInput(lead_unit=staff[0]["unit_code"]), people["agent"])
    hotline.tickets.act(tid, "return", ActionInput(comment="农村饮水不归本单位，应由乡镇和水利部门办理"),
                        actor(hotline, staff[0]["username"]))
    hotline.tickets.act(tid, "dispatch", ActionInput(lead_unit=staff[1]["unit_code"]), people["agent"])
    records = feedback_from_history(hotline.db)
    assert records == [("白果村饮水管爆了。村里的饮水管子爆了，全组停水", staff[0]["unit_code"], staff[1]["unit_code"])]
    assert hotline.routing.learn_from_returns(hotline.db) == 1
