"""Time expressions in spoken Chinese, resolved against the call's start.

Recognised: relative days (今天, 昨天个, 前儿, 大前天, 三天前, 刚才), weekdays (上个礼拜三, 星期天,
上礼拜五), dates (七月三十号, 上个月三十号, 2025年7月28日, 3月5号), parts of the day (早上, 下半天,
晚上, 半夜, 凌晨) and clock times (十点多, 三点半, 七点过, 七点二十, 9:30), merged when said together
("昨天晚上，大概十点多钟"). A day plus a clock time gives a datetime; a day alone gives a date.
Ranges and vague spans (这两天, 月初, 上个月, 二十几号, 六号七号), habits (每天晚上) and the future
(明天, 下个礼拜) give no value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CN = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(?:\d{1,2}|[零一二两三四五六七八九十]{1,3})"
_DAYREL = {"大前天": -3, "大前儿": -3, "前天": -2, "前儿": -2, "昨天": -1, "昨日": -1, "昨儿": -1, "昨个": -1,
           "今天": 0, "今日": 0, "今儿": 0, "明天": 1, "后天": 2, "大后天": 3}
_SHORT = {"昨晚": (-1, "晚上"), "昨夜": (-1, "夜里"), "前晚": (-2, "晚上"), "今早": (0, "早上"), "今晚": (0, "晚上"),
          "明早": (1, "早上"), "明晚": (1, "晚上")}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "2": 1, "3": 2, "4": 3,
            "5": 4, "6": 5, "7": 6}
_TOKEN = re.compile(
    r"(?P<duration>一下午|一上午|一晚上|一整天|一整晚|一整夜|一夜|一早上|整晚|整夜|一个下午|一个晚上)"
    r"|(?P<habit>每天晚上|每天|天天|每晚|经常|老是|总是|一到晚上|每到|每次|有时候|每个礼拜|每周)"
    r"|(?P<vague>这两天|前两天|前几天|这几天|那几天|最近|近来|近期|前段时间|月初|月底|月中|年初|年底|去年|前年|上半年|下半年"
    r"|过年|春节|国庆|端午|中秋|上上个?礼拜(?![一二三四五六日天])|上上个?星期(?![一二三四五六日天]))"
    r"|(?P<holiday>元旦(?:节)?(?=那天|当天|那晚|晚上|早上|上午|下午|那天晚上))"
    r"|(?P<now>刚才|刚刚|方才)"
    r"|(?P<short>昨晚|昨夜|前晚|今早|今晚|明早|明晚)"
    r"|(?P<dayrel>大前天|大前儿|大后天|前天|前儿|昨天|昨日|昨儿|昨个|今天|今日|今儿|明天|后天)(?:个)?"
    r"|(?P<ago>" + NUM + r")天(?:以)?前"
    r"|(?P<week>(?P<wpre>上上个?|上个?|这个?|本|下个?)?(?:礼拜|星期|周)(?P<wday>[一二三四五六日天1-7]))"
    r"|(?P<date>(?:(?P<year>\d{4}|[二〇零一两三四五六七八九]{4})年|(?P<yrel>去年|今年))?"
    r"(?:(?P<mrel>上个?月|这个?月|本月|下个?月)|(?P<month>" + NUM + r")月份?)?"
    r"(?P<day>" + NUM + r")(?:号|日)(?![子常本期楼线床窗房门车位柜机码]))"
    r"|(?P<vmonth>上个?月|这个?月|本月|上个?礼拜|上个?星期|上周|这个?礼拜|这周|这个?星期)"
    r"|(?P<period>一大早|大清早|清早|早上|早晨|上午|上半天|中午|下午|下半天|傍晚|擦黑|晚上|晚间|夜里|夜间|深夜|半夜|凌晨)"
    r"|(?P<clock>(?P<hour>\d{1,2}|[零一二两三四五六七八九十]{1,3})(?:点|时)(?!点)(?:钟)?"
    r"(?P<minute>半|一刻|三刻|过|\d{1,2}分?|[一二三四五六七八九十]{1,3}分?)?(?P<many>多)?(?:钟)?)"
    r"|(?P<hm>(?P<h2>\d{1,2})[:：](?P<m2>\d{2}))"
)
_GAP = re.compile(r"^[，,、\s]*(?:(?:大概|大约|差不多|估计|可能|也就是|就是|那个|呃|嗯|是|的|的时候|那会儿?|那哈儿?"
                  r"|左右|的样子|具体是|具体|个)[，,、\s]*)*$")
_SOFT_GAP = re.compile(r"^[^。？！?!]{0,8}$")
_NOT_HOUR_BEFORE = re.compile(r"(?:有|好|快|慢|早|晚|多|少|差|重|这|那|几|第|[零一二两三四五六七八九十\d])$")


def cn_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN.get(tens) if tens else 1
        o = _CN.get(ones) if ones else 0
        return None if t is None or o is None else t * 10 + o
    if len(text) == 1:
        return _CN.get(text)
    return None


@dataclass
class TimeExpr:
    start: int
    end: int
    value: dt.date | dt.datetime | None
    has_day: bool
    has_clock: bool
    status: str  # ok | future | vague | habit
    explicit: int = 0  # 3 dated, 2 relative day, 1 weekday, 0 none
    period: str | None = None
    clock: tuple[int, int] | None = None  # the hour and minute as said (before the part of the day)


def _day(m: re.Match, today: dt.date) -> tuple[dt.date | None, int, str]:
    """(date, explicitness, status) of a day token."""
    kind = m.lastgroup
    g = m.group
    if kind in ("dayrel", "short", "now", "ago", "holiday"):
        if kind == "dayrel":
            off = _DAYREL[g("dayrel")]
        elif kind == "short":
            off = _SHORT[g("short")][0]
        elif kind == "ago":
            n = cn_int(g("ago"))
            if n is None or n > 10:
                return None, 0, "vague"
            off = -n
        elif kind == "holiday":
            jan1 = dt.date(today.year, 1, 1)
            return jan1, 3, "ok"
        else:
            off = 0
        return today + dt.timedelta(days=off), 2, "future" if off > 0 else "ok"
    if kind == "week":
        pre, wd = g("wpre") or "", _WEEKDAY[g("wday")]
        monday = today - dt.timedelta(days=today.weekday())
        if pre.startswith("上上"):
            target = monday - dt.timedelta(days=14) + dt.timedelta(days=wd)
        elif pre.startswith("上"):
            target = monday - dt.timedelta(days=7) + dt.timedelta(days=wd)
        elif pre.startswith("下"):
            return None, 0, "future"
        else:
            target = monday + dt.timedelta(days=wd)
            if target > today:
                if pre:
                    return None, 0, "future"
                target -= dt.timedelta(days=7)
        return target, 1, "ok"
    # a date
    day = cn_int(g("day"))
    year = today.year
    if g("year"):
        year = int(g("year")) if g("year").isdigit() else int("".join(str(_CN.get(c, 0)) for c in g("year")))
    elif g("yrel") == "去年":
        year -= 1
    month, inferred = today.month, True
    if g("mrel"):
        inferred = False
        if g("mrel").startswith("上"):
            month -= 1
        elif g("mrel").startswith("下"):
            month += 1
    elif g("month"):
        month, inferred = cn_int(g("month")) or 0, False
    if month == 0:
        month, year = 12, year - 1
    if month == 13:
        month, year = 1, year + 1
    try:
        date = dt.date(year, month, day or 0)
    except ValueError:
        return None, 0, "vague"
    if date > today and not g("year") and not g("yrel"):
        if inferred:  # "五号" said after the fifth: last month's
            prev = (date.replace(day=1) - dt.timedelta(days=1))
            try:
                date = prev.replace(day=day or 1)
            except ValueError:
                return None, 0, "vague"
        elif not g("mrel") and date.year == today.year and (date - today).days > 60:
            date = date.replace(year=year - 1)  # "十二月三十号" said in January
        else:
            return date, 3, "future"
    return date, 3, ("future" if date > today else "ok")


def _hour(period: str | None, hour: int, anchored: bool) -> tuple[int, int]:
    """(hour of day, day shift) for a clock time said with a part of the day."""
    if period in ("下午", "下半天", "傍晚", "擦黑") and hour < 12:
        return hour + 12, 0
    if period == "中午":
        return (hour + 12 if hour <= 2 else hour), 0
    if period in ("晚上", "晚间", "夜里", "夜间", "深夜"):
        if hour == 12:
            return 0, 1
        if 5 <= hour < 12:
            return hour + 12, 0
        return hour, (1 if hour < 5 else 0)
    if period == "半夜":
        return (0 if hour == 12 else hour), (1 if anchored and hour < 6 else 0)
    if period is None and anchored and 1 <= hour <= 6:
        return hour + 12, 0
    return hour % 24, 0


_DAY_KINDS = ("dayrel", "short", "now", "ago", "holiday", "week", "date")
_NO_DATE_BEFORE = re.compile(r"(?:[\d零一二两三四五六七八九十]|路|街|巷|栋|楼|弄|第|几)$")


@dataclass
class _Tok:
    kind: str
    start: int
    end: int
    m: re.Match


def _tokens(text: str) -> list[_Tok]:
    out = []
    skip_until = -1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or ""
        if m.start() < skip_until:
            continue
        before = text[:m.start()]
        if kind == "clock":
            hour = cn_int(m.group("hour"))
            if hour is None or hour > 24 or (before and before[-1] in "零一二两三四五六七八九十0123456789"):
                continue
            bare = not (m.group("minute") or m.group("many") or "钟" in m.group(0))
            if m.group("hour") in ("一", "两", "二") and _NOT_HOUR_BEFORE.search(before) and bare:
                continue
            if hour == 1 and bare and not (out and out[-1].kind == "period" and out[-1].end >= m.start() - 2):
                continue
        elif kind == "date":
            day = cn_int(m.group("day"))
            if day is None or not 1 <= day <= 31 or (not m.group("month") and _NO_DATE_BEFORE.search(before)):
                continue
            again = re.match(r"[，,、\s]*" + NUM + r"(?:号|日)", text[m.end():])
            if again:  # "六号七号": a range, not a day
                out.append(_Tok("vague", m.start(), m.end() + again.end(), m))
                skip_until = m.end() + again.end()
                continue
        out.append(_Tok(kind, m.start(), m.end(), m))
    return out


def scan_times(text: str, call_time: dt.datetime) -> list[TimeExpr]:
    """Every time expression in ``text``, merged and resolved against ``call_time``."""
    today = call_time.date()
    toks = _tokens(text)
    out: list[TimeExpr] = []
    habits = [t for t in toks if t.kind == "habit"]
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind in ("duration", "habit"):
            i += 1
            continue
        if t.kind in ("vague", "vmonth"):
            out.append(TimeExpr(t.start, t.end, None, False, False, "vague"))
            i += 1
            continue
        group = [t]
        j = i + 1
        while j < len(toks):
            nxt, kinds = toks[j], [g.kind for g in group]
            gap = text[group[-1].end:nxt.start]
            tight = len(gap) <= 6 and _GAP.match(gap)
            has_day = any(k in _DAY_KINDS for k in kinds)
            if nxt.kind in _DAY_KINDS and has_day and tight and "clock" not in kinds and "period" not in kinds or nxt.kind == "period" and not {"period", "clock", "hm"} & set(kinds) and (tight or (has_day and _SOFT_GAP.match(gap))) or nxt.kind in ("clock", "hm") and not {"clock", "hm"} & set(kinds) and (tight or (has_day and _SOFT_GAP.match(gap))):
                group.append(nxt)
            else:
                break
            j += 1
        out.append(_resolve(text, group, habits, call_time, today))
        i = j
    return out


def _resolve(text: str, group: list[_Tok], habits: list[_Tok], call_time: dt.datetime, today: dt.date) -> TimeExpr:
    start, end = group[0].start, group[-1].end
    days = [g for g in group if g.kind in _DAY_KINDS]
    date, explicit, status = None, 0, "ok"
    period = next((g.m.group("period") for g in group if g.kind == "period"), None)
    if days:
        resolved = [(*_day(g.m, today), g) for g in days]
        date, explicit, status, tok = max(resolved, key=lambda r: (r[1], -r[3].start))
        if tok.kind == "short" and not period:
            period = _SHORT[tok.m.group("short")][1]
        if date is None:
            return TimeExpr(start, end, None, True, False, status)
    habit = any(h.end <= start and not re.search(r"[。？！?!，,]", text[h.end:start]) for h in habits)
    clock = next((g for g in group if g.kind in ("clock", "hm")), None)
    hour = minute = 0
    if clock is not None:
        if clock.kind == "hm":
            hour, minute = int(clock.m.group("h2")), int(clock.m.group("m2"))
        else:
            hour = cn_int(clock.m.group("hour")) or 0
            minute = _minute(clock.m.group("minute"))
        h, shift = _hour(period, hour, anchored=bool(days))
        base = date or today
        if period is None and base == today and h < 12 and dt.time(h + 12, minute) <= call_time.time():
            h = h + 12  # "刚才，七点多钟" in an evening call
        value: dt.date | dt.datetime = dt.datetime.combine(base + dt.timedelta(days=shift), dt.time(h % 24, minute),
                                                           tzinfo=call_time.tzinfo)
        if not days and value > call_time + dt.timedelta(minutes=30):
            value -= dt.timedelta(days=1)
        if value > call_time + dt.timedelta(minutes=30):
            status = "future"
    else:
        value = date
        if value is None:  # "晚上叫得睡不着": a part of the day alone is no event time
            status = "vague"
        elif value > today:
            status = "future"
    if habit:
        status = "habit"
    said = (hour, minute) if clock is not None else None
    return TimeExpr(start, end, value, bool(days), clock is not None, status, explicit, period, said)


def _minute(text: str | None) -> int:
    if not text or text in ("过",):
        return 0
    if text == "半":
        return 30
    if text in ("一刻", "三刻"):
        return 15 if text == "一刻" else 45
    n = cn_int(text.rstrip("分"))
    return n if n is not None and n < 60 else 0

