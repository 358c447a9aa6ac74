"""知识库管理：条目、版本、审核发布、导入导出、命中测试与知识缺口。"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep
from assistant.kb.desk import GapTopic
from assistant.kb.schemas import (
    AnswerResult,
    ArticleCreate,
    ArticlePublic,
    ArticleUpdate,
    ArticleVersionPublic,
    ImportReport,
    KbEventPublic,
    ReviewInput,
)
from assistant.kb.transfer import export_articles, import_articles
from assistant.tickets.schemas import Page

router = APIRouter(prefix="/kb", tags=["知识库"])
Format = Literal["csv", "xlsx", "jsonl", "md"]
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
         "md": "text/markdown; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class HitTestRequest(BaseModel):
    questions: list[Annotated[str, Field(max_length=500)]] = Field(min_length=1, max_length=500,
                                                                 description="一批测试问题")
    k: int = Field(default=5, ge=1, le=20)


@router.get("/articles", response_model=Page[ArticlePublic], summary="知识条目列表")
def list_articles(
    hotline: HotlineDep, actor: CurrentActor,
    status: Annotated[Literal["draft", "in_review", "published", "retired"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[ArticlePublic]:
    return hotline.kb.list(actor, status=status, q=q, page=page, size=size)


@router.post("/articles", response_model=ArticlePublic, status_code=201, summary="新建知识条目（草稿）")
def create_article(body: ArticleCreate, hotline: HotlineDep, actor: CurrentActor) -> ArticlePublic:
    return hotline.kb.create(body, actor)


@router.get("/articles/{code}", response_model=ArticlePublic, summary="知识条目详情")
def get_article(code: str, hotline: HotlineDep, actor: CurrentActor) -> ArticlePublic:
    return hotline.kb.get(code[:32], actor)


@router.put("/articles/{code}", response_model=ArticlePublic, summary="修改知识条目（保存为新版本）",
            description="已发布的条目修改后成为草稿新版本，审核通过前继续提供原发布版本。")
def update_article(code: str, body: ArticleUpdate, hotline: HotlineDep, actor: CurrentActor) -> ArticlePublic:
    return hotline.kb.update(code[:32], body, actor)


@router.post("/articles/{code}/{action}", response_model=ArticlePublic, summary="审核流转",
             description="submit 提交审核、approve 审核发布、reject 退回修改、retire 下线、restore 恢复为草稿。")
def move_article(code: str, action: Literal["submit", "approve", "reject", "retire", "restore"], body: ReviewInput,
                 hotline: HotlineDep, actor: CurrentActor) -> ArticlePublic:
    return hotline.kb.move(code[:32], action, actor, body.comment)


@router.get("/articles/{code}/versions", response_model=list[ArticleVersionPublic], summary="全部版本")
def versions(code: str, hotline: HotlineDep, actor: CurrentActor) -> list[ArticleVersionPublic]:
    return hotline.kb.versions(code[:32], actor)


@router.get("/articles/{code}/history", response_model=list[KbEventPublic], summary="审核记录")
def article_history(code: str, hotline: HotlineDep, actor: CurrentActor) -> list[KbEventPublic]:
    return hotline.kb.history(code[:32], actor)


@router.post("/import", response_model=ImportReport, summary="导入知识条目",
             description="支持 csv、xlsx、jsonl、md（每个标题一条）。先逐行校验，有任何错误则返回逐行错误报告且不导入任何条目。")
async def import_file(
    hotline: HotlineDep, actor: CurrentActor, file: Annotated[UploadFile, File(description="导入文件")],
    format: Annotated[Format, Query(description="文件格式")],
    publish: Annotated[bool, Query(description="导入后直接发布（需审核权限）")] = False,
) -> ImportReport:
    data = await file.read(20 * 1024 * 1024 + 1)
    return import_articles(hotline.kb, data, format, actor, publish=publish)


@router.get("/export", summary="导出知识条目", response_class=Response)
def export_file(hotline: HotlineDep, actor: CurrentActor, format: Annotated[Format, Query()] = "csv",
                status: Annotated[Literal["draft", "in_review", "published", "retired"] | None, Query()] = None
                ) -> Response:
    data = export_articles(hotline.kb, format, actor, status=status)
    return Response(data, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="knowledge_base.{format}"'})


@router.post("/hit-test", response_model=list[AnswerResult], summary="命中测试",
             description="批量提交问题，查看每个问题会命中哪些条目及其得分。")
def hit_test(body: HitTestRequest, hotline: HotlineDep, actor: CurrentActor) -> list[AnswerResult]:
    return hotline.kb_desk.hit_test(body.questions, actor, k=body.k)


@router.get("/gaps", response_model=list[GapTopic], summary="知识缺口",
            description="近期未能可靠回答的提问，按相似度聚成主题，提问多的在前。")
def gaps(hotline: HotlineDep, actor: CurrentActor, days: Annotated[int, Query(ge=1, le=365)] = 30
         ) -> list[GapTopic]:
    return hotline.kb_desk.gaps(actor, days=days)
