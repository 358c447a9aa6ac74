"""The ticket center's fixed vocabularies, with the Chinese labels users see."""

from __future__ import annotations

from typing import Literal

AppealType = Literal["咨询", "求助", "投诉", "举报", "建议", "表扬"]
APPEAL_TYPES: tuple[str, ...] = ("咨询", "求助", "投诉", "举报", "建议", "表扬")

Urgency = Literal["一般", "紧急", "特急"]
URGENCIES: tuple[str, ...] = ("一般", "紧急", "特急")

Channel = Literal["phone", "web", "app", "sms", "wechat", "police_110", "sensor"]
CHANNEL_LABELS: dict[str, str] = {
    "phone": "电话",
    "web": "网站",
    "app": "移动端",
    "sms": "短信",
    "wechat": "微信",
    "police_110": "110转办",
    "sensor": "感知告警",
}

HandlingLevel = Literal["county", "township", "village"]
LEVEL_LABELS: dict[str, str] = {"county": "县级部门", "township": "乡镇", "village": "村（社区）"}

Role = Literal["agent", "unit_staff", "qa", "supervisor", "admin"]
ROLE_LABELS: dict[str, str] = {
    "agent": "坐席",
    "unit_staff": "承办单位",
    "qa": "质检员",
    "supervisor": "督办员",
    "admin": "管理员",
}

STATUS_LABELS: dict[str, str] = {
    "accepted": "已受理",
    "dispatched": "已派单待签收",
    "handling": "办理中",
    "returned": "已退单",
    "closed": "已办结",
    "visited": "已回访",
    "archived": "已归档",
}

Resolution = Literal["解决", "部分解决", "未解决"]
Satisfaction = Literal["满意", "基本满意", "不满意"]
