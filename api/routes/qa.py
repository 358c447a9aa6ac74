"""智能质检：评分结果、逐项复核、坐席申诉与统计。"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentActor, HotlineDep
from assistant.quality import Appeal, ItemReview, QaPublic

router = APIRouter(prefix="/qa", tags=["智能质检"])


@router.get("/results", response_model=list[QaPublic], summary="质检结果列表",
            description="质检员看全部；坐席只看自己的。pending 为待人工复核（低置信度、抽检或致命错误）。")
def results(hotline: HotlineDep, actor: CurrentActor,
            status: Annotated[Literal["accepted", "pending", "reviewed", "appealed"] | None, Query()] = None,
            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[QaPublic]:
    return hotline.quality.list(actor, status=status, limit=limit)


@router.get("/results/{result_id}", response_model=QaPublic, summary="质检详情（每项扣分附证据与录音时间）")
def result(result_id: int, hotline: HotlineDep, actor: CurrentActor) -> QaPublic:
    return hotline.quality.get(result_id, actor)


@router.post("/results/{result_id}/items/{item_id}/review", response_model=QaPublic, summary="复核一项（维持或推翻）")
def review(result_id: int, item_id: str, body: ItemReview, hotline: HotlineDep, actor: CurrentActor) -> QaPublic:
    return hotline.quality.review_item(result_id, item_id[:64], body, actor)


@router.post("/results/{result_id}/appeal", response_model=QaPublic, summary="坐席申诉")
def appeal(result_id: int, body: Appeal, hotline: HotlineDep, actor: CurrentActor) -> QaPublic:
    return hotline.quality.appeal(result_id, body, actor)


@router.post("/calls/{call_id}/score", response_model=QaPublic, summary="对一通通话（重新）评分")
def score(call_id: int, hotline: HotlineDep, actor: CurrentActor) -> QaPublic:
    actor.require("qa", "supervisor", "admin")
    return hotline.quality.score_call(call_id)


@router.get("/stats", summary="按坐席、按质检项统计")
def stats(hotline: HotlineDep, actor: CurrentActor) -> dict[str, Any]:
    return hotline.quality.stats(actor)


@router.post("/batch", summary="批量质检历史通话", description="对尚未质检（或指定重新质检）的已结束通话逐一评分。")
def batch(hotline: HotlineDep, actor: CurrentActor,
          rescore: Annotated[bool, Query(description="已有结果的也重新评分")] = False,
          limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    actor.require("qa", "supervisor", "admin")
    return hotline.quality.score_batch(rescore=rescore, limit=limit)
