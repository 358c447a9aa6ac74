"""Plain data types of the knowledge base's retrieval layer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One article as the index sees it: standard question (``title``), answer (``text``), similar
    questions, and free ``meta`` passed back with every hit."""

    id: str
    title: str
    text: str = ""
    similar: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        payload = json.dumps(
            [self.id, self.title, self.text, list(self.similar), self.meta],
            ensure_ascii=False, sort_keys=True, default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


ENTRY_KINDS = ("title", "similar", "text")


@dataclass(frozen=True)
class Entry:
    """One indexed text: an article's standard question, one of its similar questions, or its answer."""

    doc_id: str
    kind: str
    text: str


@dataclass
class Hit:
    doc_id: str
    score: float
    matched_text: str
    matched_kind: str
    bm25: float
    dense: float
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchResult:
    query: str
    normalized_query: str
    hits: list[Hit]
    confidence: float
    elapsed_ms: float
    features: dict[str, float] = field(default_factory=dict)

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None
