"""QA matching beyond the word lists' exact wording: dialect folding, traditional characters, and
approximate matching of phrases (extra words inside, one word swapped), without giving up precision."""

from __future__ import annotations

import pytest

from classifiers.qa import InvalidRubric, QaScorer, load_rubric
from classifiers.qa.context import compile_lexicon
from classifiers.qa.fuzzy import approx_find, fuzzy_form
from classifiers.qa.text import compile_phrases, dialect_words, find_all, fold


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("不归我们管", "这个不归我们这边管的"),  # words put in
        ("我也没有办法", "我这边也是没有办法"),
        ("你到底要干什么", "快点说，你到底要问什么"),  # one word swapped in a long phrase
        ("后面还有人排队", "后面还有好多人排队"),
    ],
)
def test_a_phrase_matches_with_words_put_in_or_one_swapped(phrase, text) -> None:
    assert approx_find(phrase, text)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("你自己去问", "我自己去问一下"),  # who: a pronoun is never swapped
        ("我也没有办法", "我也不是没有办法"),  # whether: a negation is never put in
        ("不归我们管", "不归，我们管"),  # never across punctuation
        ("一个踢一个", "您一个一个说"),  # short phrases: nothing missing or swapped
        ("有没有人管", "现场有没有人员受伤"),  # a match ends on the phrase's own last character
    ],
)
def test_a_phrase_does_not_match_what_means_otherwise(phrase, text) -> None:
    assert not approx_find(phrase, text)


def test_numbers_and_short_phrases_match_only_exactly() -> None:
    assert fuzzy_form("12345") == "" and fuzzy_form("一二三四五") == "" and fuzzy_form("稍等") == ""
    assert fuzzy_form("不归我们管") == "不归我们管"


def test_dialect_and_traditional_forms_fold_to_one_form_with_evidence_in_the_original() -> None:
    words = dialect_words({"晓得": "知道", "莫得": "没有", "么子": "什么"})
    f = fold("我哪個曉得嘛，莫得辦法", words)
    assert f.s == "我哪个知道嘛,没有办法"
    phrases = compile_phrases(["我也没有办法", "re:我哪(里|个)?(晓得|知道)"], "forbidden", words, fuzzy=True)
    hits = find_all(phrases, f)
    assert [f.original[slice(*f.span(s, e))] for s, e, _ in hits] == ["我哪個曉得"]
    g = fold("我這邊也是莫得辦法", words)
    assert [g.original[slice(*g.span(s, e))] for s, e, _ in find_all(phrases, g)] == ["我這邊也是莫得辦法"]


def test_a_dialect_entry_must_keep_its_length() -> None:
    with pytest.raises(InvalidRubric, match="字数须相同"):
        dialect_words({"晓得": "知"})
    lists = dict(load_rubric().word_lists)
    with pytest.raises(InvalidRubric, match="不认识的词表"):
        compile_lexicon({**lists, "fuzzy": ["no_such_list"]})


def _call(agent_line: str) -> dict:
    return {
        "turns": [
            {"speaker": "agent", "start": 0.0, "end": 4.0, "text": "您好，12345热线，很高兴为您服务。"},
            {"speaker": "caller", "start": 4.5, "end": 9.0, "text": "我们村的路灯坏了好久了，找哪个嘛？"},
            {"speaker": "agent", "start": 9.5, "end": 13.5, "text": agent_line},
            {"speaker": "caller", "start": 14.0, "end": 15.0, "text": "好嘛。"},
            {"speaker": "agent", "start": 15.5, "end": 19.0, "text": "请问还有其他需要帮助的吗？感谢您的来电。"},
        ]
    }


@pytest.mark.parametrize(
    "line",
    ["路灯这个不归我们这边管的，你找村里。", "我這邊也是沒有辦法，你找村里。", "这个我咋个晓得嘛，你找村里。"],
)
def test_forbidden_wording_the_list_does_not_hold_is_found(line) -> None:
    item = QaScorer(use_model=False).run(_call(line)).item("forbidden_phrase")
    assert item.violated and item.evidence[0].turn == 2


@pytest.mark.parametrize(
    "line",
    ["您是说村里讲不归他们管是吧？我帮您转县城管局。", "不晓得您方便留个电话吗？我帮您转县城管局。"],
)
def test_quoted_or_polite_forms_stay_compliant(line) -> None:
    assert not QaScorer(use_model=False).run(_call(line)).item("forbidden_phrase").violated


def _scored(lines: list[tuple[str, str]]) -> QaScorer:
    turns, t = [], 0.0
    for speaker, text in lines:
        turns.append({"speaker": speaker, "start": t, "end": t + max(1.0, len(text) / 4), "text": text})
        t += max(1.0, len(text) / 4) + 0.5
    return QaScorer(use_model=False).run({"turns": turns})


def test_openings_and_closings_are_read_by_their_kind_not_one_wording() -> None:
    ok = _scored([("agent", "下午好，鹤峰12345热线，请讲。"), ("caller", "我问下医保的事。"),
                  ("agent", "好的，已经给您记下了，您还有其他啥子事不？"), ("caller", "没得了。"),
                  ("agent", "好的，再见。")])
    assert not ok.item("opening").violated and not ok.item("closing").violated
    bad = _scored([("agent", "喂，你说。"), ("caller", "我问下医保的事。"), ("agent", "好，那就这样。")])
    assert bad.item("opening").violated and bad.item("closing").violated


@pytest.mark.parametrize("line", ["你脑袋是不是进水了，听不明白？", "你是不是傻啊，要带身份证。"])
def test_insults_in_other_words_are_abuse(line) -> None:
    r = _scored([("agent", "您好，12345热线，很高兴为您服务。"), ("caller", "那要带么子？"), ("agent", line)])
    assert r.item("abuse").violated and r.fatal


def test_a_caller_reporting_an_insult_is_not_abuse() -> None:
    r = _scored([("agent", "您好，12345热线，很高兴为您服务。"), ("caller", "那个老板骂我脑子有问题！"),
                 ("agent", "他说您脑子有问题，是吧？这确实不对。")])
    assert not r.item("abuse").violated


def test_a_reported_insult_and_a_polite_question_are_not_held_against_the_agent() -> None:
    r = _scored([("agent", "您好，12345热线，很高兴为您服务。"), ("caller", "物业经理骂我是憨包，还要停我的水！"),
                 ("agent", "物业经理骂您憨包，是吧？不晓得您那边有没有录音，我们好转给住建局。")])
    assert not r.item("abuse").violated and not r.item("forbidden_phrase").violated


def test_a_call_that_ends_on_the_callers_goodbye_is_not_a_missing_closing() -> None:
    lines = [("agent", "您好，12345热线，很高兴为您服务。"), ("caller", "社保局电话是多少？"),
             ("agent", "县人社局的电话是零七幺八，五五二幺二零一。")]
    hung_up = _scored([*lines, ("caller", "好，记到了，我自己打过去。")])
    assert not hung_up.item("closing").violated and hung_up.item("closing").confidence < 0.85
    unanswered = _scored([*lines, ("caller", "你就这样答复的？")])
    assert unanswered.item("closing").violated
