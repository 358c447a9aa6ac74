import pytest

from asr.gazetteer import Gazetteer, fuzzy, readings

WORDS = ["青白江区", "龙泉驿", "双流区", "洛带镇", "黄龙溪", "新津", "城管局", "住建局", "不动产登记中心", "天府新区"]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(WORDS)


@pytest.mark.parametrize(
    ("heard", "corrected"),
    [
        ("我住在清白江区那边", "我住在青白江区那边"),  # same sound, wrong characters
        ("龙泉一这边的路灯坏了", "龙泉驿这边的路灯坏了"),
        ("我要找城关局投诉", "我要找城管局投诉"),
        ("去不动产登记中新办证", "去不动产登记中心办证"),
        ("洛代镇的菜市场", "洛带镇的菜市场"),
        ("我在兰泉驿", "我在兰泉驿"),  # lan/long: not a merger, left alone
        ("天俯新区", "天府新区"),
        ("黄农溪那边", "黄龙溪那边"),  # n/l merged in southwestern Mandarin
    ],
)
def test_corrections(gazetteer, heard, corrected):
    assert gazetteer.correct(heard) == corrected


@pytest.mark.parametrize(
    "text",
    ["我要求今天解决", "青白江区和龙泉驿都有", "城市管理很好", "新的问题", "路灯坏了三天"],
)
def test_correct_text_is_left_alone(gazetteer, text):
    assert gazetteer.correct(text) == text


def test_find_reports_what_changed(gazetteer):
    (c,) = gazetteer.find("我要找城关局")
    assert (c.start, c.end, c.heard, c.word, c.exact_sound) == (3, 6, "城关局", "城管局", True)


def test_fuzzy_mergers():
    assert fuzzy("zhang") == fuzzy("zan") == "zan"
    assert fuzzy("nong") == fuzzy("long")
    assert fuzzy("fu") == fuzzy("hu")
    assert "le" in readings("了") and "liao" in readings("了")
    assert readings("a") == frozenset()


def test_empty_and_odd_word_lists():
    assert Gazetteer([]).correct("清白江区") == "清白江区"
    assert Gazetteer(["", " ", "A", "x1"]).words == []
