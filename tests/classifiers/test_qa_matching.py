"""QA matching by kind (issue 7): insults, 禁用语, promises and reporter leaks in wording beyond one listed
phrase, with negation, reported speech, third persons and help that takes a phrase back; and the routing
that sends a suspected fatal error to a person."""

from __future__ import annotations

import json
from argparse import Namespace

import pytest

from classifiers.qa import InvalidRubric, QaScorer
from eval.common import DEV_DIR
from eval.tasks import qa_utterances
from eval.tasks.qa_utterances import make_call, read_lines


@pytest.fixture(scope="module")
def with_model() -> QaScorer:
    s = QaScorer()
    s.warm_up()
    return s


@pytest.fixture(scope="module")
def exemplar_only() -> QaScorer:
    """The scorer with the exemplar model but without the learned fatal-family model (sixth round)."""
    s = QaScorer(use_learned=False)
    s.warm_up()
    return s


def judge(scorer: QaScorer, item: str, agent: str, caller: str = ""):
    result = scorer.run(make_call(item, caller, agent, 0))
    return result, result.item(item)


@pytest.mark.parametrize(
    ("item", "agent"),
    [
        ("abuse", "你耳朵聋了是不是？跟你说了社保卡。"),
        ("abuse", "你个瓜娃子，莫在这里乱说。"),
        ("abuse", "我看你是老年痴呆了吧。"),
        ("abuse", "你那么能干，你自己去修嘛。"),
        ("abuse", "你一个大男人，哭哭啼啼的丢不丢人。"),
        ("forbidden_phrase", "我说了三遍了，社保卡！"),
        ("forbidden_phrase", "那你想怎么样嘛，我们又不是神仙。"),
        ("forbidden_phrase", "我咋个晓得嘛。"),
        ("forbidden_phrase", "这个我也搞不清楚，你打去问下社区嘛。"),
        ("forbidden_phrase", "啥子都问我，问了也白问。"),
        ("forbidden_promise", "您放心，这个钱百分之百能给您要回来。"),
        ("forbidden_promise", "今天就给你解决，你放心。"),
        ("forbidden_promise", "我跟你打包票，下个礼拜路灯就亮了。"),
        ("forbidden_promise", "我们会给你补偿的。"),
        ("forbidden_promise", "包你满意。"),
    ],
)
def test_violations_in_unlisted_wording(lists_only, item, agent):
    result, found = judge(lists_only, item, agent)
    assert found.violated, found.message
    assert found.evidence and found.evidence[0].text in agent
    if found.fatal:
        assert result.route == "review" and result.total == 0


@pytest.mark.parametrize(
    ("item", "agent"),
    [
        ("abuse", "他骂您是疯子，是吧？我给您记下来。"),  # reported speech
        ("abuse", "这个人太不要脸了，您是说他占了您家的路，对吧？"),  # a third person, not the caller
        ("abuse", "我耳朵不太好，您大点声说一下好吗？"),
        ("abuse", "疯狗咬人的事我马上转派出所和社区。"),
        ("forbidden_phrase", "这个我确实不太清楚，我帮您转问一下县医保局。"),  # honest, then helps
        ("forbidden_phrase", "这个不属于我们县的事权，我帮您转州里的热线。"),  # 推诿 taken back by help
        ("forbidden_phrase", "不知道您方便留个电话吗？"),  # polite question
        ("forbidden_phrase", "我再给您说一遍，是社保卡。"),
        ("forbidden_phrase", "我最后再说一遍您的地址，容美镇屏山路八号。"),
        ("forbidden_phrase", "您好，您可能打错电话了，这里是12345热线。"),
        ("forbidden_phrase", "您是说社区讲“这个不归我们管”，是吧？"),
        ("forbidden_promise", "不能跟您保证一定能要回来，这个要看调查。"),  # negated
        ("forbidden_promise", "能不能退钱要看市场监管局调查的结果。"),  # open question
        ("forbidden_promise", "我没办法保证结果，但一定把情况反映上去。"),  # a process promise
        ("forbidden_promise", "这种情况肯定会依法处理的。"),
        ("forbidden_promise", "您放心，您的信息我们一定保密。"),
    ],
)
def test_near_misses_are_not_violations(lists_only, item, agent):
    _, found = judge(lists_only, item, agent)
    assert not found.violated, [e.text for e in found.evidence]


def test_caller_insult_is_not_agent_abuse(lists_only):
    result, found = judge(
        lists_only, "abuse", "您先别急，我给您登记。", caller="你个憨包，你们都是吃干饭的！"
    )
    assert not found.violated


@pytest.mark.parametrize(
    ("caller", "agent", "leak"),
    [
        ("到底是哪个举报我的？", "我们不能说，不过您自己想想最近跟哪个闹过矛盾嘛。", True),
        ("是不是隔壁王家告的？", "你心里有数就行了，我就不多说了。", True),
        ("是不是张老三打的电话？", "嗯，你猜得差不多。", True),
        ("我想问个事。", "举报你的是你们楼上那家。", True),  # named without being asked
        ("城管说有人举报我家搭棚子。", "是你们小区的张阿姨反映的。", True),
        ("楼下烧烤店油烟大，不要说是我反映的。", "好的，我们会跟他们说是你反映的。", True),
        ("城管说有人举报我家搭棚子。", "我们不会跟对方说是您举报的。", False),
        ("我想问个事。", "这个问题是你们自己反映的吗？", False),
        ("到底是哪个举报我的？", "不好意思，举报人的信息是保密的，我们不能透露。", False),
        ("你告诉我是哪个反映的。", "我不会说是谁举报的，这是规定。", False),
        ("我家隔壁天天晚上打麻将吵得很。", "好的，您隔壁的噪音问题我给您登记，转派出所处理。", False),
    ],
)
def test_reporter_leaks(lists_only, caller, agent, leak):
    result, found = judge(lists_only, "confidential_leak", agent, caller=caller)
    assert found.violated is leak, found.message
    if leak:
        assert result.route == "review"


def test_caller_protest_sends_the_call_to_a_person(lists_only):
    call = make_call("abuse", "", "你这个人一天到晚就晓得找事。", 0)
    call["turns"][3]["text"] = "你么样这样说话？你这是么子态度！"
    result = lists_only.run(call)
    found = result.item("abuse")
    assert not found.violated and found.confidence < 0.6 and result.route == "review"


@pytest.mark.parametrize(
    ("item", "agent"),
    [
        ("abuse", "你这个人真的是，没见过这么难缠的。"),
        ("forbidden_promise", "这个事情你放心，交给我们就是了。"),
    ],
)
def test_sentence_model_suspicion_is_reviewed_not_deducted(exemplar_only, lists_only, item, agent):
    result, found = judge(exemplar_only, item, agent)
    assert not found.violated and found.confidence < 0.6 and result.route == "review"
    assert found.evidence and "模型" in found.evidence[0].note
    bare, _ = judge(lists_only, item, agent)
    assert bare.route != "review"  # the word lists alone would have let it through


@pytest.mark.parametrize(
    "name",
    [
        "utterances.txt",
        "utterances2.txt",
        "utterances4.txt",
        "utterances5.txt",
        "utterances7.txt",
        "utterances8.txt",
    ],
)
def test_utterance_sets_the_lists_were_fixed_on(name):
    figures = qa_utterances.run(Namespace(data=DEV_DIR / "qa" / name, show=False, no_model=True))
    assert figures["micro_precision"] == 1.0 and figures["micro_recall"] == 1.0
    assert figures["fatal_auto_accepted"] == 0
    assert len(read_lines(DEV_DIR / "qa" / name)) == figures["lines"]


@pytest.mark.parametrize(
    ("agent", "violated"),
    [
        ("好的，谢谢，再见。", False),
        ("那就这样，有问题再打过来。", True),
        ("好的，祝您生活愉快，再见。", True),
    ],
)
def test_closing_thanks_and_goodbye(lists_only, agent, violated):
    _, found = judge(lists_only, "closing", agent)
    assert found.violated is violated


def test_county_sets_the_suspicion_threshold():
    from classifiers.qa.rubric import DEFAULT_RUBRIC

    raw = json.loads(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    raw["word_lists"] = {}
    next(i for i in raw["items"] if i["id"] == "abuse")["params"]["suspect_threshold"] = 1.0
    strict = QaScorer(raw, use_learned=False)  # the exemplar model's threshold (the learned one has its own)
    _, found = judge(strict, "abuse", "你这个人真的是，没见过这么难缠的。")
    assert not found.violated and found.confidence >= 0.6  # no sentence reaches 1.0
    next(i for i in raw["items"] if i["id"] == "abuse")["params"]["suspect_threshold"] = 1.5
    with pytest.raises(InvalidRubric):
        QaScorer(raw)
