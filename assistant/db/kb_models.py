"""ORM models of the knowledge base (知识库): articles, every version, review events, the query
log behind gap mining, and a revision counter that tells every worker when to refresh its index."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.models import Base


class KbArticle(Base):
    __tablename__ = "kb_articles"
    __table_args__ = (Index("ix_kb_articles_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # draft | in_review | published | retired
    latest_version: Mapped[int] = mapped_column(Integer)
    published_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class KbArticleVersion(Base):
    """One saved version of an article's content; versions are never changed or removed."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_kb_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    number: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(200))
    similar: Mapped[list[Any]] = mapped_column(default=list)
    answer: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64), default="")
    unit: Mapped[str] = mapped_column(String(128), default="")
    region: Mapped[str] = mapped_column(String(64), default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    comment: Mapped[str] = mapped_column(Text, default="")


class KbEvent(Base):
    """Review trail of an article: created, edited, submitted, approved, rejected, retired."""

    __tablename__ = "kb_events"
    __table_args__ = (Index("ix_kb_events_article", "article_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    version_number: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class KbQuery(Base):
    """Every question asked (agent assist or caller self-service), for gap mining and statistics."""

    __tablename__ = "kb_queries"
    __table_args__ = (Index("ix_kb_queries_at", "at"), Index("ix_kb_queries_answered", "answered"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(String(500))
    top_article: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    answered: Mapped[bool] = mapped_column(Boolean)


class KbState(Base):
    """Key/value state shared by all workers (e.g. ``revision``: bumped on every publish/retire)."""

    __tablename__ = "kb_state"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
