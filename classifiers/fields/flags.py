"""Yes/no fields: does the caller ask for confidentiality, do they accept a callback?

Both are left empty (None) unless the call says so: the caller's own words ("莫说是我打的",
"不要透露我的信息", "匿名", "不用回电话了", "办好了给我回个电话") or their answer to the agent's
question ("需要为您保密吗？" "要保密"; "处理结果回访您可以吗？" "要得"). The last thing said wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.fields import dialogue
from classifiers.fields.model import Span, Turn, span_of

_CONF_YES = re.compile(
    r"(?:不要|别|莫|不能|不准|不得)(?:把我的?(?:名字|电话|信息|号码)?)?(?:透露|暴露|公开|泄露|说出去|讲出去|告诉|给)"
    r"|(?:不要|别|莫)(?:跟[他她]们?)?(?:说|讲)(?:是我|我)"
    r"|(?:不要|别|莫)(?:告诉|让)(?:他|她|他们|她们|村里|别人|人家|老板)(?:知道|晓得|是我)?"
    r"|(?:不要|别|莫)把我"
    r"|(?<![不用需要必])(?:要|请|需要|帮我|给我|请求|一定要|还是)?保密(?!吗)"
    r"|匿名|怕(?:打击)?报复|怕得罪人|不想让(?:人|他|她|别人|他们|人家)(?:知道|晓得)"
    r"|不(?:愿|想)?(?:公开|透露|泄露)(?:个人)?(?:信息|身份|名字)?")
_CONF_NO = re.compile(
    r"(?:不用|不需要|不要|不必|用不着|没必要|没得必要|不消)(?:为我|给我|帮我)?保密|无所谓|说是我也(?:没关系|没事|不怕)"
    r"|就是要(?:他|她|他们)(?:知道|晓得)|可以(?:透露|公开)")
_CB_YES = re.compile(
    r"(?:给我|跟我|帮我)?回(?:个|一个)?电话(?:给我)?(?!了)|(?:要|需要|可以|欢迎)回访|(?<![没不])(?:告诉|通知)我(?!们)(?:一声)?|打(?:个)?电话给我"
    r"|(?:给我|跟我)(?:个)?(?:回复|答复|结果)|(?:电话|短信)?告知(?:本人|我)")
_CB_NO = re.compile(r"(?:不用|不要|不需要|不必|莫|别|用不着)(?:再)?(?:回访|回电话|回复|打电话|回我|给我回|联系我|打给我)")


@dataclass
class FlagChoice:
    value: bool
    confidence: float
    spans: list[Span]


def _statements(turns: list[Turn], yes: re.Pattern, no: re.Pattern, topic: str) -> list[tuple[int, bool, Span, float]]:
    found = []
    for i, turn in enumerate(turns):
        if turn.speaker != "caller":
            continue
        prev = dialogue.previous_agent(turns, i)
        asked = prev is not None and topic in dialogue.asks(turns[prev].text)
        if asked and topic == "confidential":  # "我们会为您保密" is a promise, not a question
            asked = any(topic in dialogue.asks(s) and dialogue.is_question(s)
                        for s in re.split(r"(?<=[。！？!?])", turns[prev].text))
        nos = list(no.finditer(turn.text))
        yeses = [m for m in yes.finditer(turn.text) if not any(m.start() < n.end() and n.start() < m.end() for n in nos)]
        hits = [(m.start(), False, m) for m in nos] + [(m.start(), True, m) for m in yeses]
        for _, value, m in sorted(hits, key=lambda h: h[0]):
            found.append((i, value, span_of(turns, i, m.start(), m.end()), 0.85))
        if asked and not hits:
            said = dialogue.answer(turn.text)
            if said is not None:
                end = min(len(turn.text), 6)
                found.append((i, said, span_of(turns, i, 0, end), 0.8))
    return found


def _choose(found: list[tuple[int, bool, Span, float]]) -> FlagChoice | None:
    if not found:
        return None
    last = found[-1]
    agree = [f[2] for f in found if f[1] == last[1]]
    return FlagChoice(last[1], min(0.95, last[3] + 0.03 * (len(agree) - 1)), agree)


def confidential(turns: list[Turn]) -> FlagChoice | None:
    return _choose(_statements(turns, _CONF_YES, _CONF_NO, "confidential"))


def callback_ok(turns: list[Turn]) -> FlagChoice | None:
    return _choose(_statements(turns, _CB_YES, _CB_NO, "callback"))
