"""Import and export through the service: all rows checked, then written in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from assistant.access import Actor
from assistant.db.kb_models import KbArticle, KbArticleVersion
from assistant.kb.io import ImportFailed, export_rows, read_rows, validate_rows
from assistant.kb.schemas import ImportReport, ImportRowError
from assistant.kb.service import EDITORS, REVIEWERS, KnowledgeService


def import_articles(service: KnowledgeService, data: bytes, fmt: str, actor: Actor, *,
                    publish: bool = False) -> ImportReport:
    actor.require(*(REVIEWERS if publish else EDITORS))
    rows = read_rows(data, fmt)
    articles, errors = validate_rows(rows)
    with service.db.read() as s:
        codes = [a.code for a in articles if a.code]
        existing = set(s.scalars(select(KbArticle.code).where(KbArticle.code.in_(codes)))) if codes else set()
    for n, article in enumerate(articles, 1):
        if article.code in existing:
            errors.append(ImportRowError(row=n, field="编号", message=f"编号 {article.code} 已存在"))
    report = ImportReport(format=fmt, rows=len(rows), imported=0, errors=sorted(errors, key=lambda e: e.row))
    if errors or not rows:
        message = f"导入失败：共 {len(errors)} 处错误，未导入任何条目" if errors else "文件中没有条目"
        raise ImportFailed(message, details=report.model_dump())
    with service.db.write() as s:
        taken = set(s.scalars(select(KbArticle.code)))
        number = len(taken)
        for article in articles:
            if not article.code:  # numbered here once, not with two queries per row
                number += 1
                while f"kb-{number:04d}" in taken:
                    number += 1
                article = article.model_copy(update={"code": f"kb-{number:04d}"})
            taken.add(article.code)
            service.create_in(s, article, actor, publish=publish)
    report.imported = len(articles)
    return report


def export_articles(service: KnowledgeService, fmt: str, actor: Actor, *, status: str | None = None) -> bytes:
    actor.require(*EDITORS, "qa")
    with service.db.read() as s:
        stmt = (select(KbArticle, KbArticleVersion)
                .join(KbArticleVersion, (KbArticleVersion.article_id == KbArticle.id)
                      & (KbArticleVersion.number == KbArticle.latest_version))
                .order_by(KbArticle.code))
        if status:
            stmt = stmt.where(KbArticle.status == status)
        rows: list[dict[str, Any]] = [
            {"code": a.code, "question": v.question, "similar_questions": list(v.similar or []), "answer": v.answer,
             "category": v.category, "unit": v.unit, "region": v.region,
             "valid_from": v.valid_from.isoformat() if v.valid_from else "",
             "valid_to": v.valid_to.isoformat() if v.valid_to else "", "source": v.source, "status": a.status}
            for a, v in s.execute(stmt)
        ]
    return export_rows(rows, fmt)
