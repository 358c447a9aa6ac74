"""Articles, their versions and their review: draft → in review → published → retired.

Editing a published article saves a new version that waits for review while the published version
keeps being served; every version and every review step is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assistant.access import Actor
from assistant.db.engine import Database
from assistant.db.kb_models import KbArticle, KbArticleVersion, KbEvent, KbState
from assistant.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from assistant.kb.schemas import (
    STATUS_LABELS,
    ArticleContent,
    ArticleCreate,
    ArticlePublic,
    ArticleUpdate,
    ArticleVersionPublic,
    KbEventPublic,
)
from assistant.tickets.schemas import Page

EDITORS = ("agent", "supervisor", "admin")
REVIEWERS = ("supervisor", "admin")
READERS = ("agent", "supervisor", "admin", "qa", "unit_staff")
# action → (statuses it starts from, resulting status, roles)
MOVES = {
    "submit": ({"draft"}, "in_review", EDITORS),
    "approve": ({"in_review"}, "published", REVIEWERS),
    "reject": ({"in_review"}, "draft", REVIEWERS),
    "retire": ({"published", "draft", "in_review"}, "retired", REVIEWERS),
    "restore": ({"retired"}, "draft", REVIEWERS),
}
MOVE_LABELS = {"submit": "提交审核", "approve": "审核发布", "reject": "退回修改", "retire": "下线",
               "restore": "恢复为草稿"}


def bump_revision(s: Session) -> None:
    row = s.get(KbState, "revision", with_for_update=True)
    if row is None:
        s.add(KbState(key="revision", value=1))
    else:
        row.value += 1


def _version_public(v: KbArticleVersion) -> ArticleVersionPublic:
    return ArticleVersionPublic(
        question=v.question, similar_questions=list(v.similar or []), answer=v.answer, category=v.category,
        unit=v.unit, region=v.region, valid_from=v.valid_from, valid_to=v.valid_to, source=v.source,
        number=v.number, author=v.author, created_at=v.created_at, comment=v.comment,
    )


class KnowledgeService:
    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    # --- helpers ----------------------------------------------------------------------
    def _article(self, s: Session, code: str) -> KbArticle:
        art = s.scalar(select(KbArticle).where(KbArticle.code == code))
        if art is None:
            raise NotFound(f"知识条目 {code} 不存在")
        return art

    def _version(self, s: Session, art: KbArticle, number: int | None = None) -> KbArticleVersion:
        return s.scalar(select(KbArticleVersion).where(KbArticleVersion.article_id == art.id,
                                                       KbArticleVersion.number == (number or art.latest_version)))

    def _public(self, s: Session, art: KbArticle) -> ArticlePublic:
        return ArticlePublic(code=art.code, status=art.status, status_label=STATUS_LABELS[art.status],
                             latest_version=art.latest_version, published_version=art.published_version,
                             content=_version_public(self._version(s, art)), created_at=art.created_at,
                             updated_at=art.updated_at)

    def _event(self, s: Session, art: KbArticle, actor: Actor, action: str, before: str | None, comment: str) -> None:
        s.add(KbEvent(article_id=art.id, at=self.now(), actor=actor.display_name, action=action, from_status=before,
                      to_status=art.status, version_number=art.latest_version, comment=comment))

    def _add_version(self, s: Session, art: KbArticle, content: ArticleContent, actor: Actor, comment: str) -> None:
        s.add(KbArticleVersion(
            article_id=art.id, number=art.latest_version, question=content.question,
            similar=list(content.similar_questions), answer=content.answer, category=content.category,
            unit=content.unit, region=content.region, valid_from=content.valid_from, valid_to=content.valid_to,
            source=content.source, author=actor.display_name, created_at=self.now(), comment=comment,
        ))

    def _next_code(self, s: Session) -> str:
        n = s.scalar(select(func.count(KbArticle.id))) or 0
        while True:
            n += 1
            code = f"kb-{n:04d}"
            if s.scalar(select(KbArticle.id).where(KbArticle.code == code)) is None:
                return code

    # --- commands ---------------------------------------------------------------------
    def create_in(self, s: Session, data: ArticleCreate, actor: Actor, *, publish: bool = False) -> KbArticle:
        code = data.code or self._next_code(s)
        if s.scalar(select(KbArticle.id).where(KbArticle.code == code)) is not None:
            raise Conflict(f"知识条目编号 {code} 已存在")
        now = self.now()
        art = KbArticle(code=code, status="published" if publish else "draft", latest_version=1,
                        published_version=1 if publish else None, created_at=now, updated_at=now)
        s.add(art)
        s.flush()
        self._add_version(s, art, data, actor, data.comment)
        self._event(s, art, actor, "import_publish" if publish else "create", None, data.comment)
        if publish:
            bump_revision(s)
        return art

    def create(self, data: ArticleCreate, actor: Actor) -> ArticlePublic:
        actor.require(*EDITORS)
        with self.db.write() as s:
            art = self.create_in(s, data, actor)
            return self._public(s, art)

    def update(self, code: str, data: ArticleUpdate, actor: Actor) -> ArticlePublic:
        actor.require(*EDITORS)
        with self.db.write() as s:
            art = self._article(s, code)
            if art.status in ("in_review", "retired"):
                raise InvalidTransition(f"知识条目处于“{STATUS_LABELS[art.status]}”状态，不能修改")
            before = art.status
            art.latest_version += 1
            art.status = "draft"
            art.updated_at = self.now()
            self._add_version(s, art, data, actor, data.comment)
            self._event(s, art, actor, "edit", before, data.comment)
            return self._public(s, art)

    def move(self, code: str, action: str, actor: Actor, comment: str = "") -> ArticlePublic:
        if action not in MOVES:
            raise InvalidTransition(f"未知的知识库操作：{action}")
        sources, target, roles = MOVES[action]
        if actor.role not in roles:
            raise PermissionDenied(f"当前账号无权“{MOVE_LABELS[action]}”")
        with self.db.write() as s:
            art = self._article(s, code)
            if art.status not in sources:
                raise InvalidTransition(f"知识条目处于“{STATUS_LABELS[art.status]}”状态，不能“{MOVE_LABELS[action]}”")
            before = art.status
            art.status = target
            art.updated_at = self.now()
            if action == "approve":
                art.published_version = art.latest_version
            if action == "retire":
                art.published_version = None
            if action in ("approve", "retire"):
                bump_revision(s)
            self._event(s, art, actor, action, before, comment)
            return self._public(s, art)

    # --- queries ----------------------------------------------------------------------
    def get(self, code: str, actor: Actor) -> ArticlePublic:
        actor.require(*READERS)
        with self.db.read() as s:
            return self._public(s, self._article(s, code))

    def versions(self, code: str, actor: Actor) -> list[ArticleVersionPublic]:
        actor.require(*READERS)
        with self.db.read() as s:
            art = self._article(s, code)
            rows = s.scalars(select(KbArticleVersion).where(KbArticleVersion.article_id == art.id)
                             .order_by(KbArticleVersion.number))
            return [_version_public(v) for v in rows]

    def history(self, code: str, actor: Actor) -> list[KbEventPublic]:
        actor.require(*READERS)
        with self.db.read() as s:
            art = self._article(s, code)
            rows = s.scalars(select(KbEvent).where(KbEvent.article_id == art.id).order_by(KbEvent.id))
            return [KbEventPublic(at=e.at, actor=e.actor, action=e.action, from_status=e.from_status,
                                  to_status=e.to_status, version_number=e.version_number, comment=e.comment)
                    for e in rows]

    def list(self, actor: Actor, *, status: str | None = None, q: str | None = None, page: int = 1,
             size: int = 20) -> Page[ArticlePublic]:
        actor.require(*READERS)
        stmt = select(KbArticle).join(KbArticleVersion, (KbArticleVersion.article_id == KbArticle.id)
                                      & (KbArticleVersion.number == KbArticle.latest_version))
        if status:
            stmt = stmt.where(KbArticle.status == status)
        if q:
            like = f"%{q.replace('%', '').replace('_', '')}%"
            stmt = stmt.where(or_(KbArticleVersion.question.like(like), KbArticleVersion.answer.like(like),
                                  KbArticleVersion.category.like(like), KbArticle.code.like(like)))
        with self.db.read() as s:
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = s.scalars(stmt.order_by(KbArticle.code).offset((page - 1) * size).limit(size)).all()
            return Page[ArticlePublic](items=[self._public(s, a) for a in rows], total=total, page=page, size=size)
