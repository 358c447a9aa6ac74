"""Category text clean-up: boilerplate out, the matter's words kept."""

from __future__ import annotations

from classifiers.cleanup import clean_for_category, title_part


def test_greetings_numbers_dates_and_place_codes_are_removed():
    text = "尊敬的领导您好：我的电话13800001111，2019年5月3日A3区路灯坏了，谢谢！"
    out = clean_for_category(text)
    assert "路灯坏了" in out
    for gone in ("您好", "尊敬", "谢谢", "1380", "2019", "a3区", "领导"):
        assert gone not in out


def test_id_landline_and_times_go_other_numbers_become_zero():
    out = clean_for_category("身份证430103199001011234，座机0731-88889999，10:30到场，价格3.5元，共12户")
    assert "4301" not in out and "8888" not in out and "10:30" not in out
    assert "价格0元" in out and "共0户" in out


def test_full_width_and_case_are_normalised_and_empty_input_is_safe():
    assert clean_for_category("ＡＢＣ　小区  停水") == "abc 小区 停水"
    assert clean_for_category("") == "" and clean_for_category(None) == ""


def test_title_part_is_the_cleaned_start():
    assert title_part("您好，小区停水三天了没人管，请尽快处理", max_chars=8) == ",小区停水三天了"
    assert title_part("小区停水", max_chars=0) == ""
