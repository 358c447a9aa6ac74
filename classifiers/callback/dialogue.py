"""A callback's transcript (agent and caller turns) turned into the caller's reply text.

Only caller turns are read. A bare "是的/嗯/没有" is made explicit from the agent's last question
("问题解决了吗？" → "解决了" / "没解决"; "您满意吗？" → "满意" / "不满意"), so the reader sees what the
caller agreed to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from classifiers.callback.cues import bare_answer, normalize
from classifiers.callback.errors import EmptyReplyError

AGENT_SPEAKERS = ("agent", "坐席", "客服", "话务员")
_EXPLICIT = {
    ("resolution", True): "解决了", ("resolution", False): "没解决",
    ("satisfaction", True): "满意", ("satisfaction", False): "不满意",
    ("both", True): "解决了，满意", ("both", False): "没解决，不满意",
}


def _field(turn: Any, name: str) -> str:
    value = turn.get(name) if isinstance(turn, Mapping) else getattr(turn, name, None)
    return str(value or "")


def _question(text: str) -> str | None:
    t = normalize(text)
    asks_res = "解决" in t or "处理" in t and ("吗" in t or "没有" in t)
    asks_sat = "满意" in t or "评价" in t
    if asks_res and asks_sat:
        return "both"
    return "resolution" if asks_res else "satisfaction" if asks_sat else None


def caller_reply(turns: Sequence[Any]) -> str:
    """The caller's words of a callback, with bare yes/no answers made explicit.

    ``turns``: dicts (or objects) with ``speaker`` ("agent" | "caller") and ``text``."""
    asked: str | None = None
    parts: list[str] = []
    for turn in turns:
        text = _field(turn, "text").strip()
        if not text:
            continue
        if _field(turn, "speaker").lower() in AGENT_SPEAKERS:
            asked = _question(text) or asked
            continue
        bare = bare_answer(text)
        if bare is not None and asked is not None:
            parts.append(_EXPLICIT[(asked, bare)])
        else:
            parts.append(text)
    reply = "，".join(p.rstrip("，,。.") for p in parts)
    if not reply:
        raise EmptyReplyError("通话记录中没有来电人的答复")
    return reply
