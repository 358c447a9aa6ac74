"""QaScorer on small hand-made calls: one behaviour per test, evidence and routing included."""

from __future__ import annotations

import time

import pytest

from classifiers.qa import InvalidCall, QaScorer

OPEN = ("agent", 0.0, 4.0, "您好，12345热线，很高兴为您服务。")


def call(*turns, **extra):
    t0 = max((t[2] for t in turns), default=4.0) + 0.5
    closing = [("agent", t0, t0 + 3.0, "请问还有其他可以帮您的吗？感谢您的来电，再见。")]
    rows = [OPEN, *turns, *closing] if extra.pop("frame", True) else list(turns)
    return {
        "call_id": "t",
        "turns": [dict(zip(("speaker", "start", "end", "text"), r, strict=True)) for r in rows],
        **extra,
    }


@pytest.fixture(scope="module")
def scorer() -> QaScorer:
    s = QaScorer()
    s.warm_up()
    return s


def violated(result) -> set[str]:
    return {r.item_id for r in result.violations()}


def test_compliant_call_passes_automatically(scorer):
    r = scorer.run(
        call(
            ("caller", 4.5, 9.0, "你好，我想问一下社保卡在哪里办？"),
            ("agent", 9.4, 16.0, "您好，带身份证到合作银行网点就可以办理。"),
        )
    )
    assert violated(r) == set()
    assert r.total == 100 and r.route == "auto_accept" and not r.fatal


def test_missing_opening_has_evidence_with_time(scorer):
    r = scorer.run(call(("agent", 0.0, 1.5, "喂，说嘛。"), ("caller", 2.0, 6.0, "我问个事情。"), frame=False))
    item = r.item("opening")
    assert item.violated and item.deduction == 5
    ev = item.evidence[0]
    assert (
        ev.turn == 0
        and ev.speaker == "agent"
        and ev.text == "喂，说嘛。"
        and (ev.start, ev.end) == (0.0, 1.5)
    )


def test_forbidden_phrase_span_and_time(scorer):
    r = scorer.run(
        call(("caller", 4.5, 8.0, "这个归哪个管？"), ("agent", 8.5, 12.5, "这个不归我们管，你自己去问。"))
    )
    item = r.item("forbidden_phrase")
    assert item.violated and len(item.evidence) == 2 and item.deduction == 10
    ev = item.evidence[0]
    assert ev.text == "不归我们管" and ev.char_start == 2 and 8.5 < ev.start < ev.end < 12.5


@pytest.mark.parametrize(
    "text",
    [
        "您是说社区讲“这个不归我们管”，是吧？",
        "我们不会跟您说不知道的。",
        "不知道您方便留个电话吗？",
        "能不能办到我现在没办法保证。",
    ],
)
def test_reported_negated_or_polite_wording_is_not_forbidden(scorer, text):
    r = scorer.run(call(("caller", 4.5, 8.0, "社区说不归他们管。"), ("agent", 8.5, 13.0, text)))
    assert not r.item("forbidden_phrase").violated


def test_interrupt_needs_overlap_and_ignores_backchannel(scorer):
    caller = ("caller", 4.5, 14.0, "我们这个路灯坏了好久了，晚上黑得很，老人出门都不方便，你们能不能")
    short = scorer.run(call(caller, ("agent", 13.4, 16.0, "好的，哪个小区？")))
    backchannel = scorer.run(call(caller, ("agent", 8.0, 10.0, "嗯嗯，要得。")))
    cut_in = scorer.run(call(caller, ("agent", 10.0, 15.0, "哪个小区的路灯？")))
    assert not short.item("interrupt").violated and not backchannel.item("interrupt").violated
    item = cut_in.item("interrupt")
    assert item.violated and item.evidence[0].start == 10.0 and item.evidence[0].end == 14.0


def test_silence_without_notice_but_not_after_hold_phrase(scorer):
    caller = ("caller", 4.5, 8.0, "我想查一下工单。")
    silent = scorer.run(
        call(caller, ("agent", 8.5, 9.0, "好。"), ("agent", 25.0, 30.0, "查到了，在办理中。"))
    )
    told = scorer.run(
        call(caller, ("agent", 8.5, 10.0, "请您稍等。"), ("agent", 25.0, 30.0, "查到了，在办理中。"))
    )
    item = silent.item("silence")
    assert item.violated and (item.evidence[0].start, item.evidence[0].end) == (9.0, 25.0)
    assert not told.item("silence").violated


def test_speech_rate_too_fast(scorer):
    fast = (
        "不用回去，下载交管十二一二三注册绑定驾驶证和车辆就能查违法记录，电子抓拍的可以直接在上面处理交罚款。"
    )
    r = scorer.run(call(("caller", 4.5, 8.0, "违章要回去处理吗？"), ("agent", 8.5, 14.0, fast)))
    assert r.item("speech_rate").violated and r.item("speech_rate").details["chars_per_s"] > 6


def test_kb_answer_conflicting_number_and_fee(scorer):
    kb = "本人带身份证到派出所申请，一般3个工作日内出具，不收费。"
    wrong = scorer.run(
        call(
            ("caller", 4.5, 8.0, "无犯罪记录证明怎么开？"),
            ("agent", 8.5, 16.0, "带身份证到派出所开，要交二十块钱，七个工作日出来。"),
            kb_answer=kb,
        )
    )
    right = scorer.run(
        call(
            ("caller", 4.5, 8.0, "无犯罪记录证明怎么开？"),
            ("agent", 8.5, 16.0, "带身份证到派出所申请，不收费，一般三个工作日出具。"),
            kb_answer=kb,
        )
    )
    notes = " ".join(e.note for e in wrong.item("kb_agreement").evidence)
    assert wrong.item("kb_agreement").violated and "7个工作日" in notes
    assert not right.item("kb_agreement").violated
    assert not scorer.run(call(("caller", 4.5, 8.0, "问个事。"))).item("kb_agreement").applicable


def test_dispatch_aliases_and_reasons(scorer):
    base = [("caller", 4.5, 9.0, "步行街有人占道摆摊。")]
    same = scorer.run(call(*base, dispatch={"suggested": "鹤峰县城市管理执法局", "chosen": "县城管局"}))
    other = scorer.run(call(*base, dispatch={"suggested": "容美镇人民政府", "chosen": "走马镇政府"}))
    reason = scorer.run(
        call(
            *base,
            dispatch={"suggested": "容美镇人民政府", "chosen": "走马镇政府", "reason": "地点在走马辖区"},
        )
    )
    assert not same.item("dispatch").violated
    assert other.item("dispatch").violated
    assert not reason.item("dispatch").violated and reason.item("dispatch").confidence < 0.85


def test_appeal_type_downgrade_and_its_negations(scorer):
    ticket = {"appeal_type": "咨询", "phones": ["13872651190"], "content": "来电人反映烧烤店油烟扰民"}
    down = scorer.run(call(("caller", 4.5, 9.0, "我要投诉那个烧烤店，油烟太大了。"), ticket=ticket))
    asks = scorer.run(call(("caller", 4.5, 9.0, "我不是投诉哈，就问一下举报电话是好多。"), ticket=ticket))
    accused = scorer.run(call(("caller", 4.5, 9.0, "有人投诉我，我想问是哪个。"), ticket=ticket))
    assert down.item("appeal_type").violated and down.item("appeal_type").evidence[0].text == "我要投诉"
    assert not asks.item("appeal_type").violated and not accused.item("appeal_type").violated


def test_key_facts_phone_must_match_the_call(scorer):
    turns = [
        ("caller", 4.5, 9.0, "我们停水三天了。"),
        ("agent", 9.5, 12.0, "您的电话是多少？"),
        ("caller", 12.5, 16.0, "一三九，七二八五，六六一零。"),
    ]
    ticket = {"appeal_type": "求助", "address_detail": "三家台村四组", "content": "来电人反映停水三天"}
    missing = scorer.run(call(*turns, ticket={**ticket, "phones": []}))
    typo = scorer.run(call(*turns, ticket={**ticket, "phones": ["13972856601"]}))
    good = scorer.run(call(*turns, ticket={**ticket, "phones": ["13972856610"]}))
    assert missing.item("key_facts").details["problems"] == ["联系电话"]
    assert typo.item("key_facts").details["problems"] == ["联系电话与通话不一致"]
    assert not good.item("key_facts").violated


def test_fatal_errors_zero_the_total_and_go_to_a_person(scorer):
    abuse = scorer.run(call(("caller", 4.5, 8.0, "你再说一遍。"), ("agent", 8.5, 11.0, "你是不是有病啊？")))
    promise = scorer.run(
        call(("caller", 4.5, 8.0, "下水道堵了。"), ("agent", 8.5, 12.0, "我保证明天就给你解决。"))
    )
    leak = scorer.run(
        call(("caller", 4.5, 9.0, "到底是哪个投诉的我？"), ("agent", 9.5, 13.0, "就是你楼上那个姓向的。"))
    )
    for r, item in ((abuse, "abuse"), (promise, "forbidden_promise"), (leak, "confidential_leak")):
        assert r.item(item).violated and r.fatal and r.total == 0 and r.route == "review"


def test_hedged_promise_and_refused_disclosure_are_fine(scorer):
    r = scorer.run(
        call(
            ("caller", 4.5, 9.0, "是谁举报的我？"),
            (
                "agent",
                9.5,
                16.0,
                "举报人信息是保密的，不能告诉您。查实的会依法处罚，什么时候解决我没办法保证。",
            ),
        )
    )
    assert (
        not r.fatal and not r.item("confidential_leak").violated and not r.item("forbidden_promise").violated
    )


def test_confidential_caller_named_to_a_third_party(scorer):
    ticket = {
        "appeal_type": "举报",
        "phones": ["13972840063"],
        "caller_name": "田家富",
        "confidential": True,
        "address_detail": "白果村",
        "content": "来电人举报夜间电鱼",
    }
    turns = [
        ("caller", 4.5, 9.0, "我举报有人电鱼，电话一三九七二八四零零六三。"),
        ("other", 12.0, 14.0, "喂，渔政。"),
        ("agent", 14.5, 20.0, "有群众反映白果村电鱼，反映人是田家富。"),
    ]
    r = scorer.run(call(*turns, ticket=ticket))
    assert r.item("confidential_leak").violated and r.item("confidential_leak").evidence[0].text == "田家富"


def test_caller_anger_and_agent_rudeness(scorer):
    r = scorer.run(
        call(
            ("caller", 4.5, 10.0, "你们到底管不管？打了三回了，气死人了！"),
            ("agent", 10.5, 14.0, "行了行了，你说重点。"),
        )
    )
    assert r.item("caller_emotion").violated and r.item("agent_attitude").violated
    assert r.item("caller_emotion").deduction == 0


def test_a_five_minute_call_scores_in_under_a_second(scorer):
    rows, t = [OPEN], 4.5
    while t < 300:
        rows.append(
            (
                "caller",
                t,
                t + 6.0,
                "我们村那条路又垮了一截，车子过不去，你们帮忙看一下，电话一三八七二六五一一九零。",
            )
        )
        rows.append(
            (
                "agent",
                t + 6.5,
                t + 12.0,
                "好的，请您注意安全，我给您登记转交通运输局处理，请问还有其他可以帮您的吗？",
            )
        )
        t += 12.5
    c = call(
        *rows[1:],
        ticket={"appeal_type": "求助", "phones": ["13872651190"], "content": "路垮了", "address": "村"},
        kb_answer="发现塌方请拨打12345或县交通运输局路政值班电话0718-5522205。",
    )
    start = time.process_time()  # CPU time: the shared box's load must not fail it
    r = scorer.run(c)
    assert time.process_time() - start < 1.0 and len(r.items) == 16


@pytest.mark.parametrize(
    "bad",
    [
        {"turns": "不是列表"},
        {"turns": [{"speaker": "robot", "start": 0, "end": 1}]},
        {"turns": [{"speaker": "agent", "start": 5, "end": 1, "text": "x"}]},
        {"turns": [{"speaker": "agent", "text": "x"}]},
    ],
)
def test_malformed_calls_are_refused_in_chinese(scorer, bad):
    with pytest.raises(InvalidCall) as err:
        scorer.run(bad)
    assert err.value.code == "invalid_call" and any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


def test_reporter_question_without_a_clear_refusal_goes_to_a_person(scorer):
    r = scorer.run(
        call(("caller", 4.5, 9.0, "是不是我隔壁那家打的电话？"), ("agent", 9.5, 12.0, "这个嘛，你自己想。"))
    )
    item = r.item("confidential_leak")
    assert not item.violated and item.confidence < 0.6 and r.route == "review"


def test_angry_caller_keeps_a_clean_call_from_auto_accept(scorer):
    r = scorer.run(
        call(
            ("caller", 4.5, 10.0, "你们到底管不管？打了三回了，气死人了！"),
            ("agent", 10.5, 15.0, "理解您的心情，我马上给您登记。"),
        )
    )
    assert r.item("caller_emotion").violated and r.total == 100 and r.route == "sample"


def test_one_word_orders_read_as_curt(scorer):
    r = scorer.run(
        call(
            ("caller", 4.5, 10.0, "我们村的路被滑坡堵了。"),
            ("agent", 10.5, 11.2, "地址。"),
            ("caller", 11.6, 13.0, "五里乡南村。"),
            ("agent", 13.4, 14.0, "电话。"),
        )
    )
    assert r.item("agent_attitude").violated
