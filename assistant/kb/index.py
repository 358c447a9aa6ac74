"""The index the service answers from: published articles only, persisted in the data directory,
refreshed incrementally on publish/retire, and re-synchronised in every worker when the shared
revision counter moves. Expired or not-yet-valid articles are filtered at query time."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assistant.db.engine import Database
from assistant.db.kb_models import KbArticle, KbArticleVersion, KbState
from assistant.kb.schemas import AnswerResult, Suggestion
from knowledge_base import Document, Embedder, HybridRetriever, IndexCorrupted, KnowledgeBaseError, Tokenizer

log = logging.getLogger(__name__)


@contextmanager
def index_dir_lock(directory: Path) -> Iterator[None]:
    """Workers of one host share the index directory: one at a time reads or writes it (``flock``
    on a file beside it), so no worker loads files another is half-way through writing."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory.parent / f".{directory.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def article_document(code: str, v: KbArticleVersion) -> Document:
    meta = {
        "question": v.question, "answer": v.answer, "unit": v.unit, "region": v.region, "source": v.source,
        "category": v.category,
        "valid_from": v.valid_from.isoformat() if v.valid_from else None,
        "valid_to": v.valid_to.isoformat() if v.valid_to else None,
    }
    return Document(id=code, title=v.question, text=v.answer, similar=list(v.similar or []), meta=meta)


def published_documents(db: Database) -> list[Document]:
    with db.read() as s:
        rows = s.execute(
            select(KbArticle.code, KbArticleVersion)
            .join(KbArticleVersion, (KbArticleVersion.article_id == KbArticle.id)
                  & (KbArticleVersion.number == KbArticle.published_version))
            .where(KbArticle.status.in_(["published", "in_review", "draft"]), KbArticle.published_version.isnot(None))
            .order_by(KbArticle.code)
        ).all()
    return [article_document(code, v) for code, v in rows]


def read_revision(db: Database) -> int:
    with db.read() as s:
        row = s.get(KbState, "revision")
        return row.value if row else 0


def _valid_on(meta: dict[str, Any], today: date) -> bool:
    start, end = meta.get("valid_from"), meta.get("valid_to")
    if start and date.fromisoformat(start) > today:
        return False
    return not (end and date.fromisoformat(end) < today)


class KnowledgeIndex:
    """Thread-safe facade over :class:`knowledge_base.HybridRetriever` for the service."""

    def __init__(self, db: Database, directory: Path, now: Callable[[], datetime], *, tz: Any,
                 user_words: list[str] | None = None, dense: bool = True,
                 answer_threshold: float = 0.6, candidate_threshold: float = 0.3,
                 check_interval_s: float = 1.0) -> None:
        self.db = db
        self.directory = Path(directory)
        self.now = now
        self.tz = tz
        self.user_words = list(user_words or [])
        self.dense = dense
        self.answer_threshold = answer_threshold
        self.candidate_threshold = candidate_threshold
        self.check_interval_s = check_interval_s
        self._lock = threading.RLock()
        self._retriever: HybridRetriever | None = None
        self._revision = -1
        self._checked = 0.0
        self.error: str | None = None

    # --- lifecycle ----------------------------------------------------------------------
    def warm_up(self) -> dict[str, Any]:
        with self._lock:
            if self._retriever is not None:  # another thread got here first
                return {"action": "ready", "indexed": 0, "removed": 0, "total": len(self._retriever)}
            embedder = None
            if self.dense:
                try:
                    embedder = Embedder()
                    embedder.warm_up()
                except KnowledgeBaseError as exc:  # the service runs on BM25 alone, and says why
                    self.error = f"向量模型不可用，已退回关键词检索：{exc}"
                    log.warning(self.error)
                    embedder = None
            retriever = HybridRetriever(embedder, Tokenizer(user_words=self.user_words))
            retriever.warm_up()
            revision = read_revision(self.db)
            with index_dir_lock(self.directory):
                try:
                    info = retriever.open_or_build(self.directory, published_documents(self.db))
                except IndexCorrupted as exc:  # torn files (a crash mid-save): rebuild from the database
                    log.warning("knowledge index unusable, rebuilding: %s", exc)
                    (self.directory / "manifest.json").unlink(missing_ok=True)
                    retriever = HybridRetriever(embedder, Tokenizer(user_words=self.user_words))
                    retriever.warm_up()
                    info = retriever.open_or_build(self.directory, published_documents(self.db))
            self._retriever, self._revision = retriever, revision
            return info

    @property
    def ready(self) -> bool:
        return self._retriever is not None

    def refresh(self, force: bool = False) -> None:
        """Bring this worker's index up to the shared revision (cheap when nothing changed)."""
        if self._retriever is None:
            self.warm_up()
            return
        now = time.monotonic()
        if not force and now - self._checked < self.check_interval_s:
            return
        self._checked = now
        revision = read_revision(self.db)
        if revision == self._revision and not force:
            return
        with self._lock:
            docs = published_documents(self.db)
            self._retriever.sync(docs)
            with index_dir_lock(self.directory):
                self._retriever.save(self.directory)
            self._revision = revision

    # --- answering ----------------------------------------------------------------------
    def answer(self, query: str, *, k: int = 3, region: str | None = None) -> AnswerResult:
        self.refresh()
        assert self._retriever is not None
        today = self.now().astimezone(self.tz).date()
        with self._lock:
            result = self._retriever.search(query, k=max(k * 3, 10))
        suggestions = []
        for hit in result.hits:
            meta = hit.meta
            if not _valid_on(meta, today):
                continue
            if region and meta.get("region") not in ("", None, region) and not str(meta.get("region")).endswith("县"):
                continue
            suggestions.append(Suggestion(
                code=hit.doc_id, question=meta.get("question", ""), answer=meta.get("answer", ""),
                matched_text=hit.matched_text, matched_kind=hit.matched_kind, score=round(hit.score, 4),
                unit=meta.get("unit", ""), region=meta.get("region", ""),
                valid_from=meta.get("valid_from"), valid_to=meta.get("valid_to"), source=meta.get("source", ""),
            ))
            if len(suggestions) >= k:
                break
        top_valid = bool(suggestions) and result.top is not None and suggestions[0].code == result.top.doc_id
        confidence = round(result.confidence if top_valid else 0.0, 4)
        if confidence >= self.answer_threshold:
            mode = "answer"
        elif confidence >= self.candidate_threshold and suggestions:
            mode = "candidates"
        else:
            mode = "none"
        return AnswerResult(query=query, mode=mode, confidence=confidence, suggestions=suggestions,
                            elapsed_ms=round(result.elapsed_ms, 2))
