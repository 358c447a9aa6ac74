"""IVR keypresses posted by a phone system: one key per question, in the script's order.

Default key map (county policy may pass its own):

=====  ==========  ==========
key    问题一：解决  问题二：满意
=====  ==========  ==========
``1``  解决        满意
``2``  部分解决    基本满意
``3``  未解决      不满意
=====  ==========  ==========

Accepted forms: ``"13"``, ``"1,3"``, ``"1 3"``, ``"1#3#"``, ``["1", "3"]``, or a mapping
``{"resolution": "1", "satisfaction": "3"}``. Any other key (``0``, ``*``, ``9``…) or a missing
answer raises :class:`InvalidKeypressError`: a person then listens to the recording."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from classifiers.callback.errors import InvalidKeypressError, InvalidSettingError
from classifiers.callback.labels import RESOLUTIONS, SATISFACTIONS

DEFAULT_KEY_MAP: dict[str, dict[str, str]] = {
    "resolution": {"1": "解决", "2": "部分解决", "3": "未解决"},
    "satisfaction": {"1": "满意", "2": "基本满意", "3": "不满意"},
}


def check_key_map(key_map: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Validate a county key map: both questions, single keys, known labels."""
    out: dict[str, dict[str, str]] = {}
    for question, labels in (("resolution", RESOLUTIONS), ("satisfaction", SATISFACTIONS)):
        keys = dict(key_map.get(question) or {})
        if not keys or any(len(str(k)) != 1 or v not in labels for k, v in keys.items()):
            raise InvalidSettingError(f"按键映射不正确：{question} 需要把单个按键映射到 {'/'.join(labels)}")
        out[question] = {str(k): v for k, v in keys.items()}
    return out


def _keys(presses: str | Sequence[str] | Mapping[str, str]) -> tuple[str, str]:
    if isinstance(presses, Mapping):
        pair = (presses.get("resolution"), presses.get("satisfaction"))
        if any(p is None for p in pair):
            raise InvalidKeypressError("按键记录缺少一个问题的回答")
        return str(pair[0]).strip(), str(pair[1]).strip()
    if isinstance(presses, str):
        cleaned = re.sub(r"[\s,，;；#|/\-]+", "", presses)
        items = list(cleaned)
    else:
        items = [str(p).strip().rstrip("#") for p in presses]
    if len(items) != 2:
        raise InvalidKeypressError(f"需要两个按键（先答是否解决，再答是否满意），收到：{presses!r}")
    return items[0], items[1]


def read_keys(presses: str | Sequence[str] | Mapping[str, str],
              key_map: Mapping[str, Mapping[str, str]] | None = None) -> tuple[str, str]:
    """``(resolution, satisfaction)`` from two keypresses."""
    km = check_key_map(key_map) if key_map is not None else DEFAULT_KEY_MAP
    res_key, sat_key = _keys(presses)
    if res_key not in km["resolution"]:
        raise InvalidKeypressError(f"第一个问题的按键“{res_key}”无效，请按 {'/'.join(km['resolution'])}")
    if sat_key not in km["satisfaction"]:
        raise InvalidKeypressError(f"第二个问题的按键“{sat_key}”无效，请按 {'/'.join(km['satisfaction'])}")
    return km["resolution"][res_key], km["satisfaction"][sat_key]


def key_prompt(key_map: Mapping[str, Mapping[str, str]] | None = None) -> tuple[str, str]:
    """The two spoken IVR prompts for a key map (e.g. "解决请按1，部分解决请按2，未解决请按3")."""
    km = check_key_map(key_map) if key_map is not None else DEFAULT_KEY_MAP
    res = "，".join(f"{v}请按{k}" for k, v in km["resolution"].items())
    sat = "，".join(f"{v}请按{k}" for k, v in km["satisfaction"].items())
    return res, sat
