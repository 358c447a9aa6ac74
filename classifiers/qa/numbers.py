"""Spoken numbers: phone numbers read digit by digit (一三八…, 幺八六…) and quantities with units
(三个工作日, 十五天, 20块钱, 百分之六十), turned into Arabic figures with a map back to the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.qa.text import Folded

DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
POWER = {"十": 10, "百": 100, "千": 1000}
UNITS = {
    "个工作日": "workday",
    "工作日": "workday",
    "个月": "month",
    "天": "day",
    "日": "day",
    "元": "yuan",
    "块": "yuan",
    "周岁": "age",
    "岁": "age",
    "个小时": "hour",
    "小时": "hour",
    "分钟": "minute",
    "%": "percent",
    "年": "year",
}
_UNIT_RE = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
_PHONE_CHARS = "0-9零〇一二三四五六七八九幺"
# groups of a number are read with a comma, a dash or a pause (一三八，七二六三……七七五幺; … folds to ...)
_GROUP_SEP = r"[-—，,、]|…+|\.{2,}"
_PHONE_RE = re.compile(rf"[{_PHONE_CHARS}](?:[{_PHONE_CHARS}]|(?:{_GROUP_SEP})(?=[{_PHONE_CHARS}]))*")
# short service numbers are whole as read (掌上12333，一个手机APP: the 一 is not a sixth digit)
_SERVICE_PREFIXES = ("123", "955", "961")
_SERVICE = frozenset({"110", "119", "120", "122"})
_CN_NUM = "零〇一二两三四五六七八九十百千万"
_CN_QTY = re.compile(rf"(百分之)?([{_CN_NUM}]+|\d+(?:\.\d+)?)(?=({_UNIT_RE}))?")
_QTY = re.compile(rf"(\d+(?:\.\d+)?)({_UNIT_RE})")


def cn_to_int(s: str) -> int | None:
    """``十五`` → 15, ``两千三`` → 2300, ``一万二`` → 12000, ``三`` → 3; None if not a number."""
    if not s or any(ch not in DIGIT and ch not in POWER and ch != "万" for ch in s):
        return None
    if all(ch in DIGIT for ch in s) and len(s) > 1:
        return int("".join(str(DIGIT[ch]) for ch in s))
    total, section, digit, last_power = 0, 0, None, 10_000
    for ch in s:
        if ch in DIGIT:
            digit = DIGIT[ch]
        elif ch in POWER:
            section += (1 if digit is None else digit) * POWER[ch]
            digit, last_power = None, POWER[ch]
        else:  # 万
            total += (section + (digit or 0)) * 10_000
            section, digit, last_power = 0, None, 10_000
    if digit is not None:  # 两千三 = 2300, 一万二 = 12000 (colloquial trailing digit)
        section += digit * (
            last_power // 10
            if last_power >= 100
            and len(s) > 1
            and s[-2] in POWER
            or last_power == 10_000
            and len(s) > 1
            and s[-2] == "万"
            else 1
        )
    return total + section


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    start: int
    end: int
    text: str


def arabize(f: Folded) -> Folded:
    """Chinese numerals that stand before a unit (and 百分之N) become Arabic; the map is kept."""
    out, pos, last = [], [], 0
    for m in _CN_QTY.finditer(f.s):
        pct, num, unit = m.group(1), m.group(2), m.group(3)
        if num.isdigit() or "." in num or not (unit or pct):
            continue
        value = cn_to_int(num)
        if value is None:
            continue
        out.append(f.s[last : m.start()])
        pos.extend(f.pos[last : m.start()])
        rep = str(value) + ("%" if pct else "")
        out.append(rep)
        pos.extend([f.pos[m.start()]] * len(rep))
        last = m.end()
    out.append(f.s[last:])
    pos.extend(f.pos[last:])
    return Folded("".join(out), tuple(pos), f.original)


def quantities(f: Folded) -> list[Quantity]:
    """Quantities with a unit in a folded, arabized text."""
    found = []
    for m in _QTY.finditer(f.s):
        if m.start() > 0 and f.s[m.start() - 1] == "第":
            continue  # 第二天 is a day, not a period of two days
        found.append(Quantity(float(m.group(1)), UNITS[m.group(2)], m.start(), m.end(), m.group(0)))
    return found


@dataclass(frozen=True)
class Phone:
    digits: str
    start: int
    end: int


def phones(f: Folded, min_digits: int = 5, max_digits: int = 12) -> list[Phone]:
    """Digit strings read out in a turn (phone numbers, hotlines). Groups separated by a comma or dash
    (一三八，七二六五，一一九零 / 0718-5522100) are joined until the number is complete. Longer digit
    strings (identity card numbers, account numbers) are not phone numbers and are skipped."""
    found = []
    for m in _PHONE_RE.finditer(f.s):
        acc, acc_start, pos = "", m.start(), m.start()
        last_end = pos
        for group in re.split(f"({_GROUP_SEP})", m.group(0)):
            if not group or re.fullmatch(_GROUP_SEP, group):
                pos += len(group)
                continue
            digits = "".join(str(DIGIT[ch]) if ch in DIGIT else ch for ch in group)
            if acc and (_complete(acc) or len(acc) + len(digits) > 12 or len(digits) > 12):
                if min_digits <= len(acc) <= max_digits:
                    found.append(Phone(acc, acc_start, last_end))
                acc, acc_start = "", pos
            acc += digits
            pos += len(group)
            last_end = pos
        if min_digits <= len(acc) <= max_digits:
            found.append(Phone(acc, acc_start, last_end))
    return found


def _complete(digits: str) -> bool:
    if is_mobile(digits) or digits in _SERVICE or (len(digits) == 5 and digits.startswith(_SERVICE_PREFIXES)):
        return True
    if digits.startswith("0"):
        return len(digits) >= 11
    return len(digits) >= 7 and digits[0] != "1"


def is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def phone_kind(digits: str) -> str:
    """``mobile``, ``hotline`` (short service numbers such as 12345, 12333, 110) or ``landline``."""
    if is_mobile(digits):
        return "mobile"
    if len(digits) <= 6 and digits.startswith("1"):
        return "hotline"
    return "landline"
