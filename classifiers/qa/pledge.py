"""A promise by personal liability: the agent stakes themself on an outcome failing
(批不下来你来找我, 要是不来你打电话来骂我, 钱退不回来算我的, 明天灯不亮你投诉我).

Neither a commitment word nor an outcome word is needed: the pledge is the liability phrase
(``promise_liability``: 找我/骂我/投诉我, 算我的, 我负责, 名字倒过来写…) with a failed outcome before it
in the same sentence (a negated result: 不下来, 没修好, 不亮, 退不回来).
Not a pledge: the caller's right to complain about the agent's service (如果对我的服务不满意，可以投诉我),
the hotline rather than the agent (再打电话找我们), the liability denied (不会让你找我)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from classifiers.qa.text import Folded, Phrase, find_all

SENTENCE_BREAK = re.compile(r"[。！？!?；;\n]")

# the outcome failing: a negated result (不来, 没修好, 批不下来, 退不回来, 还不亮); 不懂/不用/不清楚 are not
_FAILURE = re.compile(
    r"(没有?|不)(来|亮|通|修|好|批|退|到|赔|解决|办|给|拆|罚|处理|来水|来电)"
    r"|[\u4e00-\u9fff]不(下来|回来|上来|出来|起来|好|了|成|到|掉|通|亮|上|起|动|过|赢)"
)
# a right, not a stake: 可以投诉我, 有权投诉我; the agent's own service as the condition
_RIGHT = re.compile(r"(可以|有权|欢迎|随时)[^，,。]{0,4}$")
_SERVICE = re.compile(r"服务|态度|我的工作|我说得不对|我说错")
_DENIED = re.compile(r"(不会|不用|不必|别|不要)[^，,。]{0,4}$")
_POLITE = re.compile("不好意思|对不起|不客气|不用谢|不要紧|没关系")  # not an outcome that failed
_USELESS = re.compile(r"^(也|都|又)?(没有?用|不行|白搭|没办法|解决不了)")  # 你找我也没用


def sentence_bounds(s: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (between 。！？) that holds ``s[start:end]``."""
    left = 0
    for m in SENTENCE_BREAK.finditer(s, 0, start):
        left = m.end()
    m = SENTENCE_BREAK.search(s, end)
    return left, (m.start() if m else len(s))


def liability_pledge(
    f: Folded, liability: Sequence[Phrase], stakes: Sequence[Phrase] = ()
) -> tuple[int, int] | None:
    """The span from the failed outcome to the liability phrase, or None. ``stakes`` (算我头上, 拿我是问,
    我自己掏腰包) are pledges whatever comes before them, unless denied."""
    for s, e, _ in find_all(stakes, f):
        left, _ = sentence_bounds(f.s, s, e)
        if not _DENIED.search(f.s[left:s]):
            return s, e
    for s, e, _ in find_all(liability, f):
        left, _ = sentence_bounds(f.s, s, e)
        before = f.s[left:s]
        if (
            _RIGHT.search(before)
            or _DENIED.search(before)
            or _SERVICE.search(before)
            or _USELESS.match(f.s[e:])
        ):
            continue
        failure = _FAILURE.search(_POLITE.sub(lambda m: "_" * len(m.group(0)), before))
        if failure:
            return left + failure.start(), e
    return None
