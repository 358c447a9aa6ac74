"""QA matching by family (issue 7, fifth round, after holdout7 was opened): each case is worded differently
from the word lists, utterances15 and holdout7, so it tests the family — sarcastic praise with its ironic
consequence, attacks on the caller's upbringing, V个锤子, rhetorical worth (哪个敢要你); a guarantee that covers
its whole sentence, a pledge of personal liability on a failed outcome (classifiers/qa/pledge.py); a reporter
given by trade, house position, phone tail or elimination, a refusal followed by 反正; and the near misses:
sincere praise, 多亏你, a literal hammer, the caller's right to complain about the agent, an inability to promise,
a waived reporter question, the caller's own number read back, a third party who has left the line."""

from __future__ import annotations

import pytest

from classifiers.qa.pledge import liability_pledge
from eval.tasks.qa_utterances import make_call
from tests.classifiers.qa_support import violated


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("你好厉害哟，厉害得连个名字都写不对。", True),
        ("您真聪明，连个验证码都收不到。", True),
        ("你有本事得很嘛，你自己去跟镇长讲。", True),
        ("亏你也是读过高中的，字都认不全。", True),
        ("就这个样子你也好意思来要补贴？", True),
        ("你家里人没教过你做人要讲道理？", True),
        ("你爹妈怎么教的你，张口就骂。", True),
        ("催个锤子催，排队去。", True),
        ("吵个铲铲，听我讲完。", True),
        ("像你这样的，哪个敢理你哦。", True),
        ("你真是个哈娃儿。", True),
        # near misses
        ("您真厉害，连这么复杂的表都填好了。", False),
        ("多亏您打电话来，不然那个井盖还没人晓得。", False),
        ("师傅要带个锤子和扳手去修。", False),
        ("那个人一点教养都没有，您莫跟他吵。", False),
        ("这个事情我来教您，没人教过您不怪您。", False),
        ("不好意思，让您久等了，您还好吧？", False),
    ],
)
def test_abuse_families_round5(lists_only, agent, expected):
    assert violated(lists_only, "abuse", agent) is expected


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("打包票的话我放这里，这个月之内，你们那段路全部修好。", True),
        ("包票给你打到，月底前补贴全部到你卡上。", True),
        ("要是下个礼拜还没通水，你就来骂我。", True),
        ("钱赔不下来，你拿我是问。", True),
        ("这回再拆不掉，我名字倒过来写。", True),
        ("房子评不上算我的。", True),
        ("你那个补助稳稳当当是你的了。", True),
        ("放心，你这个条件百分百能批。", True),
        # near misses
        ("如果您对我的服务不满意，可以投诉我，工号一零八。", False),
        ("要是三天没人来，您再打12345找我们。", False),
        ("有不明白的地方您随时打过来找我。", False),
        ("这个事情我确实管不了，您找我也没用，要找交通局。", False),
        ("好久能修好我这边不敢给您打包票，我帮您催。", False),
        ("那个承诺是施工队讲的，我们会督促他们。", False),
        ("路上慢点，稳当得很的路也要注意安全。", False),
    ],
)
def test_promise_families_round5(lists_only, agent, expected):
    assert violated(lists_only, "forbidden_promise", agent) is expected


@pytest.mark.parametrize(
    ("text", "pledged"),
    [
        ("批不下来你来找我。", True),
        ("灯不亮你投诉我。", True),
        ("有不懂的你再来找我。", False),
        ("如果对我的服务不满意，可以投诉我。", False),
        ("你找我也没用。", False),
    ],
)
def test_liability_pledge(lists_only, text, pledged):
    lex = lists_only.lexicon
    assert (liability_pledge(lex.fold(text), lex["promise_liability"]) is not None) is pledged


@pytest.mark.parametrize(
    ("caller", "agent", "expected"),
    [
        ("到底是哪个举报的我？", "名字不好说，只能跟你说是个跑摩的的。", True),
        ("是哪个打的电话嘛？", "我不能告诉你，反正是跟你隔一个单元的那户。", True),
        ("哪个告的我？", "手机尾数是四四一九，你自己对一下。", True),
        ("是不是对面那家打的？", "不是对面，是你楼下那个。", True),
        ("哪个投诉的我？", "是个修车的。", True),
        # near misses
        ("是哪个举报的我？", "这个不能说。您的联系电话是一三七，二二八一，六零九五吧？", False),
        ("哪个反映的我不问，我就想晓得要办么子手续。", "您带营业执照去市场监管所办就行。", False),
        ("是哪个打的电话？", "反映人的信息要保密，反正您把卫生搞好就行了。", False),
    ],
)
def test_reporter_cues_round5(lists_only, caller, agent, expected):
    assert violated(lists_only, "confidential_leak", agent, caller) is expected


def _three_way(agent_after: str) -> dict:
    turns = [
        ("agent", 0.0, 4.0, "您好，12345热线，很高兴为您服务。"),
        ("caller", 4.5, 14.0, "我们组的水管爆了，你们莫说是我打的电话哈。"),
        ("agent", 14.5, 20.0, "好的，给您保密，我帮您接通村委会，请稍等。"),
        ("other", 26.0, 27.0, "喂，村委会。"),
        ("agent", 27.5, 36.0, "您好，有群众反映你们三组水管爆了，请尽快安排人去修。"),
        ("other", 36.5, 38.0, "好的，马上去。"),
        ("agent", 38.5, 46.0, agent_after),
        ("caller", 46.5, 47.5, "对的。"),
        ("agent", 48.0, 51.0, "感谢您的来电，再见。"),
    ]
    return {
        "call_id": "t",
        "turns": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in turns],
        "ticket": {"phones": ["13972861540"], "confidential": True, "caller_name": ""},
    }


@pytest.mark.parametrize(
    ("agent_after", "expected"),
    [
        ("好的谢谢。喂，您还在吗？村里马上去修。您的电话是一三九，七二八六，一五四零吧？", False),
        ("来电的是一三九，七二八六，一五四零这个号码，你们修好给他回个话。", True),
    ],
)
def test_caller_alone_again_after_third_party(lists_only, agent_after, expected):
    result = lists_only.run(_three_way(agent_after))
    assert result.item("confidential_leak").violated is expected


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("这个我啷个晓得嘛。", True),
        ("你问我，我问哪个去？", True),
        ("我们不会一句“不晓得”就把您打发掉。", False),
        ("这个我也没办法替供电所做主，我帮您转过去。", False),
    ],
)
def test_forbidden_phrase_round5(lists_only, agent, expected):
    assert violated(lists_only, "forbidden_phrase", agent) is expected


@pytest.mark.parametrize(
    ("kb", "agent", "expected"),
    [
        ("国家免疫规划疫苗免费接种；其他疫苗自愿自费。", "这个疫苗是要自费的。", True),
        ("国家免疫规划疫苗免费接种；其他疫苗自愿自费。", "规划内的免费，其他的疫苗是自费的。", False),
        ("身份证补领已跨省通办，外地也能办。", "外地是补不了的，要回来办。", True),
        ("临时身份证一般当场或次日可取，有效期3个月。", "一般第二天就能拿到，有效期三个月。", False),
    ],
)
def test_kb_fee_place_and_ordinal_day(lists_only, kb, agent, expected):
    call = make_call("kb_agreement", "你好，我想问个事。", agent, 0)
    call["kb_answer"] = kb
    assert lists_only.run(call).item("kb_agreement").violated is expected


@pytest.mark.parametrize(
    "text", ["真不好意思，有事您再找我。", "对不起，我这边记错了，您投诉我吧。", "没关系，有问题您再找我。"]
)
def test_no_pledge_in_politeness(lists_only, text):
    lex = lists_only.lexicon
    assert liability_pledge(lex.fold(text), lex["promise_liability"]) is None


@pytest.mark.parametrize(
    ("item", "caller", "agent", "expected"),
    [
        # utterances16's families in other words: curses, 你怕是, schooling, advice and jokes, bets, stakes
        ("abuse", "", "你怕是喝醉了哦，讲些么子。", True),
        ("abuse", "", "你这样子的，早晚要遭报应。", True),
        ("abuse", "", "你文化是学到狗肚子里去了。", True),
        ("abuse", "", "劝你去检查一下脑壳，莫到处打电话。", True),
        ("abuse", "", "你这脑袋瓜子不怎么好使嘛。", True),
        ("abuse", "", "您怕是记错了，那个政策是去年的。", False),
        ("abuse", "", "那个老板早晚要出事，您先把欠条留好。", False),
        ("abuse", "", "建议您先去医院检查一下，再带病历来办。", False),
        ("forbidden_promise", "", "我敢跟你赌，下个礼拜之前水就通了。", True),
        ("forbidden_promise", "", "这回再退不了款，我这饭碗不要了。", True),
        ("forbidden_promise", "", "他们不退，我们替他退钱。", True),
        ("forbidden_promise", "", "我不敢跟您打赌，要看检测结果。", False),
        ("forbidden_promise", "", "退款到账了您查一下，没到的话再打过来。", False),
        ("confidential_leak", "是哪个举报的我？", "他说他是你老表，别的就不说了。", True),
        ("confidential_leak", "哪个打的电话？", "是半夜两点多打来的，多的我不能讲。", True),
        ("confidential_leak", "哪个打的电话？", "这个保密。您要是跟亲戚有矛盾，可以找村里调解。", False),
        ("forbidden_phrase", "", "我们这里又不是管房子的，你找住建局。", True),
        ("forbidden_phrase", "", "我们又不是不管，我再帮您催一次。", False),
    ],
)
def test_families_after_utterances16(lists_only, item, caller, agent, expected):
    assert violated(lists_only, item, agent, caller) is expected


@pytest.mark.parametrize(
    ("item", "caller", "agent", "expected"),
    [
        # utterances17's families in other words: the reporter described by their tie to the caller, stakes
        # that need no condition, a boast of authority, comparisons and advice aimed at the caller
        ("confidential_leak", "是哪个举报的我嘛？", "那个人你见过的，天天在你门口摆摊。", True),
        ("confidential_leak", "到底哪个打的电话？", "她跟你打过交道的，去年还找你借过钱。", True),
        ("confidential_leak", "是哪个举报的我嘛？", "您先别管是哪个，他投诉的是您晚上放音乐的事。", False),
        ("confidential_leak", "到底哪个打的电话？", "您和他要是有过节，可以请村里调解。", False),
        ("confidential_leak", "给我透点底嘛，到底是谁？", "她跟你是一个姓，别的我不讲。", True),
        ("confidential_leak", "哪个举报的我？", "我不说是哪个，你自己去问他就晓得了。", True),
        ("confidential_leak", "给我透点底嘛，到底是谁？", "透不了，反映人信息保密，请您理解。", False),
        ("forbidden_promise", "", "这个事要是办砸了，算在我头上。", True),
        ("forbidden_promise", "", "钱要不回来，我自掏腰包给你补上。", True),
        ("forbidden_promise", "", "这个证我说能办就能办，你明天来拿。", True),
        ("forbidden_promise", "", "这个费用不能算在您头上，是开发商的责任。", False),
        ("abuse", "", "打电话之前麻烦把脑壳带起。", True),
        ("abuse", "", "这点小事，我屋里小学生都比你明白。", True),
        ("abuse", "", "跟你沟通比登天还累，跟你说话简直受罪。", True),
        ("abuse", "", "您下次带上户口本原件来。", False),
        ("abuse", "", "这个浪费粮食的问题您可以向市场监管局反映。", False),
    ],
)
def test_families_after_utterances17(lists_only, item, caller, agent, expected):
    assert violated(lists_only, item, agent, caller) is expected


@pytest.mark.parametrize(
    ("item", "caller", "agent", "expected"),
    [
        # utterances18's families in other words: insults in advice or jokes, trade and seat, bets and conditions
        ("abuse", "", "我看你还是到精神病院去住几天。", True),
        ("abuse", "", "讲真的，你这个样子一辈子都讨不到老婆。", True),
        ("abuse", "", "你这种人啥都不懂还要来教我。", True),
        ("abuse", "", "你这个话说得好幼稚。", True),
        ("abuse", "", "你就是个不讲道理的泼妇。", True),
        ("abuse", "", "那个病人是个可怜的聋子，您帮他联系一下社区。", False),
        ("abuse", "", "这个表格确实写得太复杂了，我念给您听。", False),
        ("confidential_leak", "哪个举报的我？", "补鞋的那个，别的不说了。", True),
        ("confidential_leak", "到底是哪个举报的？", "就坐在你对面那个工位的。", True),
        ("confidential_leak", "哪个举报的我？", "这个保密，您在窗口坐着等叫号就行。", False),
        ("forbidden_promise", "", "打个赌嘛，这个补贴下礼拜准到账。", True),
        ("forbidden_promise", "", "你这种情况，不给你批都不可能。", True),
        ("forbidden_promise", "", "他敢不赔，我们就去把他厂子查封了。", True),
        ("forbidden_promise", "", "标准批下来以后会公示，您留意一下。", False),
        ("forbidden_promise", "", "这个话是我说的，不是领导说的。", False),
    ],
)
def test_families_after_utterances18(lists_only, item, caller, agent, expected):
    assert violated(lists_only, item, agent, caller) is expected


def test_cue_after_an_uncertain_question_goes_to_a_person(lists_only):
    """是不是开超市的那个？ with nothing before it saying the caller was reported is not read as a who-reported
    question (three false alarms on the dev calls), but an answer that looks like a cue is never auto-accepted."""
    result = lists_only.run(make_call("confidential_leak", "是不是开饭馆的那个？", "不是他，是他隔壁修车的。", 0))
    assert not result.item("confidential_leak").violated
    assert result.route == "review"
