"""The callback script generator."""

from __future__ import annotations

import pytest

from classifiers.callback import InvalidSettingError, callback_script


def test_script_has_every_part() -> None:
    text = callback_script("王先生", "中营镇三里荒村路灯不亮", "已于5月3日更换灯泡，恢复照明", "小李", "鹤峰县12345热线",
                           unit="中营镇人民政府")
    assert text.startswith("王先生您好，我是鹤峰县12345热线的话务员小李")
    assert "您之前反映中营镇三里荒村路灯不亮的问题" in text and "中营镇人民政府答复：已于5月3日更换灯泡，恢复照明" in text
    assert "解决、部分解决，还是未解决" in text and "满意、基本满意，还是不满意" in text
    assert text.rstrip().endswith("再见！")
    assert len(text) < 220  # short enough to read aloud


def test_long_parts_are_cut_and_keys_prompted() -> None:
    reply = "经核查，该路段属于县公路局养护范围，已联系公路局于本月内安排维修，" * 4
    text = callback_script("李阿姨", "村道路面坑洼问题", reply, "张敏", "鹤峰县12345热线", keys=True)
    assert "等。" in text and len(text) < 320
    assert "解决请按1，部分解决请按2，未解决请按3" in text and "不满意请按3" in text
    assert "承办单位答复" in text and "村道路面坑洼的问题" in text


def test_missing_parts_are_refused() -> None:
    with pytest.raises(InvalidSettingError):
        callback_script("", "路灯不亮", "已修复", "小李", "鹤峰县12345热线")


def test_unknown_caller_is_greeted_once() -> None:
    script = callback_script("您", "路灯不亮", "已修复", "向晓雯", "鹤峰县12345热线")
    assert script.startswith("您好，") and "您您好" not in script
    assert callback_script("张先生", "路灯不亮", "已修复", "向晓雯", "鹤峰县12345热线").startswith("张先生您好，")
