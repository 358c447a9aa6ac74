"""The county's thresholds for repeated and concentrated appeals (``governance.json`` in the county
directory; every key is optional and defaults to the usual rule):

* 一人多次: the same caller (number or ID number) on the same matter 5 or more times within 30 days;
* 一事多人: 5 or more distinct callers on the same event within 3 days;

"the same matter" = text similarity at or above the threshold (embedding cosine when the model is
ready, character n-gram cosine before), the same first-level category when both tickets have one,
and the same township when both tickets name one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ValidationFailed

FILE_NAME = "governance.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RepeatRule(_Model):
    min_count: int = Field(default=5, ge=2, description="同一来电人同一事项达到此次数（含本次）即列为重点督办")
    window_days: float = Field(default=30, gt=0, description="统计窗口（自然日）")


class ConcentratedRule(_Model):
    min_callers: int = Field(default=5, ge=2, description="不同来电人反映同一事件达到此人数（含本次）即列为重点督办")
    window_days: float = Field(default=3, gt=0, description="统计窗口（自然日）")


class SimilarityRule(_Model):
    ngram_threshold: float = Field(default=0.40, gt=0, le=1, description="字符 n-gram 余弦相似度阈值（模型未就绪时使用）")
    embedding_threshold: float = Field(default=0.90, gt=0, le=1, description="语义向量余弦相似度阈值")
    same_category: bool = Field(default=True, description="两张工单都有分类时须一级分类相同")
    same_place: bool = Field(default=True, description="两张工单都有乡镇时须乡镇相同")


class GovernancePolicy(_Model):
    version: int = Field(default=1, ge=1)
    description: str = ""
    repeat: RepeatRule = RepeatRule()
    concentrated: ConcentratedRule = ConcentratedRule()
    similarity: SimilarityRule = SimilarityRule()
    auto_supervise: bool = Field(default=True, description="达到阈值时自动对案件工单发起督办")

    @property
    def longest_window_days(self) -> float:
        return max(self.repeat.window_days, self.concentrated.window_days)

    @classmethod
    def from_dict(cls, data: Any) -> GovernancePolicy:
        if not isinstance(data, dict):
            raise ValidationFailed("重复诉求规则必须是 JSON 对象")
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            problems = "；".join(f"{'.'.join(str(p) for p in e['loc']) or '(根)'}：{e['msg']}" for e in err.errors())
            raise ValidationFailed(f"重复诉求规则配置有误：{problems}") from None

    @classmethod
    def for_county(cls, county_dir: str | Path) -> GovernancePolicy:
        """The county's rules, or the defaults when the county has no ``governance.json``."""
        path = Path(county_dir) / FILE_NAME
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValidationFailed(f"无法读取重复诉求规则文件 {path.name}：{err}") from None
        return cls.from_dict(data)
