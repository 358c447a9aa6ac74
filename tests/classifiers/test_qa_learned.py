"""The learned fatal-family sentence model (issue 7, sixth round): it loads, reads the families in wording
the lists lack, spares the hard negatives, never lets a fatal hit be auto-accepted, and trains reproducibly."""

from __future__ import annotations

import pytest

from classifiers.qa import QaScorer
from classifiers.qa.errors import InvalidRubric
from classifiers.qa.sentences import (
    FAMILIES,
    TRAIN_FILE,
    FatalSentenceModel,
    load_sentence_model,
    read_training,
)
from eval.tasks.qa_utterances import make_call


@pytest.fixture(scope="module")
def scorer() -> QaScorer:
    s = QaScorer()
    s.warm_up()
    return s


def judge(scorer: QaScorer, item: str, agent: str, caller: str = ""):
    result = scorer.run(make_call(item, caller, agent, 0))
    return result, result.item(item)


def test_training_file_loads_with_every_label():
    rows = read_training(TRAIN_FILE)
    assert len(rows) >= 500
    assert {r.label for r in rows} == {"ok", *FAMILIES}
    assert any(r.context for r in rows if r.label == "leak")


def test_bad_training_line_is_a_chinese_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("insult\t你好\n", encoding="utf-8")
    with pytest.raises(InvalidRubric, match="格式有误"):
        read_training(bad)


def test_training_is_reproducible():
    rows = read_training(TRAIN_FILE)[::3]  # a third of the file keeps the test quick
    agents = ["你这个脑壳怕是拿来装饭的。", "我们会在三个工作日内联系您。"]
    a = FatalSentenceModel().fit(rows).proba(agents)
    b = FatalSentenceModel().fit(rows).proba(agents)
    assert a == b


def test_cached_model_is_shared(scorer):
    assert load_sentence_model(TRAIN_FILE, scorer.lexicon.words) is scorer._learned


@pytest.mark.parametrize(
    ("item", "caller", "agent"),
    [
        ("abuse", "", "你这个样子，怕是你屋里狗都嫌弃你。"),
        ("abuse", "", "你这个记性，跟我屋里那只老母鸡差不多。"),
        ("confidential_leak", "到底是哪个举报我的？", "每天下午在你屋门口修摩托车的那个小伙子。"),
        ("forbidden_promise", "", "这个钱少一分你都来找我，我给您兜底。"),
        # a reporter named in reported-speech form is still a leak (reported speech excuses only the other families)
        ("confidential_leak", "到底是哪个业主反映的？", "就是你们楼里天天晚上在阳台上拉二胡的那位反映的。"),
    ],
)
def test_learned_family_hit_is_a_deduction_sent_to_a_person(scorer, item, caller, agent):
    result, found = judge(scorer, item, agent, caller)
    assert found.violated and found.evidence
    assert result.route == "review" and result.total == 0
    ev = found.evidence[0]
    assert ev.speaker == "agent" and ev.end > ev.start


@pytest.mark.parametrize(
    ("item", "caller", "agent"),
    [
        ("abuse", "", "他骂您是猪，这个话太难听了，我们记下来转给派出所。"),
        ("abuse", "", "不是您笨，这个网上的流程确实绕得很。"),
        ("confidential_leak", "到底是哪个举报我的？", "反映人的信息要保密，您先把门口的摩托车挪一下。"),
        ("confidential_leak", "我隔壁修摩托的天天吵。", "好的，您反映隔壁修摩托车的噪音，我们转给城管。"),
        ("forbidden_promise", "", "我们会在三个工作日内给您回电话。"),
        ("forbidden_promise", "", "能不能批下来要看审核，这个我不敢跟您打包票。"),
        ("forbidden_promise", "", "我给您登记一下，转给县住建局。"),
    ],
)
def test_hard_negatives_are_not_deducted(scorer, item, caller, agent):
    _, found = judge(scorer, item, agent, caller)
    assert not found.violated, found.message


def test_fatal_model_hits_are_never_auto_accepted(scorer):
    for item, agent in [
        ("abuse", "你讲话跟杀年猪一样，吵得人脑壳疼。"),
        ("forbidden_promise", "您就安心等到起，下个礼拜钱稳稳到卡上。"),
    ]:
        result, found = judge(scorer, item, agent)
        if found.details.get("learned") is not None:
            assert result.route == "review"


def test_thresholds_are_rubric_params(scorer):
    from classifiers.qa.rubric import load_rubric

    rubric = load_rubric(None)
    params = rubric.item("abuse").params
    assert 0 < params["learned_review"] < params["learned_deduct"] <= 1
    assert rubric.item("forbidden_phrase").params["learned_deduct"] == 1.0  # 禁用语: sampled, never deducted


def test_scorer_without_learned_model_keeps_the_rules(scorer):
    rules = QaScorer(use_learned=False)
    _, found = judge(rules, "abuse", "你这个样子，怕是你屋里狗都嫌弃你。")
    assert not found.violated
