"""The callback script an agent reads aloud (or an IVR speaks): who calls, the appeal, the unit's
reply, the two questions with their options, and a polite close."""

from __future__ import annotations

import re
from collections.abc import Mapping

from classifiers.callback.errors import InvalidSettingError
from classifiers.callback.ivr import key_prompt

MAX_PART_CHARS = 60  # a part longer than this is cut at a clause boundary, so the script stays short



def _greeting(who: str) -> str:
    """张先生您好; plain 您好 when the caller's name is unknown (the address is 您)."""
    return "您好" if who in ("", "您") else f"{who}您好"

def _short(text: str, limit: int = MAX_PART_CHARS) -> str:
    t = re.sub(r"\s+", "", str(text or "")).strip("，,。.；;")
    if len(t) <= limit:
        return t
    cut = max(t.rfind(p, 0, limit) for p in "，,；;。")
    return (t[:cut] if cut >= limit // 2 else t[:limit]) + "等"


def _appeal(appeal: str) -> str:
    t = _short(appeal)
    for tail in ("的问题", "问题"):
        if t.endswith(tail) and len(t) > len(tail):
            return t[: -len(tail)]
    return t


def callback_script(address: str, appeal: str, unit_reply: str, agent_name: str, hotline: str,
                    *, unit: str | None = None, keys: bool = False,
                    key_map: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The Chinese callback script.

    ``address``: how to address the caller ("王先生", "李阿姨"); ``appeal``: the appeal in one sentence;
    ``unit_reply``: what the handling unit replied; ``agent_name``; ``hotline`` ("鹤峰县12345热线");
    ``unit``: the handling unit's name, if it should be said; ``keys``: add the IVR key prompts."""
    fields = {"address": address, "appeal": appeal, "unit_reply": unit_reply, "agent_name": agent_name,
              "hotline": hotline}
    missing = [k for k, v in fields.items() if not str(v or "").strip()]
    if missing:
        raise InvalidSettingError(f"生成回访话术缺少内容：{'、'.join(missing)}")
    who = str(address).strip()
    replied_by = f"{str(unit).strip()}" if unit and str(unit).strip() else "承办单位"
    lines = [
        f"{_greeting(who)}，我是{str(hotline).strip()}的话务员{str(agent_name).strip()}，"
        f"想耽误您一两分钟做个回访。",
        f"您之前反映{_appeal(appeal)}的问题，{replied_by}答复：{_short(unit_reply)}。",
        "请问您反映的问题解决了吗？是解决、部分解决，还是未解决？",
        "您对这次处理结果满意吗？是满意、基本满意，还是不满意？",
    ]
    if keys:
        res_prompt, sat_prompt = key_prompt(key_map)
        lines[2] += f"（{res_prompt}）"
        lines[3] += f"（{sat_prompt}）"
    lines.append("感谢您对我们工作的支持，如有其他问题欢迎随时拨打热线，祝您生活愉快，再见！")
    return "\n".join(lines)
