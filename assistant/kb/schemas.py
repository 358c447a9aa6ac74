"""Typed inputs and outputs of the knowledge base."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ArticleStatus = Literal["draft", "in_review", "published", "retired"]
STATUS_LABELS = {"draft": "草稿", "in_review": "待审核", "published": "已发布", "retired": "已下线"}


class ArticleContent(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    question: str = Field(min_length=2, max_length=200, description="标准问")
    similar_questions: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50,
                                                                   description="相似问")
    answer: str = Field(min_length=2, max_length=5000, description="答案")
    category: str = Field(default="", max_length=64, description="分类，如 社会保障/养老保险")
    unit: str = Field(default="", max_length=128, description="责任单位")
    region: str = Field(default="", max_length=64, description="适用地区：全县或某乡镇")
    valid_from: date | None = Field(default=None, description="生效日期")
    valid_to: date | None = Field(default=None, description="失效日期（含当天）")
    source: str = Field(default="", max_length=500, description="依据或来源")

    @field_validator("similar_questions")
    @classmethod
    def _clean_similar(cls, v: list[str]) -> list[str]:
        out = list(dict.fromkeys(s.strip() for s in v if s and s.strip()))
        if any(len(s) > 200 for s in out):
            raise ValueError("相似问过长（每条不超过 200 字）")
        return out

    @model_validator(mode="after")
    def _dates(self) -> ArticleContent:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("失效日期不能早于生效日期")
        return self


class ArticleCreate(ArticleContent):
    code: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$", description="编号（可选）")
    comment: str = Field(default="", max_length=500)


class ArticleUpdate(ArticleContent):
    comment: str = Field(default="", max_length=500, description="修改说明")


class ReviewInput(BaseModel):
    comment: str = Field(default="", max_length=500, description="审核意见")


class ArticleVersionPublic(ArticleContent):
    number: int
    author: str
    created_at: datetime
    comment: str


class ArticlePublic(BaseModel):
    code: str
    status: str
    status_label: str
    latest_version: int
    published_version: int | None
    content: ArticleVersionPublic = Field(description="最新版本的内容")
    created_at: datetime
    updated_at: datetime


class KbEventPublic(BaseModel):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    version_number: int
    comment: str


class ImportRowError(BaseModel):
    row: int = Field(description="行号（Markdown 为第几篇）")
    field: str
    message: str


class ImportReport(BaseModel):
    format: str
    rows: int
    imported: int
    errors: list[ImportRowError]


class Suggestion(BaseModel):
    code: str
    question: str
    answer: str
    matched_text: str = Field(description="命中的标准问、相似问或答案原文")
    matched_kind: str
    score: float
    unit: str
    region: str
    valid_from: date | None
    valid_to: date | None
    source: str


class AnswerResult(BaseModel):
    query: str
    mode: Literal["answer", "candidates", "none"] = Field(
        description="answer：置信度高，直接给出一条；candidates：给坐席候选；none：无可靠答案")
    confidence: float
    suggestions: list[Suggestion]
    elapsed_ms: float
