"""Answering from the knowledge base: agent suggestions, caller self-service, hit testing, and
gap mining (questions without a confident answer, clustered, largest first)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select

from assistant.access import Actor
from assistant.db.engine import Database
from assistant.db.kb_models import KbQuery
from assistant.errors import ValidationFailed
from assistant.kb.index import KnowledgeIndex
from assistant.kb.schemas import AnswerResult


class GapTopic(BaseModel):
    size: int = Field(description="该主题下未能可靠回答的提问次数")
    example: str = Field(description="代表性提问")
    questions: list[str]
    last_asked: datetime


class KnowledgeDesk:
    def __init__(self, db: Database, index: KnowledgeIndex, now: Callable[[], datetime], *,
                 answer_thresholds: dict[str, float] | None = None) -> None:
        self.db = db
        self.index = index
        self.now = now
        # a stricter bar where nobody checks the answer before the caller reads it: below it the
        # caller is offered the candidates (您是不是想问) and a ticket instead of one firm answer
        self.answer_thresholds = dict(answer_thresholds or {})

    def ask(self, query: str, *, channel: str, k: int = 3, region: str | None = None) -> AnswerResult:
        query = query.strip()
        if not query:
            raise ValidationFailed("请输入要咨询的问题")
        query = query[-500:]  # the latest words of a long transcript matter most
        result = self.peek(query, channel=channel, k=k, region=region)
        with self.db.write() as s:
            top = result.suggestions[0].code if result.suggestions else None
            s.add(KbQuery(at=self.now(), channel=channel, query=query[:500], top_article=top,
                          confidence=result.confidence, answered=result.mode == "answer"))
        return result

    def peek(self, query: str, *, channel: str, k: int = 3, region: str | None = None) -> AnswerResult:
        """The answer :meth:`ask` would give, neither logged nor counted as a gap (a provisional
        question, e.g. the words of a caller who is still speaking)."""
        result = self.index.answer(query[-500:], k=k, region=region)
        bar = self.answer_thresholds.get(channel)
        if bar is not None and result.mode == "answer" and result.confidence < bar:
            result = result.model_copy(update={"mode": "candidates"})
        return result

    def hit_test(self, queries: list[str], actor: Actor, k: int = 5) -> list[AnswerResult]:
        actor.require("agent", "supervisor", "admin")
        if not queries or len(queries) > 500:
            raise ValidationFailed("命中测试每次 1–500 个问题")
        return [self.index.answer(q, k=k) for q in queries if q.strip()]

    def gaps(self, actor: Actor, *, days: int = 30, max_topics: int = 30) -> list[GapTopic]:
        actor.require("agent", "supervisor", "admin")
        since = self.now() - timedelta(days=days)
        with self.db.read() as s:
            rows = s.execute(select(KbQuery.query, KbQuery.at).where(KbQuery.at >= since,
                                                                     KbQuery.answered.is_(False))
                             .order_by(KbQuery.id.desc()).limit(5000)).all()
        if not rows:
            return []
        return cluster_questions([(q, at) for q, at in rows], max_topics=max_topics)


def cluster_questions(rows: list[tuple[str, datetime]], *, max_topics: int = 30,
                      threshold: float = 0.55) -> list[GapTopic]:
    """Group similar questions (character n-gram TF-IDF, cosine ≥ threshold, single pass)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [q for q, _ in rows]
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True).fit_transform(texts)
    centroids: list = []
    members: list[list[int]] = []
    for i in range(matrix.shape[0]):
        vec = matrix[i]
        best, best_sim = -1, 0.0
        for c, centroid in enumerate(centroids):
            sim = float((vec @ centroid.T).toarray()[0, 0])
            if sim > best_sim:
                best, best_sim = c, sim
        if best >= 0 and best_sim >= threshold:
            members[best].append(i)
        else:
            centroids.append(vec)
            members.append([i])
    topics = []
    for group in members:
        qs = [texts[i] for i in group]
        topics.append(GapTopic(size=len(group), example=min(qs, key=len), questions=list(dict.fromkeys(qs))[:10],
                               last_asked=max(rows[i][1] for i in group)))
    return sorted(topics, key=lambda t: (-t.size, t.example))[:max_topics]
