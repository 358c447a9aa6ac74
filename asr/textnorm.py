"""Number normalisation after recognition, as separate, separately tested steps.

- :func:`digit_strings_to_arabic`: digit-by-digit readings (phone, ID, house numbers), including
  幺 = 1, 两 = 2, 洞 = 0 and the homophones recognisers write for 幺 inside such a run, → ASCII
  digits; separators recognisers put between digits are dropped.
- :func:`verbalize_cardinals`: the recogniser's Arabic *quantities* (4000万, 17年 as a duration,
  3.5, 50%) → the Chinese reading that was spoken, so the transcript says what was said; digit
  strings (5+ digits, leading zero, four-digit years) stay digits.
- :func:`normalize_datetime`: spoken dates and clock times → digits (二零二四年三月十五日 →
  2024年3月15日, 下午三点半 → 下午3:30), for display and form filling.
- :func:`normalize_numbers`: the display form, digit strings then dates and times.
"""

from __future__ import annotations

import re

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9, "幺": 1, "两": 2, "洞": 0}
_DIGIT_CN = "零一二三四五六七八九"
_YAO_HOMOPHONES = "要腰妖邀吆"
_ANY_DIGIT = "0-9０-９" + "".join(_CN_DIGIT) + _YAO_HOMOPHONES
_SEP = r"[ ,\-]"
# a run of digit words, possibly separated by single separators (1 3 1 2 / 6,2,2,3)
_RUN = re.compile(rf"[{_ANY_DIGIT}](?:{_SEP}?[{_ANY_DIGIT}])+")
_CONTEXT = re.compile(r"(电话|手机|号码|号是|尾号|编号|工号|门牌|身份证|座机|热线|拨打|打|号)$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _digit_value(ch: str) -> str | None:
    if ch.isascii() and ch.isdigit():
        return ch
    if ch in _CN_DIGIT:
        return str(_CN_DIGIT[ch])
    if ch in _YAO_HOMOPHONES:
        return "1"
    return None


def digit_strings_to_arabic(text: str, min_digits: int = 5, min_digits_in_context: int = 3) -> str:
    """Spoken digit strings → ASCII digits (一五九幺二… → 1591 2…).

    A run counts when it has ``min_digits`` digits, or ``min_digits_in_context`` after a word such
    as 电话/号码/尾号. Homophones of 幺 (要, 腰…) and 两 count only inside a run that holds at
    least two other digits that are not themselves ambiguous, so 要求 or 两个 stay as they are.
    """
    text = text.translate(_FULLWIDTH)

    def repl(match: re.Match[str]) -> str:
        chunk = match.group(0)
        chars = [c for c in chunk if not re.fullmatch(_SEP, c)]
        plain = sum(1 for c in chars if c not in _YAO_HOMOPHONES and c != "两")
        context = _CONTEXT.search(text[: match.start()]) is not None
        needed = min_digits_in_context if context else min_digits
        if len(chars) < needed or plain < 2:
            return chunk
        if "." in chunk and re.fullmatch(r"\d+\.\d+", chunk):
            return chunk  # a decimal number, not a digit string
        if any(c in _YAO_HOMOPHONES for c in chars) and plain < max(3, len(chars) // 2):
            return chunk
        return "".join(_digit_value(c) or c for c in chars)

    return _RUN.sub(repl, text)


# --- cardinals ------------------------------------------------------------------------------
_UNITS = ["", "十", "百", "千"]
_MEASURE_TWO = "个万千百亿位次天年岁只条件名家户人元块套栋台辆张本份项起"


def int_to_chinese(n: int) -> str:
    """0 … 10^12 as read aloud: 10 → 十, 15 → 十五, 105 → 一百零五, 40000000 → 四千万."""
    if n == 0:
        return "零"
    if n >= 10**12:
        return "".join(_DIGIT_CN[int(d)] for d in str(n))
    parts = []
    for unit, size in (("亿", 10**8), ("万", 10**4), ("", 1)):
        block, n = divmod(n, size)
        if block:
            if parts and block < 1000:
                parts.append("零")
            parts.append(_below_10k(block) + unit)
        elif parts and n:
            parts.append("零")
    out = "".join(parts)
    out = re.sub("零+", "零", out).rstrip("零")
    return out[1:] if out.startswith("一十") else out


def _below_10k(n: int) -> str:
    digits = f"{n:04d}"
    out, zero = "", False
    for i, d in enumerate(digits):
        v = int(d)
        if v == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGIT_CN[v] + _UNITS[3 - i]
    return out


def _read_digits(s: str) -> str:
    return "".join(_DIGIT_CN[int(c)] for c in s)


_NUMBER = re.compile(r"(?<![\d.])(\d+)(?:\.(\d+))?(%|％)?(?!\d|\.\d)")


def verbalize_cardinals(text: str) -> str:
    """Arabic quantities → Chinese reading; digit strings and years stay digits."""
    text = text.translate(_FULLWIDTH)

    def repl(m: re.Match[str]) -> str:
        whole, frac, percent = m.group(1), m.group(2), m.group(3)
        after = text[m.end() : m.end() + 1]
        if frac and not percent and (len(frac) >= 3 or len(whole) >= 4):
            return m.group(0)  # 0.012645: digits read one by one, not a decimal quantity
        if not frac and not percent:
            if len(whole) >= 5 or (len(whole) > 1 and whole.startswith("0")):
                return whole  # a digit string
            if len(whole) == 4 and after == "年":
                return whole  # a year, read digit by digit
        reading = int_to_chinese(int(whole))
        if not frac and not percent and reading == "二" and after and after in _MEASURE_TWO:
            reading = "两"
        if reading.startswith("二") and len(reading) > 1 and reading[1] in "千万亿":
            reading = "两" + reading[1:]
        if frac:
            reading += "点" + _read_digits(frac)
        return "百分之" + reading if percent else reading

    return _NUMBER.sub(repl, text)


# --- dates and times (display form) ---------------------------------------------------------
_CN_NUM = "零〇一二两三四五六七八九十"


def chinese_to_int(s: str) -> int | None:
    """A spoken number up to 9999 (十五, 二十三, 一百零五, 两千) → int; None if not one."""
    if not s or any(c not in _CN_NUM + "百千" for c in s):
        return None
    if all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s)) if len(s) > 1 else _CN_DIGIT[s]
    total, current = 0, 0
    for c in s:
        if c in _CN_DIGIT:
            current = _CN_DIGIT[c]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (current or 1) * unit
            current = 0
    return total + current


_YEAR = re.compile(r"([零〇一二三四五六七八九]{4}|[零〇一二三四五六七八九]{2})年")
_MONTH_DAY = re.compile(r"([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})(日|号))?")
_CLOCK = re.compile(
    r"(凌晨|早上|上午|中午|下午|晚上|傍晚|夜里)?([零一二两三四五六七八九十]{1,3})点"
    r"(半|一刻|三刻|([零一二三四五六七八九十]{1,3})分?)?"
)


def normalize_datetime(text: str) -> str:
    """Spoken dates and clock times → digits: 二零二四年三月十五号 → 2024年3月15号,
    下午三点半 → 下午3:30, 八点十五分 → 8:15. A bare 三点 needs a time-of-day word before it."""

    def year(m: re.Match[str]) -> str:
        return "".join(str(_CN_DIGIT[c]) for c in m.group(1)) + "年"

    def month_day(m: re.Match[str]) -> str:
        month = chinese_to_int(m.group(1))
        if month is None or not 1 <= month <= 12:
            return m.group(0)
        if m.group(2) is None:
            return f"{month}月"
        day = chinese_to_int(m.group(2))
        if day is None or not 1 <= day <= 31:
            return m.group(0)
        return f"{month}月{day}{m.group(3)}"

    def clock(m: re.Match[str]) -> str:
        period, hour_s, tail = m.group(1) or "", m.group(2), m.group(3)
        hour = chinese_to_int(hour_s)
        if hour is None or hour > 24 or (not period and not tail):
            return m.group(0)
        minute = {"半": 30, "一刻": 15, "三刻": 45}.get(tail or "")
        if minute is None and m.group(4):
            minute = chinese_to_int(m.group(4))
            if minute is None or minute > 59:
                return m.group(0)
        return f"{period}{hour}点" if minute is None else f"{period}{hour}:{minute:02d}"

    text = _YEAR.sub(year, text)
    text = _MONTH_DAY.sub(month_day, text)
    return _CLOCK.sub(clock, text)


def normalize_numbers(text: str) -> str:
    """Display form: digit strings (phones) to digits, then dates and times."""
    return normalize_datetime(digit_strings_to_arabic(text))
