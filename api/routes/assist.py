"""坐席辅助与来电人自助问答。"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep
from assistant.errors import PermissionDenied
from assistant.kb.schemas import AnswerResult
from assistant.tickets.schemas import TicketCreate

router = APIRouter(tags=["智能问答"])


class SuggestRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20000, description="通话转写（截至目前）或坐席输入的问题")
    k: int = Field(default=3, ge=1, le=10)
    region: str | None = Field(default=None, max_length=32, description="来电人所在乡镇（可选）")


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=500, description="您想咨询的问题")


class AskResponse(AnswerResult):
    offer_ticket: bool = Field(description="没有可靠答案时，可留言生成工单")
    message: str


class LeaveMessage(BaseModel):
    name: str = Field(default="", max_length=32, description="称呼")
    phone: str = Field(min_length=5, max_length=20, pattern=r"^\s*\+?[0-9][0-9\- ]{2,19}\s*$",
                       description="联系电话（数字，可含 +、- 与空格）")
    question: str = Field(min_length=2, max_length=2000, pattern=r"\S\S", description="诉求内容")
    township: str = Field(default="", max_length=32)


class LeaveMessageResult(BaseModel):
    number: str
    message: str


@router.post("/assist/suggest", response_model=AnswerResult, summary="坐席答案推荐",
             description="按通话内容推荐知识库答案：命中条目、命中句、得分与有效期。可在每个识别结果后调用。")
def suggest(body: SuggestRequest, hotline: HotlineDep, actor: CurrentActor) -> AnswerResult:
    if actor.role not in ("agent", "supervisor", "admin", "qa"):
        raise PermissionDenied("当前账号无权使用坐席辅助")
    text = body.text[-300:]  # the latest words carry the current question
    return hotline.kb_desk.ask(text, channel="agent", k=body.k, region=body.region)


def _client_key(request: Request) -> str:
    return "selfservice:" + (request.client.host if request.client else "unknown")


@router.post("/selfservice/ask", response_model=AskResponse, summary="自助问答（无需登录，限流）",
             description="只用知识库原文作答；没有可靠答案时不猜测，提示留言生成工单。")
def ask(body: AskRequest, hotline: HotlineDep, request: Request) -> AskResponse:
    hotline.selfservice_limiter.hit(_client_key(request))
    result = hotline.kb_desk.ask(body.question, channel="selfservice", k=3)
    if result.mode == "answer":
        result.suggestions = result.suggestions[:1]
        return AskResponse(**result.model_dump(), offer_ticket=False, message="以下答复来自本县政务知识库")
    result.suggestions = []
    return AskResponse(**result.model_dump(), offer_ticket=True,
                       message="暂时没有找到可靠的答复。您可以留下诉求和电话，工作人员会尽快联系您。")


@router.post("/selfservice/tickets", response_model=LeaveMessageResult, status_code=201,
             summary="自助留言（无需登录，限流）", description="来电人留言，生成待坐席处理的工单（网站渠道）。")
def leave_message(body: LeaveMessage, hotline: HotlineDep, request: Request) -> LeaveMessageResult:
    from assistant.access import Actor

    hotline.selfservice_limiter.hit(_client_key(request))
    title = body.question.strip().replace("\n", " ")[:28]
    ticket = hotline.tickets.create(
        TicketCreate(channel="web", caller_name=body.name, contact_number=body.phone, caller_number=body.phone,
                     appeal_type="咨询", title=title, content=body.question, township=body.township),
        Actor.system(),
    )
    return LeaveMessageResult(number=ticket.number, message=f"留言已受理，编号 {ticket.number}，请留意来电。")
