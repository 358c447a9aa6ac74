"""Title (place + matter, at most 30 characters) and an extractive summary of the caller's appeal.

The summary keeps the caller's own key sentences, in order, with fillers removed: sentences that
state a problem or a request score high, greetings, acknowledgements, names and numbers score low.
The title's matter is a short name for the problem when one of a small list of common matters is
recognised in those sentences (停水, 欠薪, 路灯不亮...), else the start of the best sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.fields.digits import chunks
from classifiers.fields.model import Span, Turn, span_of

_MATTERS = (
    (r"停水|没得水|没有水|断水|水管.{0,4}(?:爆|断|坏)|管子.{0,4}(?:爆|断)", "停水"),
    (r"停电|没得电|跳闸|电.{0,3}时有时无", "停电"),
    (r"水.{0,3}(?:浑|黄|臭|味道|漂白粉)|自来水.{0,4}(?:浑|脏)", "自来水水质问题"),
    (r"漏气|燃气|天然气|没有气", "燃气问题"),
    (r"路灯", "路灯不亮"),
    (r"垃圾", "垃圾清运问题"),
    (r"广场舞|音响|噪音|吵|电钻|叫得睡不着", "噪声扰民"),
    (r"油烟", "油烟污染"),
    (r"违建|违章|加一层|建房子", "违法建设"),
    (r"欠.{0,6}(?:工资|钱)|工资|工钱", "拖欠款项"),
    (r"低保", "低保问题"),
    (r"医保|合作医疗|报销", "医保问题"),
    (r"养老保险|养老金|高龄津贴|养老", "养老待遇问题"),
    (r"塌方|垮|滑坡|滚下来|石头掉|裂", "塌方险情"),
    (r"信号|宽带|网络|没有网|有线电视", "通信网络问题"),
    (r"电梯", "电梯故障"),
    (r"物业", "物业服务问题"),
    (r"狗", "犬只伤人扰民"),
    (r"野猪", "野生动物毁坏庄稼"),
    (r"电鱼|打猎|夹子|娃娃鱼|大鲵", "非法捕猎捕捞"),
    (r"赌", "聚众赌博"),
    (r"诈骗|骗", "诈骗"),
    (r"砍|偷", "盗伐盗窃"),
    (r"挖沙|采砂|开矿|挖茶树", "非法开采"),
    (r"烧秸秆|烧垃圾|放火|烧山|烟", "焚烧问题"),
    (r"排污|污染|臭|苍蝇|化粪池", "环境污染"),
    (r"班车|客车|出租车|校车|打车", "客运问题"),
    (r"收费|收了|乱收|票价|缺斤少两|罚", "收费问题"),
    (r"补贴|补偿|补助|赔", "补贴补偿问题"),
    (r"表扬|服务特别好|感谢", "表扬"),
    (r"建议|能不能多|提个", "建议"),
    (r"路.{0,4}(?:烂|坑|堵|挖断|不通)|堵了|过不去", "道路问题"),
    (r"桥", "桥梁安全隐患"),
    (r"户口|身份证|证明|证|执照", "证照办理"),
)
_MATTER_RX = [(re.compile(rx), name) for rx, name in _MATTERS]
_PROBLEM = re.compile(
    r"反映|投诉|举报|问一下|想问|咨询|要求|希望|建议|表扬|能不能|么样|怎么|为啥|为什么|没得|没有|不给|不|坏|停|漏|堵|吵|臭|欠|垮|塌|烂|乱|偷|砍|挖|烧|咬|骗|合理")
_LOW = re.compile(r"^(?:喂|你好|您好|是12345|听得到|谢谢|好的|好|对|嗯|是的|要得|没得了|没有了|再见|哈哈)+[吧啊哈吗嘛呀]*$")
_NAMEY = re.compile(r"我姓|我叫|贵姓|免贵|电话|号码|身份证")
_FILLERS = re.compile(r"呃|嗯|那个，|那个|就是说|然后呢|怎么说呢|哎呀|哎|喂，?|你好，?|您好，?")


@dataclass
class Sentence:
    turn: int
    start: int
    end: int
    text: str
    score: float


def _sentences(turns: list[Turn]) -> list[Sentence]:
    out = []
    for i, turn in enumerate(turns):
        if turn.speaker != "caller":
            continue
        pos = 0
        for part in re.split(r"(?<=[。！？!?；;])", turn.text):
            start, pos = pos, pos + len(part)
            body = part.strip()
            if not body:
                continue
            clean = _FILLERS.sub("", body).strip("，, ")
            digits = sum(len(c.digits) for c in chunks(clean))
            if not clean or _LOW.match(clean.rstrip("。！？!?；;，,")) or digits > 6:
                continue
            score = 1.0 + (2.0 if _PROBLEM.search(clean) else 0.0) + min(len(clean), 40) / 40
            if _NAMEY.search(clean):
                score -= 2.0
            if len(clean) <= 5:
                score -= 1.0
            out.append(Sentence(i, start, start + len(part), clean, score))
    return out


def key_sentences(turns: list[Turn], limit: int = 3) -> list[Sentence]:
    found = _sentences(turns)
    best = sorted(found, key=lambda s: -s.score)[:limit]
    return sorted((s for s in best if s.score > 1.5), key=lambda s: (s.turn, s.start))


def summarise(turns: list[Turn], max_chars: int = 200, limit: int = 3) -> tuple[str, float, list[Span]] | None:
    picked = key_sentences(turns, limit)
    if not picked:
        return None
    text = ""
    spans = []
    for s in picked:
        piece = s.text if s.text[-1] in "。！？!?；;" else s.text + "。"
        if len(text) + len(piece) > max_chars:
            break
        text += piece
        spans.append(span_of(turns, s.turn, s.start, s.end))
    if not text:
        text = picked[0].text[:max_chars]
        spans = [span_of(turns, picked[0].turn, picked[0].start, picked[0].end)]
    return text, 0.6, spans


def matter(turns: list[Turn]) -> tuple[str, Span] | None:
    """A short name for the caller's problem, from the key sentences."""
    picked = key_sentences(turns, 3)
    for s in picked:
        for rx, name in _MATTER_RX:
            if rx.search(s.text):
                return name, span_of(turns, s.turn, s.start, s.end)
    if picked:
        s = picked[0]
        head = re.split(r"[，,。！？!?；;]", s.text)[0]
        head = re.sub(r"^(?:我|我们|我想|我要|我是|你好|想|要)+", "", head)
        return head[:20], span_of(turns, s.turn, s.start, s.end)
    return None


def make_title(place: str, what: str | None, max_chars: int = 30) -> str | None:
    if not what and not place:
        return None
    title = f"{place}{what or '来电'}"
    return title[:max_chars]
