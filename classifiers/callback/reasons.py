"""Why a caller is unsatisfied: reason cues on the unit's side (重办) or outside its power (记录原因).

Each cue is a pattern over the normalised reply with its reason code; the matched words are the
evidence shown to the agent. Cues that are negated ("态度还是好的", "不是他们的问题") do not fire,
because the patterns only name the complaint itself. A strong unit cue (踢皮球, 推来推去) outweighs a
scope cue in the same reply ("说不归他们管，让我找别人，踢皮球" is 推诿, not 超出范围)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.callback.cues import normalize
from classifiers.callback.labels import EXTERNAL_SIDE, REASON_CODES, UNIT_SIDE

# (code, weight, pattern). Weight 2 marks words that settle the side on their own.
_PATTERNS: list[tuple[str, float, str]] = [
    ("态度差", 2, r"态度(很|太|还|也)?(差|恶劣|不好|凶|横)|凶得很|好凶|吼|骂|爱理不理|爱答不理|不耐烦|"
                 r"说话(难听|冲|不好听)|难听得很|玩手机|吊儿郎当|无理取闹|不理(我|人)?|甩脸色|态度[^，,。.!！?？;；]{0,6}不满"),
    ("没人来", 1.5, r"没(有)?人(来|管|理|联系|回|接|上门)|人影子|(一直|都|也|又|就是)(没|不)来|没来过|没上门|"
                   r"未上门|无人(上门|联系|处理)|未联系|没(有)?(下文|消息|动静)|石沉大海|不管不问|没来人|"
                   r"(也|就|根本|都)(就)?不管|不管了|不来了|没(有)?人给我回|没告诉我"),
    ("推诿", 2, r"推来推去|踢皮球|推给|推诿|扯皮|这个推那个|转了一圈|推得干干净净|让我(自己)?(去)?找(别人|别个|开发商)|"
                 r"叫我自己(去)?找|找这个找那个|互相推|要我自己去|自己去找"),
    ("敷衍", 2, r"敷衍|糊弄|应付|走(个)?过场|做样子|拍了?(几张)?照|看了?一眼就走|光说不做|不办事|套话|答非所问|"
                 r"不作为|不当回事|没当回事|白说|换了个说法|根本没处理|其实根本|做做样子|表面|撂挑子|没个说法|"
                 r"没有说法|只电话答复|未实地|即离开|说的和做的不一样|搞得更糟|有什么用|修了又坏|知道了知道了|"
                 r"等一下等一下"),
    ("没按承诺办", 2, r"答应|承诺|说好(的|了)?|不算数|不认账|没兑现|未兑现|又说下|说话不算"),
    ("拖延", 1, r"拖|慢|好久|太久|几个月|一个多月|半年|一年了|等了|催了|好几(次|回)|几次|几回|走程序|在处理在处理|"
                r"研究研究|回去等通知|领导不在|五六回|速度"),
    ("政策不允许", 1.5, r"政策(不允许|限制|规定|就是这样|不行|上说不行|是这样|不让)|不符合(政策|条件|规定)|"
                       r"按(照)?(规定|政策)|没有(这个|这种)?政策|条件不够|年龄不够|超过年龄|不能办|不能退|"
                       r"无法律依据|没有法律依据|不在规划|规定就是|政策就是|政策限制|国家政策|政策.{0,4}规定|"
                       r"不符合.{0,6}条件|等规划|拆迁政策"),
    ("诉求超出范围", 1.5, r"超出.{0,6}范围|不在.{0,6}范围|不归.{0,4}管|不属于.{0,4}(管|范围|职责)|职责范围|"
                         r"属于(省里|市里|州里|法院|上面)|做不了主|权限|法院|起诉|私人(之间)?(的)?纠纷|个人的事|"
                         r"合同纠纷|管不了|政府不管"),
    ("要求不合理", 1.5, r"要求(太高|不合理|过高)|标准太高|赔(我)?.{0,3}(万|精神损失)|精神损失|给不了|"
                       r"自己出钱|无理要求"),
    ("历史遗留需更高层解决", 1.5, r"历史遗留|遗留问题|几十年|老问题|历史原因|八几年|上级.{0,4}(解决|协调|审批|批|定)|"
                                 r"上面(的事|批|解决|才|统一)|更高|等(国家|上面|上级|中央)|(州|省|市)里(去)?(办|定|才)|"
                                 r"县里(统一|开会|做不了)|中央|资金(没|不|还没)?到位|没(有)?(这个)?钱|等资金|上报|报上级|"
                                 r"上级部门|上级.{0,6}安排"),
]
_COMPILED = [(code, w, re.compile(p)) for code, w, p in _PATTERNS]
_STOPS = "，,。.!！?？;；、"
_NEGATED = re.compile(r"(不是|不怪|不能怪|也不是)(他们|人家|单位)?(的)?(问题|责任|原因)?$")


@dataclass(frozen=True)
class ReasonHit:
    code: str
    side: str
    phrase: str      # the matched words
    weight: float
    start: int
    clause: str      # the clause around them: the evidence shown to the agent


def reason_hits(text: str) -> list[ReasonHit]:
    """Reason cues in reading order; the longest match wins where two overlap."""
    t = normalize(text)
    hits: list[ReasonHit] = []
    for code, weight, rx in _COMPILED:
        for m in rx.finditer(t):
            if _NEGATED.search(t[max(0, m.start() - 6):m.start()]):
                continue
            left = max(t.rfind(p, 0, m.start()) for p in _STOPS) + 1
            right = min((i for i in (t.find(p, m.end()) for p in _STOPS) if i >= 0), default=len(t))
            hits.append(ReasonHit(code, REASON_CODES[code], m.group(0), weight, m.start(), t[left:right]))
    hits.sort(key=lambda h: (h.start, -len(h.phrase)))
    kept: list[ReasonHit] = []
    for h in hits:
        if kept and h.start < kept[-1].start + len(kept[-1].phrase) and h.side == kept[-1].side:
            continue
        kept.append(h)
    return kept


def side_scores(hits: list[ReasonHit]) -> dict[str, float]:
    """Summed cue weights per side."""
    scores = {UNIT_SIDE: 0.0, EXTERNAL_SIDE: 0.0}
    for h in hits:
        scores[h.side] += h.weight
    return scores


def best_hit(hits: list[ReasonHit], side: str) -> ReasonHit | None:
    """The heaviest cue of ``side`` (the later one on ties: callers end on their point)."""
    chosen = None
    for h in hits:
        if h.side == side and (chosen is None or h.weight >= chosen.weight):
            chosen = h
    return chosen


def reason_features(text: str) -> dict[str, float]:
    """Per-code and per-side cue weights: the reason head's rule features."""
    hits = reason_hits(text)
    feats = {f"reason={code}": 0.0 for code in REASON_CODES}
    for h in hits:
        feats[f"reason={h.code}"] += h.weight
    scores = side_scores(hits)
    feats["reason_side=unit"] = scores[UNIT_SIDE]
    feats["reason_side=external"] = scores[EXTERNAL_SIDE]
    feats["reason_none"] = float(not hits)
    return feats
