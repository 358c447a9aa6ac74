"""The address detail: the short location phrase under the village (三组, 村口, 卫生院门口, 元井小区三栋).

Candidates, strongest first: the caller's answer to "具体在哪个位置？"; the phrase right after the
chosen village or township ("江口村二组", "茅坪小学后面"); a landmark of the gazetteer named by the
caller (屏山峡谷, 县医院门口); a place after "在"/"我们" ("在村委会门口放烟花", "我们村口");
a 组 number anywhere. A phrase is kept up to its last place noun (and a following 旁边/门口/边上),
without fillers, verbs or pronouns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from classifiers.fields import dialogue
from classifiers.fields.model import Span, Turn, span_of

if TYPE_CHECKING:
    from classifiers.fields.address import Vote

_NOUN = (r"组|号|路|公路|街|巷子|巷|(?<=[村路门河渡井巷桥街洞])口|桥|楼|栋|单元|小区|学校|小学|中学|一中|幼儿园|医院|卫生院|"
         r"卫生室|村委会|市场|超市|车站|广场|河|沟|坡|湾|弯弯|弯|坎|石坎|林子|林|厂|站|店|馆|公司|网吧|花园|苑|家园|人家|坝子|渡口|"
         r"涵洞|窗口|遗址|旧址|景区|峡谷|茶园|大楼|银行|支行|工地|墙|山|洞|池|井|水库|码头|停车场|护栏|护坡|保护区|公园|陵园|"
         r"爵府|中心|派出所|邮局|邮政所|加油站|砖厂|茶厂|养殖场|水沟|水渠|工地|承包地|菜地|池塘|水塘|塘|村道|马路|道路|安置点|政府")
_POSITION = r"门口|旁边|对面|附近|后面|前面|下面|上面|边上|边|里头|里面|外面|一带|头|上|下"
LOC = re.compile(rf"(?:{_NOUN})(?:{_POSITION})?")
_INSTITUTION = re.compile(r"^(?:人民)?(?:政府|卫生院|派出所|中心小学|小学|中学|财政所|便民服务中心|敬老院|供电所|信用社|邮政所|中心学校)")
_STARTS_POSITION = re.compile(rf"^(?:的)?(?:{_POSITION}|{_NOUN})")
_LEAD = re.compile(r"^(?:[，,、\s]|从|那个|这个|的|那边|这边|那里|那儿|那哈儿|就是|就在|在|呃|嗯|我们村|我们组|我们这|我们那|我们|"
                   r"我屋|我家|村里的|村里|的话|这一片|那一片|街上|镇上|上(?![面头边])|里的|村的|那一截|一家|一个|有个|有一个|有一家|靠|叫什么|叫做|叫)+")
_TAIL = re.compile(r"(?:那里|那儿|那哈儿|那一片|这一片|那一截|那一段|那一块|那一排|的样子|那边|这边|里头|里面|里|的)+$")
_FILLER = re.compile(r"呃|嗯|那个|就是说")
_VERBISH = re.compile(r"了|过|着|在|是|有|开|做|搞|去|来|把|被|说|想|要|给|让|住院|打|看|买|卖|放|倒|挖|烧|建|修|收|交|砍|偷|占|全|外地|承包")
_PRONOUN = re.compile(r"^(?:我|你|他|她|它|们)")
_GROUP = re.compile(r"[一二三四五六七八九十\d]{1,3}组")
_AT = re.compile(r"(?:(?<![现正还实存所好自])在|我们|我屋|我家)(?!们)")
_GENERIC = frozenset({"街上", "镇上", "村里", "屋里", "这里", "那里", "路上", "山上", "家里", "门口", "旁边", "附近", "边上",
                      "上", "下", "地", "田", "山", "中心"})


def clean_phrase(text: str) -> str:
    text = _FILLER.sub("", text)
    text = _LEAD.sub("", text)
    return _TAIL.sub("", text).strip("，,。 ")


def loc_phrase(text: str, shortest: bool = False, generic: bool = False) -> str | None:
    """The location phrase at the start of ``text``: up to its last (or first) place noun."""
    phrase = clean_phrase(re.split(r"[，,。？！?!；;]", text, maxsplit=1)[0])
    ends = [m.end() for m in LOC.finditer(phrase)]
    if not ends:
        return None
    cut = next((e for e in ends if e >= 2), ends[0]) if shortest else ends[-1]
    phrase = _TAIL.sub("", phrase[:cut])
    if _VERBISH.search(phrase) or _PRONOUN.match(phrase) or (phrase in _GENERIC and not generic):
        return None
    if (len(phrase) < 2 and phrase not in "桥井坡沟") or len(phrase) > 20:
        return None
    return phrase


def _landmark(v: Vote) -> bool:
    return any(r.kind == "place" for r in v.mention.readings) and not any(
        r.kind in ("township", "village") for r in v.mention.readings)


def address_detail(turns: list[Turn], votes: list[Vote], village: str | None) -> tuple[str, float, list[Span]] | None:
    candidates: list[tuple[float, str, Span]] = []
    starts = {(v.turn, v.mention.start) for v in votes}
    for v in votes:
        turn = turns[v.turn]
        if turn.speaker != "caller" or (village and v.village not in (village, None)):
            continue
        if (v.turn, v.mention.end) in starts or (v.turn, v.mention.end + 1) in starts:
            continue  # "铁炉白族乡江口村二组": the detail follows the last place of the chain
        rest = re.split(r"[，,。？！?!；;]", turn.text[v.mention.end:], maxsplit=1)[0]
        glued = _INSTITUTION.match(rest) if v.mention.reading.kind == "township" else _STARTS_POSITION.match(rest)
        landmark = _landmark(v)
        if glued or landmark:
            tail = loc_phrase(rest, generic=True) if glued or _STARTS_POSITION.match(rest) else None
            phrase = v.mention.surface + (tail or "")
            start, weight = v.mention.start, v.weight * (0.9 if landmark and not tail else 1.0)
        else:
            phrase, start, weight = loc_phrase(rest), v.mention.end, v.weight
        if phrase:
            candidates.append((weight, phrase, span_of(turns, v.turn, start, v.mention.end + len(rest))))
    for i, turn in enumerate(turns):
        if turn.speaker != "caller":
            continue
        candidates.extend(_free_phrases(turns, i, votes))
        prev = dialogue.previous_agent(turns, i)
        if prev is not None and "address" in dialogue.asks(turns[prev].text):
            answer = _answer(turns, i, votes)
            if answer:
                candidates.append(answer)
    if not candidates:
        return None
    weight, phrase, span = max(candidates, key=lambda c: c[0])
    return phrase, min(0.8, 0.3 + 0.2 * weight), [span]


def _free_phrases(turns: list[Turn], i: int, votes: list[Vote]) -> list[tuple[float, str, Span]]:
    """"在村委会门口放烟花", "我们村口那个垃圾池", and 组 numbers, away from any place name."""
    text = turns[i].text
    out = [(0.9, m.group(0), span_of(turns, i, m.start(), m.end())) for m in _GROUP.finditer(text)]
    taken = [(v.mention.start, v.mention.end) for v in votes if v.turn == i]
    for m in _AT.finditer(text):
        if any(s <= m.end() < e + 2 for s, e in taken):
            continue
        phrase = loc_phrase(text[m.end():], shortest=True)
        if phrase and not any(s > m.end() and s < m.end() + len(phrase) + 2 for s, _ in taken):
            out.append((0.8, phrase, span_of(turns, i, m.start(), min(len(text), m.end() + len(phrase)))))
    return out


def _answer(turns: list[Turn], i: int, votes: list[Vote]) -> tuple[float, str, Span] | None:
    """The caller's answer to the agent's "在哪个位置？": up to two location clauses, joined."""
    text = turns[i].text
    pieces: list[str] = []
    first, pos = None, 0
    for clause in re.split(r"(?<=[，,。？！?!；;])", text):
        start, pos = pos, pos + len(clause)
        phrase = loc_phrase(clause)
        if phrase and not any(v.turn == i and start <= v.mention.start < pos for v in votes):
            pieces.append(phrase)
            first = start if first is None else first
            if len(pieces) == 2:
                break
        elif pieces:
            break
    if not pieces:
        return None
    return 2.0, "".join(pieces), span_of(turns, i, first or 0, pos)
