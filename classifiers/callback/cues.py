"""Negation-aware cues of a callback reply: normalisation, clauses, cue phrases, a rules-only reading.

A reply is split into clauses at punctuation and at contrast words (但是、就是、不过…). Clauses after
a contrast are the *main* part; clauses before it, and the first half of "X是X，…" ("满意是满意，
就是…"), are *conceded*. Each cue phrase is looked up with its negation: "不是不满意" and "没有不满意"
read as not-unsatisfied, "谈不上满意" as hedged, "满意啥子/满意个鬼" as a rhetorical no."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Dialect and spoken forms mapped to the common form before matching (恩施/西南官话).
_DIALECT = [
    ("冇得", "没有"), ("莫得", "没有"), ("么得", "没有"), ("冒得", "没有"), ("冇", "没"),
    ("哒", "了"), ("咯", "了"), ("啷个", "怎么"), ("么样", "怎么样"), ("搞么子", "搞什么"),
    ("么子", "什么"), ("啥子", "什么"), ("一哈哈", "一点"), ("一哈", "一下"), ("巴适", "好"),
    ("得行", "行"), ("要得", "好"), ("恼火", "难受"), ("没得", "没有"), ("莫提", "别提"), ("莫说", "别说"),
]
_CONTRAST = ("但是", "可是", "不过", "就是", "只是", "但", "可惜", "然而", "其实", "结果")
_SPLIT = re.compile(r"[，,。.!！?？;；、…~～\s]+")
_CONCESSION = re.compile(r"^(.{1,4})倒?是\1")  # 满意是满意 / 好是好了 / 来倒是来了

# Cue lexicon: category -> phrases (common form). Longer phrases win over their parts.
LEXICON: dict[str, tuple[str, ...]] = {
    "sat_pos": ("满意", "满分", "点赞", "感谢", "谢谢", "多谢", "表扬", "锦旗", "好得很", "挺好", "很好",
                "蛮好", "非常好", "百分之百", "没话说", "没有说的", "没有什么说的", "没什么说的", "没有意见", "没意见",
                "辛苦了", "辛苦你们", "费心", "管用", "放心"),
    "praise": ("态度好", "态度是好", "态度还好", "态度也好", "态度还可以", "态度还行", "态度没有说", "客气",
               "负责", "用心", "热情", "耐心", "利索", "及时", "很快", "蛮快"),
    "sat_mid": ("基本满意", "还行", "还可以", "还算可以", "一般", "将就", "凑合", "马马虎虎", "过得去",
                "就那样", "就这样", "勉强", "也行", "还好", "算了"),
    "understanding": ("理解", "不怪", "不能全怪", "也难", "没办法", "没有办法", "尽力"),
    "explained": ("说清楚", "讲清楚", "讲明白", "说明白", "搞清楚", "解释", "清清楚楚", "清清白白"),
    "sat_neg": ("不满意", "不满", "差劲", "太差", "差得很", "失望", "气人", "气死", "投诉", "白说", "没用",
                "瞎扯", "糊弄", "敷衍", "凶", "吼", "骂", "扯皮", "踢皮球", "推来推去", "不作为", "不认账",
                "不算数", "难听", "爱理不理", "爱答不理", "做样子", "走过场", "应付", "不服", "不公平",
                "无理取闹", "不管"),
    "complaint": ("拖", "慢", "好久", "太久", "蛮久", "久了", "催", "几趟", "三趟", "好几回", "好几次",
                  "几次", "几回", "折腾", "磨人", "心焦", "不耐烦", "说话冲", "不好听", "粗糙", "不太好",
                  "复杂", "麻烦", "跑了", "晚了", "迟"),
    "res_yes": ("解决了", "已解决", "已经解决", "已妥善解决", "解决得", "解决好", "弄好", "搞好", "修好",
                "办好", "办妥", "处理好", "处理了", "已处理", "搞定", "落实", "好了", "通了", "到账", "拿到",
                "退了", "亮了", "恢复", "没问题了", "办下来", "批下来", "清走", "拉走", "清理", "修复",
                "不存在了", "彻底"),
    "res_part": ("一半", "部分", "一些", "一点点", "了一点", "一截", "大半", "没弄完", "没完全", "不彻底", "没彻底", "没弄彻底", "没修彻底", "不太彻底",
                 "还差", "还剩", "剩下", "剩余", "临时", "暂时", "好些", "好点", "好一点", "改善", "百分之",
                 "基本解决", "基本上解决", "基本上好", "反复", "时有时无", "又摆", "没修完"),
    "res_no": ("没解决", "未解决", "没有解决", "没弄", "没处理", "未处理", "没人来", "没人管", "没有人",
               "没人", "无人", "没动", "老样子", "还是那样", "那个样子", "没变化", "没有变化", "一点变化",
               "没下文", "没有下文", "没消息", "没结果", "又坏", "办不了", "不能办", "不给办", "做不了",
               "解决不了", "管不了", "没来", "不来", "没办", "没搞好", "没弄好", "没办好", "没办成", "还是不",
               "照样", "没管", "根本", "不行", "没兑现", "在处理", "在协调", "研究研究"),
}
_NEGATORS = ("不是", "没有", "没", "不", "未", "别", "莫", "谈不上", "说不上", "算不上", "不能说", "不太",
             "不怎么", "哪个", "哪门", "哪里", "怎么可能")
_HEDGES = ("谈不上", "说不上", "算不上", "不太", "不怎么", "不能说")
_RHETORIC = re.compile(r"^(什么|个鬼|个屁|啥|哦|嘛)")
_PHRASES = sorted(((p, c) for c, ps in LEXICON.items() for p in ps), key=lambda pc: -len(pc[0]))
_CATEGORY = {p: c for p, c in _PHRASES}
_CUE_RX = re.compile("|".join(re.escape(p) for p, _ in _PHRASES))  # longest phrase first at each place


def normalize(text: str) -> str:
    """NFKC, dialect forms to the common form, spaces removed."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    for src, dst in _DIALECT:
        t = t.replace(src, dst)
    return t


def clauses(text: str) -> list[tuple[str, str]]:
    """``[(clause, part)]``; part is ``main``, ``before`` (ahead of a contrast word) or ``conceded``
    ("X是X…" with more to follow)."""
    pieces: list[str] = []
    for chunk in _SPLIT.split(normalize(text)):
        if not chunk:
            continue
        cut = re.split("(" + "|".join(_CONTRAST) + ")", chunk)
        buf = cut[0]
        for i in range(1, len(cut), 2):
            if buf:
                pieces.append(buf)
            buf = cut[i] + cut[i + 1]
        if buf:
            pieces.append(buf)
    last_contrast = max((i for i, p in enumerate(pieces) if p.startswith(_CONTRAST)), default=-1)
    out: list[tuple[str, str]] = []
    for i, p in enumerate(pieces):
        if _CONCESSION.match(p) and i < len(pieces) - 1:
            part = "conceded"
        elif i < last_contrast:
            part = "before"
        else:
            part = "main"
        out.append((p, part))
    return out


@dataclass(frozen=True)
class Cue:
    category: str       # a LEXICON key, or sat_not_neg / sat_hedged / res_not_no
    phrase: str         # the words as found (with their negation)
    part: str           # main | before | conceded
    position: int       # clause index
    start: int = 0      # offset in the clause


def _negation(clause: str, start: int) -> tuple[list[str], int]:
    """Negators right before ``start`` (outermost last) and where they begin."""
    found: list[str] = []
    end = start
    floor = max(0, start - 6)
    while end > floor:
        head = clause[floor:end]
        neg = next((n for n in _NEGATORS if head.endswith(n)), None)
        if neg:
            found.append(neg)
            end -= len(neg)
        elif clause[end - 1] in _FILLERS and found == [] and start - end < 3:
            end -= 1  # 没说不满意 / 没有什么不满意 / 不太满意
        else:
            break
    return found, (end if found else start)


_FLIP = {"understanding": "understanding", "explained": "explained", "sat_pos": "sat_neg", "praise": "complaint", "sat_neg": "sat_pos", "complaint": "complaint",
         "sat_mid": "sat_mid", "res_yes": "res_no", "res_no": "res_not_no", "res_part": "res_part"}
_FILLERS = "太怎说是有什么都也还"
_POST_HEDGE = re.compile(r"^(谈不上|说不上|算不上)")
_BARE_NO = {"没", "没有", "还没", "还没有", "没呢", "没的", "不是", "冇", "不"}
_BARE_YES = {"是", "是的", "对", "对的", "嗯", "嗯嗯", "好", "好的", "行", "有", "可以"}


def bare_answer(text: str) -> bool | None:
    """A bare yes/no reply ("没有" / "是的"), ``None`` when the reply says more."""
    t = normalize(text)
    t = re.sub(r"[啊呢吧哈呀嘛哦噢，,。.!！?？\s]", "", t) or t
    if t in _BARE_NO:
        return False
    if t in _BARE_YES:
        return True
    return None


def find_cues(text: str) -> list[Cue]:
    """All cue phrases of the reply, each read with its negation."""
    return list(_find_cues(text))


@lru_cache(maxsize=4096)
def _find_cues(text: str) -> tuple[Cue, ...]:
    found: list[Cue] = []
    for idx, (clause, part) in enumerate(clauses(text)):
        for m in _CUE_RX.finditer(clause):
            s, e = m.span()
            cat = _CATEGORY[m.group(0)]
            negs, begin = _negation(clause, s)
            category = cat
            if len(negs) % 2 == 1:
                category = _FLIP[cat]
                if cat == "sat_pos" and negs[-1] in _HEDGES:
                    category = "sat_hedged"       # 谈不上满意 / 不太满意
                elif cat == "sat_neg" and negs[-1] in ("不是", "不能说"):
                    category = "sat_not_neg"      # 不是不满意，就是…
            if cat == "sat_pos" and _RHETORIC.match(clause[e:]):
                category = "sat_neg"              # 满意什么 / 满意个鬼
            elif cat == "sat_pos" and _POST_HEDGE.match(clause[e:]):
                category = "sat_mid"              # 满意谈不上
            found.append(Cue(category, clause[begin:e], part, idx, s))
    return tuple(found)


CATEGORIES = ("sat_pos", "praise", "sat_mid", "sat_neg", "complaint", "sat_not_neg", "sat_hedged",
              "understanding", "explained", "res_yes", "res_part", "res_no", "res_not_no")
PARTS = ("main", "before", "conceded")


def cue_features(text: str) -> dict[str, float]:
    """Counts of each cue category by part, plus shape flags: the model's rule features."""
    cues = find_cues(text)
    cl = clauses(text)
    feats = {f"{c}@{p}": 0.0 for c in CATEGORIES for p in PARTS}
    for c in cues:
        feats[f"{c.category}@{c.part}"] += 1.0
    for c in CATEGORIES:
        feats[f"{c}@last"] = float(any(x.category == c and x.position == len(cl) - 1 for x in cues))
    res, sat = rule_reading(text, cues)
    for label in ("解决", "部分解决", "未解决"):
        feats[f"rule_res={label}"] = float(res == label)
    for label in ("满意", "基本满意", "不满意"):
        feats[f"rule_sat={label}"] = float(sat == label)
    feats["contrast"] = float(any(p != "main" for _, p in cl))
    feats["short"] = float(len(normalize(text)) <= 6)
    feats["no_cue"] = float(not cues)
    bare = bare_answer(text)
    feats["bare_no"] = float(bare is False)
    feats["bare_yes"] = float(bare is True)
    return feats


def rule_reading(text: str, cues: list[Cue] | None = None) -> tuple[str | None, str | None]:
    """Rules alone: (resolution, satisfaction) from clear cues, ``None`` where the cues say nothing."""
    cues = find_cues(text) if cues is None else cues
    main = {c.category for c in cues if c.part == "main"}
    said = {c.category for c in cues if c.part != "conceded"}
    every = {c.category for c in cues}
    before = {c.category for c in cues if c.part != "main"}
    if "res_part" in main:
        res = "部分解决"
    elif "res_no" in main:
        res = "部分解决" if "res_yes" in before and "res_no" not in before else "未解决"
    elif "res_yes" in main or "res_not_no" in main:
        res = "部分解决" if "res_part" in every else "解决"
    elif "res_part" in every:
        res = "部分解决"
    elif "res_yes" in every or "res_not_no" in every:
        res = "解决"
    elif "res_no" in every or bare_answer(text) is False:
        res = "未解决"
    elif "explained" in every:
        res = "解决"
    else:
        res = None
    if "sat_neg" in said or "sat_hedged" in said:
        sat = "不满意"
    elif "sat_mid" in said or "sat_not_neg" in every:
        sat = "基本满意"
    elif "sat_pos" in said:
        sat = "基本满意" if "sat_pos" in every - said or "complaint" in main - said else "满意"
    elif "sat_pos" in every or "understanding" in every:
        sat = "基本满意"
    elif res == "未解决":
        sat = "基本满意" if "praise" in every and "complaint" not in every else "不满意"
    elif res == "部分解决" or "complaint" in main:
        sat = "基本满意"
    elif res == "解决":
        sat = "满意"
    else:
        sat = None
    if res is None and sat is not None:
        res = {"满意": "解决", "基本满意": "部分解决", "不满意": "未解决"}[sat]
    return res, sat


def evidence(text: str) -> tuple[str, ...]:
    """The cue phrases found, in reading order (shown to the agent)."""
    return tuple(dict.fromkeys(c.phrase for c in find_cues(text)))
