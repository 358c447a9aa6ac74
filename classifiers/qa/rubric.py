"""The rubric: items with their group, deduction, fatal flag and thresholds, plus the word lists.

A rubric is data the county edits (``data/default_rubric.json`` is the default). ``load_rubric``
takes a path, a dict or nothing, fills each item's missing thresholds with the defaults below and
refuses anything it cannot use, naming the item in Chinese."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers.qa.errors import InvalidRubric

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_RUBRIC = DATA_DIR / "default_rubric.json"
DEFAULT_WORD_LISTS = DATA_DIR / "word_lists.json"
TONE_EXAMPLES = DATA_DIR / "tone_examples.jsonl"

# check name -> default thresholds (every key a rubric may set for an item using that check)
CHECK_DEFAULTS: dict[str, dict[str, Any]] = {
    "opening": {"window_s": 8.0},
    "closing": {"window_s": 20.0, "last_turns": 2},
    "forbidden_phrase": {"per_occurrence": 5, "max_deduction": 15, "suspect_threshold": 0.6,
                         "learned_deduct": 1.0, "learned_review": 0.8},
    "interrupt": {"min_overlap_s": 1.0, "max_count": 0, "per_occurrence": 3, "max_deduction": 6},
    "silence": {"max_gap_s": 10.0, "max_notified_gap_s": 60.0},
    "speech_rate": {"min_rate": 2.2, "max_rate": 6.0, "min_chars": 8, "min_speech_s": 6.0},
    "kb_agreement": {"min_coverage": 0.12, "answer_min_chars": 8},
    "dispatch": {},
    "appeal_type": {"ranks": {"咨询": 0, "建议": 1, "求助": 1, "表扬": 1, "投诉": 2, "举报": 2}},
    "key_facts": {"address_for": ["求助", "投诉", "举报"], "min_content_chars": 6},
    "category": {"min_confidence": 0.2, "sure_confidence": 0.35, "margin": 0.4, "top_candidates": 3,
                 "min_turn_chars": 6, "max_turns": 8, "max_chars": 128, "absent_confidence": 0.18,
                 "generic_labels": ["热线服务", "政务服务"]},
    "caller_emotion": {"model_threshold": 0.8, "uncertain_band": 0.15},
    "agent_attitude": {"model_threshold": 0.8, "uncertain_band": 0.15},
    "confidential_leak": {"answer_turns": 2, "learned_deduct": 0.9, "learned_review": 0.5},
    "abuse": {"suspect_threshold": 0.6, "learned_deduct": 0.9, "learned_review": 0.5},
    "forbidden_promise": {"suspect_threshold": 0.6, "learned_deduct": 0.9, "learned_review": 0.5},
}
ROUTING_DEFAULTS = {
    "auto_accept_min_score": 90.0,
    "auto_accept_confidence": 0.85,
    "auto_accept_max_deduction": 5.0,
    "review_below_confidence": 0.6,
    "sample_rate": 0.2,
}
_FRACTIONS = {
    "model_threshold",
    "suspect_threshold",
    "learned_deduct",
    "learned_review",
    "uncertain_band",
    "min_coverage",
    "auto_accept_confidence",
    "review_below_confidence",
    "sample_rate",
    "min_confidence",
    "sure_confidence",
    "margin",
    "absent_confidence",
}


@dataclass(frozen=True)
class RubricItem:
    id: str
    name: str
    group: str
    deduction: float
    fatal: bool
    check: str
    params: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True)
class Rubric:
    version: str
    name: str
    full_score: float
    fatal_score: float
    groups: tuple[str, ...]
    routing: Mapping[str, float]
    items: tuple[RubricItem, ...]
    word_lists: Mapping[str, Any] = field(repr=False, default_factory=dict)
    source: str = ""

    def item(self, item_id: str) -> RubricItem | None:
        return next((i for i in self.items if i.id == item_id), None)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidRubric(f"找不到{what}文件：{path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRubric(f"{what}文件无法读取或不是合法的 JSON：{path}", details=str(exc)) from exc


def _number(value: Any, where: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InvalidRubric(f"{where}的“{key}”应为不小于0的数字，现为 {value!r}")
    if key in _FRACTIONS and value > 1:
        raise InvalidRubric(f"{where}的“{key}”应在0到1之间，现为 {value!r}")
    return float(value)


def _params(check: str, given: Any, where: str) -> dict[str, Any]:
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise InvalidRubric(f"{where}的 params 应为对象")
    defaults = CHECK_DEFAULTS[check]
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise InvalidRubric(f"{where}有不认识的参数：{'、'.join(unknown)}")
    out = dict(defaults)
    for key, value in given.items():
        if isinstance(defaults[key], int | float):
            out[key] = _number(value, where, key)
        elif isinstance(defaults[key], list):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidRubric(f"{where}的“{key}”应为文字列表")
            out[key] = list(value)
        elif isinstance(defaults[key], dict):
            if not isinstance(value, Mapping):
                raise InvalidRubric(f"{where}的“{key}”应为对象")
            out[key] = {str(k): _number(v, where, f"{key}.{k}") for k, v in value.items()}
    if "min_rate" in out and out["min_rate"] >= out["max_rate"]:
        raise InvalidRubric(f"{where}的语速下限应小于上限")
    return out


def _item(raw: Any, index: int, groups: tuple[str, ...]) -> RubricItem:
    if not isinstance(raw, Mapping):
        raise InvalidRubric(f"评分项第{index + 1}项不是对象")
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not item_id.strip():
        raise InvalidRubric(f"评分项第{index + 1}项缺少 id")
    where = f"评分项“{item_id}”"
    check = raw.get("check", item_id)
    if check not in CHECK_DEFAULTS:
        raise InvalidRubric(f"{where}的检查方法“{check}”不存在，可用：{'、'.join(CHECK_DEFAULTS)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidRubric(f"{where}缺少中文名称 name")
    group = raw.get("group")
    if group not in groups:
        raise InvalidRubric(f"{where}的分组“{group}”不在 groups 中")
    fatal = raw.get("fatal", False)
    if not isinstance(fatal, bool):
        raise InvalidRubric(f"{where}的 fatal 应为 true 或 false")
    return RubricItem(
        item_id,
        name,
        group,
        _number(raw.get("deduction", 0), where, "deduction"),
        fatal,
        check,
        _params(check, raw.get("params"), where),
        str(raw.get("description") or ""),
    )


def _word_lists(spec: Any, base_dir: Path) -> dict[str, Any]:
    lists = _read_json(DEFAULT_WORD_LISTS, "默认质检词表")
    if spec is None:
        return lists
    if isinstance(spec, str):
        path = Path(spec)
        loaded = _read_json(path if path.is_absolute() else base_dir / path, "质检词表")
    elif isinstance(spec, Mapping):
        loaded = spec
    else:
        raise InvalidRubric("word_lists 应为词表文件路径或对象")
    if not isinstance(loaded, Mapping):
        raise InvalidRubric("质检词表应为对象（词表名 → 短语列表）")
    lists.update(loaded)
    return lists


def load_rubric(source: Rubric | Mapping[str, Any] | str | Path | None = None) -> Rubric:
    """A validated rubric from a path, a dict (word lists relative to the data dir) or the default."""
    if isinstance(source, Rubric):
        return source
    base_dir, label = DATA_DIR, "dict"
    if source is None or isinstance(source, str | Path):
        path = Path(source) if source is not None else DEFAULT_RUBRIC
        raw, base_dir, label = _read_json(path, "质检评分标准"), path.resolve().parent, str(path)
    else:
        raw = source
    if not isinstance(raw, Mapping):
        raise InvalidRubric("质检评分标准应为对象")
    groups = raw.get("groups") or ["服务规范", "业务准确", "工单质量", "情绪与态度", "致命错误"]
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise InvalidRubric("groups 应为分组名称列表")
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise InvalidRubric("评分标准至少要有一个评分项（items）")
    items = tuple(
        _item(r, i, tuple(groups))
        for i, r in enumerate(raw_items)
        if not (isinstance(r, Mapping) and r.get("enabled") is False)
    )
    ids = [i.id for i in items]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise InvalidRubric(f"评分项 id 重复：{'、'.join(dup)}")
    routing_raw = raw.get("routing") or {}
    if not isinstance(routing_raw, Mapping):
        raise InvalidRubric("routing 应为对象")
    unknown = sorted(set(routing_raw) - set(ROUTING_DEFAULTS))
    if unknown:
        raise InvalidRubric(f"routing 有不认识的参数：{'、'.join(unknown)}")
    routing = dict(ROUTING_DEFAULTS)
    routing.update({k: _number(v, "routing", k) for k, v in routing_raw.items()})
    full = _number(raw.get("full_score", 100), "评分标准", "full_score")
    fatal_score = _number(raw.get("fatal_score", 0), "评分标准", "fatal_score")
    if fatal_score > full:
        raise InvalidRubric("fatal_score 不能高于满分")
    return Rubric(
        str(raw.get("version") or ""),
        str(raw.get("name") or ""),
        full,
        fatal_score,
        tuple(groups),
        routing,
        items,
        _word_lists(raw.get("word_lists"), base_dir),
        label,
    )
