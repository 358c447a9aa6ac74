"""QA matching by family (issue 7, third round): each case is worded differently from the word lists,
the utterance sets and holdout5, so it tests the family (insult epithets, attacks on wits, idioms aimed at
the caller, guarantees, a person named by surname and kinship term or phone tail) and its near misses
(negation, reported speech, a third person, a process promise, a vocative)."""

from __future__ import annotations

import pytest

from classifiers.qa.identity import caller_surnames, name_spans, surname, tail_of
from eval.tasks.qa_utterances import make_call
from tests.classifiers.qa_support import violated


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("你这个法盲，规定都不懂还来吵。", True),
        ("睁眼瞎一个，牌子上写得清清楚楚。", True),
        ("你是不是少根筋哦，讲了还不懂。", True),
        ("你的理解能力确实有问题。", True),
        ("你这个书怕是读到狗肚子里去了。", True),
        ("小学生都搞得清的事，你搞不清。", True),
        ("跟你讲道理，就是浪费口水。", True),
        ("你这叫敬酒不吃吃罚酒。", True),
        ("你一天闲得发慌，就晓得打电话。", True),
        ("你懂个锤子，听我讲。", True),
        ("就你这样子，难怪院子里没人理你。", True),
        ("他骂您法盲，这个我们会转给他们单位。", False),
        ("那个施工队的人少根筋，您莫跟他们计较。", False),
        ("我们没有说您是找茬，您莫多心。", False),
        ("小孩子要满三岁才能上幼儿园。", False),
        ("读书的事可以问县教育局，电话我给您。", False),
        ("您讲得很清楚，我都记下来了。", False),
        ("打了好几回都没人管您，这个确实不应该。", False),
        ("您这个水平的问题要找专业部门。", False),
        ("您家的羊跟牛一样大？那要圈好。", False),
        ("你这个人跟头驴一样，讲不通。", True),
    ],
)
def test_abuse_families(lists_only, agent, expected):
    assert violated(lists_only, "abuse", agent) is expected


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("我打保票，这个低保下个月批得下来。", True),
        ("你莫急，钱月底就到你卡上了，我担保。", True),
        ("我说话算话，这个违建肯定拆得掉。", True),
        ("你放心，那家馆子肯定要关门。", True),
        ("稳得很，这回保证给你修得好。", True),
        ("我不敢打保票，批不批得下来要看审核。", False),
        ("您放心，您的名字我们不会透露给任何人。", False),
        ("我们一定督促单位尽快给您回复。", False),
        ("您放心，来电人的信息都是保密的。", False),
        ("我们会尽量帮您协调，结果以单位答复为准。", False),
        ("您放心，我们一定督促施工方把围墙砌好。", False),
        ("放心，手续齐全的话通常都办得下来，具体看审核。", False),
        ("您放心，肯定给您办得下来。", True),
    ],
)
def test_promise_families(lists_only, agent, expected):
    assert violated(lists_only, "forbidden_promise", agent) is expected


@pytest.mark.parametrize(
    ("caller", "agent", "expected"),
    [
        ("举报我的那个人，你把他号码给我一下。", "他姓覃，号码一五八开头的。", True),
        ("我想同投诉我的人见个面，他住哪里？", "就住你屋斜对面，三楼那家。", True),
        ("有人举报我家乱搭乱建，是哪个嘛？", "是你们组上的老彭家。", True),
        ("举报我的人是男的女的，叫么子？", "是个女的，姓黄。", True),
        ("举报我的那个人，你把他号码给我一下。", "这个不能告诉您，反映人的信息要保密。", False),
        ("我想同投诉我的人见个面，他住哪里？", "您有什么话我们帮您转达，对方信息不能透露。", False),
        ("我们村的网格员电话是多少？", "你们村网格员姓彭，电话一三五七二六八四四二一。", False),
        ("是哪个举报我的？", "就是为了保护反映人，我们不能说是哪个。", False),
        ("举报我的人是不是村里的？", "来电人信息一律保密，姓什么都不能说。", False),
        ("是哪个举报我的？", "这个不能说，不过是你们组上的，姓向。", True),
    ],
)
def test_reporter_identity_families(lists_only, caller, agent, expected):
    assert violated(lists_only, "confidential_leak", agent, caller) is expected


@pytest.mark.parametrize(
    ("caller", "agent", "expected"),
    [
        ("你们打电话给我搞么子？", "是你们院子里那个覃老师打电话来，说你家狗天天叫。", True),
        ("我的摊子又咋个了？", "你店隔壁卖鞋子的老板反映你占道。", True),
        ("你们打电话给我搞么子？", "有群众反映您家的狗晚上叫，麻烦您注意一下。", False),
        ("我的摊子又咋个了？", "接到反映说您占道经营，反映人信息我们保密。", False),
    ],
)
def test_reporter_named_unasked(lists_only, caller, agent, expected):
    assert violated(lists_only, "confidential_leak", agent, caller) is expected


def _three_way(agent_to_third: str, ticket_name: str = "向某") -> dict:
    turns = [
        ("agent", 0.0, 4.0, "您好，12345热线，很高兴为您服务。"),
        ("caller", 4.5, 14.0, "我姓向，我要反映我们组有人在河边倒垃圾，你们莫说是我反映的哈。"),
        ("agent", 14.5, 20.0, "好的，给您保密。我帮您联系一下村委会，您别挂。"),
        ("other", 24.0, 26.0, "喂，村委会。"),
        ("agent", 26.5, 34.0, agent_to_third),
        ("other", 34.5, 37.0, "好，晓得了，我们去看。"),
        ("agent", 37.5, 42.0, "向大哥，村里会去看，请问还有其他事吗？"),
        ("caller", 42.5, 43.5, "没得了。"),
        ("agent", 44.0, 46.0, "好的，谢谢您的来电，再见。"),
    ]
    ticket = {
        "appeal_type": "举报",
        "phones": ["13972651188"],
        "caller_name": ticket_name,
        "confidential": True,
    }
    return {
        "call_id": "t-3way",
        "turns": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in turns],
        "ticket": ticket,
    }


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("你好，这边12345，你们三组的向大哥反映河边有人倒垃圾，麻烦去看一下。", True),
        ("你好，是老向打来的，说河边有人倒垃圾，麻烦去看一下。", True),
        ("你好，尾号幺幺八八的群众反映河边有人倒垃圾，麻烦去看一下。", True),
        ("你好，有群众反映三组河边有人倒垃圾，麻烦去看一下，反映人要求保密。", False),
    ],
)
def test_confidential_caller_named_to_a_third_party(lists_only, agent, expected):
    result = lists_only.run(_three_way(agent))
    found = result.item("confidential_leak")
    assert found.violated is expected, found.message
    if expected:
        assert result.route == "review"


def test_identity_helpers():
    assert surname("田某") == "田" and surname("老田") == "田" and surname("某某") == ""
    assert caller_surnames("", ["我姓覃，电话是……"]) == {"覃"}
    assert name_spans("你们村的田大姐反映", {"田"}) == [(4, 7)]
    assert name_spans("田大姐，村里下午去看", {"田"}) == []  # a vocative addresses the caller
    assert name_spans("姓田的打来的", {"田"}) and not name_spans("田坎垮了", {"田"})
    assert tail_of({"15826719043"}, "9043") and not tail_of({"15826719043"}, "043")


@pytest.mark.parametrize(
    ("caller", "recorded", "expected"),
    [
        ("我就是要告这个物业公司，收了钱不办事。", "咨询", True),
        ("我要举报我们村那个砂场，半夜拉沙吵得很。", "求助", True),
        ("我想跟投诉的那个人直接说一下，私下解决。", "咨询", False),
        ("我想告诉你们一下，路灯又不亮了。", "求助", False),
        ("有人举报我们家养狗，我想问一下么样处理。", "咨询", False),
    ],
)
def test_appeal_type_intent(lists_only, caller, recorded, expected):
    call = make_call("appeal_type", caller, "好的，我给您登记。", 0)
    call["ticket"] = {"appeal_type": recorded, "phones": ["13972651188"], "content": "来电人反映问题"}
    found = lists_only.run(call).item("appeal_type")
    assert found.violated is expected, found.message


def test_phone_groups_read_with_a_pause_and_short_service_numbers():
    from classifiers.qa.numbers import phones
    from classifiers.qa.text import fold

    assert [p.digits for p in phones(fold("幺三八，七二六三……七七五幺，信号不好"))] == ["13872637751"]
    assert [p.digits for p in phones(fold("掌上12333，一个手机APP"), 3)] == ["12333"]


def _ticket_call(caller: str, agent: str, ticket: dict, kb: str | None = None) -> dict:
    call = make_call("key_facts", caller, agent, 0)
    call["ticket"] = ticket
    if kb:
        call["kb_answer"] = kb
    return call


@pytest.mark.parametrize(
    ("caller", "content", "phones", "expected"),
    [
        (
            "屏山路的路灯坏了好几盏，电话幺五八七幺九零三三六二。",
            "来电人来电反映情况。",
            ["15871903362"],
            True,
        ),
        (
            "屏山路的路灯坏了好几盏，电话幺五八七幺九零三三六二。",
            "来电人反映屏山路路灯损坏",
            ["15871903362"],
            False,
        ),
        ("网吧让学生进去上网，电话就莫留了，我不想惹麻烦。", "来电人举报网吧接纳未成年人上网", [], False),
        ("网吧让学生进去上网，号码我不想给，你们去查就是了。", "来电人举报网吧接纳未成年人上网", [], False),
        ("网吧让学生进去上网。", "来电人举报网吧接纳未成年人上网", [], True),
    ],
)
def test_key_facts_families(lists_only, caller, content, phones, expected):
    ticket = {"appeal_type": "举报", "phones": phones, "township": "容美镇", "content": content}
    found = lists_only.run(_ticket_call(caller, "好的，我给您登记。", ticket)).item("key_facts")
    assert found.violated is expected, found.message


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("停电快一天了确实着急，乡村故障供电公司承诺九十分钟到场，我马上给您催。", False),
        ("乡村故障供电公司承诺三个小时到场，您再等等。", True),
        ("您直接打市政维护电话零七幺八，五五二三五零二，说一下位置。", False),
        ("这个不归我们管，您自己去问。", True),
    ],
)
def test_kb_agreement_families(lists_only, agent, expected):
    kb = (
        "故障停电请拨打95598报修。供电公司承诺县城抢修人员45分钟内、乡村90分钟内到达现场。"
        "城区路灯、井盖、人行道、排水管网等市政设施问题，可拨打县城市管理执法局（市政维护）电话0718-5523502反映，"
        "请说明道路名称和大概位置；井盖缺失、塌陷等危险情况，请先在旁边放置明显物品提醒行人车辆。"
    )
    call = make_call("kb_agreement", "我们这里停电了，么样搞？", agent, 0)
    call["kb_answer"] = kb
    found = lists_only.run(call).item("kb_agreement")
    assert found.violated is expected, found.message
