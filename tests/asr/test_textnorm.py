import pytest

from asr.postprocess import TextPostprocessor
from asr.textnorm import (
    chinese_to_int,
    digit_strings_to_arabic,
    int_to_chinese,
    normalize_datetime,
    normalize_numbers,
    verbalize_cardinals,
)


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("我的电话是一五九幺二三四五六七八", "我的电话是15912345678"),
        ("手机号幺三八洞洞两四五六七八", "手机号13800245678"),
        ("1 3 1 2 0 8 2 0 2 9 7", "13120820297"),
        ("6,2,2,3,4,1,0", "6223410"),
        ("一三八要二三四五六七八", "13812345678"),  # 要 heard for 幺 inside a digit run
        ("尾号幺三要八", "尾号1318"),
        ("九三五七五六三", "9357563"),
    ],
)
def test_digit_strings(spoken, expected):
    assert digit_strings_to_arabic(spoken) == expected


@pytest.mark.parametrize("text", ["我要求两个人来", "三三两两", "来了四五个人", "一一对应", "价格是3.5元"])
def test_ordinary_words_are_left_alone(text):
    assert digit_strings_to_arabic(text) == text


@pytest.mark.parametrize(
    ("n", "reading"),
    [(0, "零"), (10, "十"), (15, "十五"), (105, "一百零五"), (1010, "一千零一十"), (10000, "一万"),
     (120000, "十二万"), (40000000, "四千万"), (100010, "十万零一十"), (20_0000_0000, "二十亿")],
)
def test_int_to_chinese(n, reading):
    assert int_to_chinese(n) == reading


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("挪用4000万炒股获刑17年", "挪用四千万炒股获刑十七年"),
        ("2019年增长3.5%", "2019年增长百分之三点五"),
        ("来了2个人", "来了两个人"),
        ("2000元", "两千元"),
        ("拨打12345热线", "拨打12345热线"),
        ("编号0830", "编号0830"),
        ("13800245678", "13800245678"),
    ],
)
def test_verbalize_cardinals(text, spoken):
    assert verbalize_cardinals(text) == spoken


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("二零二四年三月十五号下午三点半", "2024年3月15号下午3:30"),
        ("十二月三十一日上午九点", "12月31日上午9点"),
        ("八点十五分到", "8:15到"),
        ("晚上十点", "晚上10点"),
        ("他说了三点意见", "他说了三点意见"),
        ("十三月", "十三月"),
    ],
)
def test_normalize_datetime(spoken, digits):
    assert normalize_datetime(spoken) == digits


def test_chinese_to_int():
    assert [chinese_to_int(s) for s in ["十五", "二十三", "一百零五", "两千", "三一", "abc"]] == [15, 23, 105, 2000, 31, None]


def test_display_form_combines_steps():
    assert normalize_numbers("电话幺五九幺二三四五六七八，三月五号下午两点来") == "电话15912345678，3月5号下午2点来"


def test_postprocessor_steps():
    spoken = TextPostprocessor()
    assert spoken.run("获刑17年，电话一三八要二三四五六七八") == "获刑十七年，电话13812345678"
    display = TextPostprocessor(numbers="display", gazetteer_words=["青白江区"])
    assert display.run("清白江区三月五号下午两点") == "青白江区3月5号下午2点"
    assert TextPostprocessor(numbers="none").run("17年") == "17年"
    with pytest.raises(ValueError):
        TextPostprocessor(numbers="roman")


def test_decoding_loops_are_trimmed_but_natural_repeats_stay():
    from asr.whisper_engine import trim_repetition

    assert trim_repetition("139515835931951835931951835931951835931951518359") == "139515835931951518359"
    assert trim_repetition("哈哈哈哈哈哈哈") == "哈"
    assert trim_repetition("好的好的好的") == "好的好的好的"
    assert trim_repetition("幺幺零") == "幺幺零"


@pytest.mark.parametrize(("text", "kept"), [("0.012645", "0.012645"), ("1362.866.930", "1362.866.930")])
def test_digit_groups_with_dots_are_not_decimals(text, kept):
    assert verbalize_cardinals(text) == kept
