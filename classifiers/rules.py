"""Keyword/regex cue sets per label, as data (a county can edit or replace them).

A rule set is a plain dict ``{label: [regex, ...]}``. ``RuleSet.match(text)`` returns, for each
label, the cue strings found in the text; ``RuleSet.features(texts)`` turns that into a dense
0/1 matrix (one column per label that has cues) that the statistical models use as extra features.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from classifiers.errors import ClassifierError
from classifiers.text import normalize

RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_RULES_FILE = RESOURCES / "appeal_rules.json"


class RuleSet:
    """Compiled cue patterns per label; labels keep the order of the dict."""

    def __init__(self, rules: dict[str, list[str]]):
        if not isinstance(rules, dict):
            raise ClassifierError("规则应为“标签 → 正则表达式列表”的字典。", code="rules_invalid")
        self.rules = {str(k): [str(p) for p in v] for k, v in rules.items()}
        self._compiled: dict[str, list[re.Pattern]] = {}
        for label, patterns in self.rules.items():
            compiled = []
            for p in patterns:
                try:
                    compiled.append(re.compile(p))
                except re.error as exc:
                    raise ClassifierError(
                        f"“{label}”的规则“{p}”不是有效的正则表达式：{exc}", code="rules_invalid"
                    ) from exc
            self._compiled[label] = compiled

    @property
    def labels(self) -> list[str]:
        return [k for k, v in self._compiled.items() if v]

    def match(self, text: str) -> dict[str, list[str]]:
        """For each label with at least one hit, the matched substrings (in pattern order)."""
        t = normalize(text)
        hits: dict[str, list[str]] = {}
        for label, patterns in self._compiled.items():
            found = [m.group(0) for p in patterns if (m := p.search(t))]
            if found:
                hits[label] = found
        return hits

    def features(self, texts: list[str]) -> np.ndarray:
        """``(n, len(labels))`` matrix: number of patterns of each label that fire, capped at 2, halved."""
        labels = self.labels
        out = np.zeros((len(texts), len(labels)), dtype=np.float32)
        for i, text in enumerate(texts):
            t = normalize(text)
            for j, label in enumerate(labels):
                n = sum(1 for p in self._compiled[label] if p.search(t))
                out[i, j] = min(n, 2) / 2.0
        return out

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.rules.items()}


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClassifierError(f"规则文件无法读取：{path}（{exc}）", code="rules_invalid") from exc


def default_rules(task: str, path: str | Path | None = None) -> dict[str, list[str]]:
    """The bundled cue lists for ``task`` (``appeal_type`` or ``urgency``), or those in ``path``."""
    data = _load(str(path or DEFAULT_RULES_FILE))
    if task not in data:
        raise ClassifierError(f"规则文件中没有“{task}”部分。", code="rules_invalid")
    return {k: list(v) for k, v in data[task].items()}
