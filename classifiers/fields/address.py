"""The event address: township, village and detail, chosen among the places mentioned in a call.

Every place the caller names (and every place the agent reads back and the caller confirms) is a
vote for its township and village. Votes weigh more in answer to "在哪里？" or after "在", less for
a destination ("打车到屏山", "往芭蕉河去") or a home ("我是铁炉的"), almost nothing when the caller
takes it back ("燕子那边，不对，是中营"). Places outside the county win when they outweigh every
township. The detail is the short location phrase next to the chosen place (三组, 村口, 卫生院门口).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from classifiers.fields import dialogue
from classifiers.fields.detail import address_detail
from classifiers.fields.gazetteer import Gazetteer, Mention
from classifiers.fields.model import Span, Turn, span_of

_AWAY = re.compile(r"(?:到|去|往|回|从|至)(?:那个|了)?$")
_AT = re.compile(r"(?:在|住|就在|住在|是在)(?:那个|我们|这个)?$")
_HOME = re.compile(r"(?:我是|我们是|我屋是|我屋在|我家是|我家在|屋里是|户口在|老家是|老家在|我屋)(?:那个|鹤峰县?)?$")
_THERE = re.compile(r"^(?:那边|这边|那里|那儿|那哈儿|这里|街上|那一片|这一片)")
_MARKET = re.compile(r"^(?:街上|集镇|镇上|场上)")


@dataclass
class Vote:
    township: str | None
    village: str | None
    outside: str | None
    weight: float
    span: Span
    mention: Mention
    turn: int


@dataclass
class AddressResult:
    township: tuple[str, float, list[Span]] | None = None
    village: tuple[str, float, list[Span]] | None = None
    detail: tuple[str, float, list[Span]] | None = None
    county: tuple[str, float, list[Span]] | None = None
    votes: list[Vote] = field(default_factory=list)


def _weight(turns: list[Turn], i: int, m: Mention, mentions: list[Mention]) -> float:
    turn = turns[i]
    before, after = turn.text[:m.start], turn.text[m.end:]
    if turn.speaker == "agent":
        reply = dialogue.next_caller(turns, i)
        if not dialogue.is_question(turn.text) or reply is None or dialogue.answer(turns[reply].text) is not True:
            return 0.0
        return 1.2
    w = 1.0
    prev = dialogue.previous_agent(turns, i)
    if prev is not None and "address" in dialogue.asks(turns[prev].text):
        w *= 1.5
    if _AWAY.search(before[-3:]):
        w *= 0.4
    elif _HOME.search(before[-8:]):
        w *= 0.8
    elif _AT.search(before[-4:]) or _THERE.match(after):
        w *= 1.2
    later = [x for x in mentions if x.start >= m.end]
    if later and dialogue.CORRECTION.search(turn.text[m.end:later[0].start]):
        w *= 0.1
    return w


def _votes(turns: list[Turn], mentions: list[list[Mention]], gaz: Gazetteer) -> list[Vote]:
    votes = []
    for i, ms in enumerate(mentions):
        for m in ms:
            r = m.reading
            if r.kind == "county":
                continue
            w = _weight(turns, i, m, ms)
            if w <= 0:
                continue
            village = r.village
            if r.kind == "township" and _MARKET.match(turns[i].text[m.end:]):
                village = gaz.market_village.get(r.township or "")
            votes.append(Vote(r.township, village, r.name if r.kind == "outside" else None, w,
                              span_of(turns, i, m.start, m.end), m, i))
    return votes


def resolve_address(turns: list[Turn], mentions: list[list[Mention]], gaz: Gazetteer) -> AddressResult:
    votes = _votes(turns, mentions, gaz)
    result = AddressResult(votes=votes)
    tw_score: dict[str, float] = defaultdict(float)
    outside = 0.0
    for v in votes:
        if v.outside:
            outside += v.weight
        elif v.township:
            tw_score[v.township] += v.weight
    county_spans = [span_of(turns, i, m.start, m.end) for i, ms in enumerate(mentions) for m in ms
                    if m.reading.kind == "county" and turns[i].speaker == "caller"]
    if not tw_score or outside >= max(tw_score.values()):
        if county_spans and not outside:
            result.county = (gaz.county_name, 0.6, county_spans)
        if not outside:
            result.detail = address_detail(turns, [], None)
        return result
    township = max(tw_score, key=lambda t: (tw_score[t], _last(votes, t)))
    total = sum(tw_score.values()) + outside
    tw_votes = [v for v in votes if v.township == township and not v.outside]
    conf = min(0.97, 0.5 + 0.45 * tw_score[township] / total + 0.05 * min(len(tw_votes), 3) / 3)
    result.township = (township, conf, [v.span for v in tw_votes])
    result.county = (gaz.county_name, conf, county_spans + [tw_votes[0].span])
    v_score: dict[str, float] = defaultdict(float)
    for v in tw_votes:
        if v.village:
            v_score[v.village] += v.weight
    if v_score:
        village = max(v_score, key=lambda x: (v_score[x], _last(votes, township, x)))
        if v_score[village] >= 0.5:
            vv = [v for v in tw_votes if v.village == village]
            result.village = (village, min(0.95, conf * (0.7 + 0.3 * v_score[village] / tw_score[township])),
                              [v.span for v in vv])
    result.detail = address_detail(turns, tw_votes, result.village[0] if result.village else None)
    return result


def _last(votes: list[Vote], township: str, village: str | None = None) -> int:
    return max((v.turn for v in votes if v.township == township and (village is None or v.village == village)),
               default=-1)
