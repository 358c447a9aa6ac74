"""登录、退出与当前用户。"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import CurrentActor, HotlineDep, TokenDep
from assistant.tickets.vocab import ROLE_LABELS

router = APIRouter(prefix="/auth", tags=["登录"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64, description="用户名")
    password: str = Field(min_length=1, max_length=128, description="密码")


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    role: str
    display_name: str


class UserPublic(BaseModel):
    username: str
    display_name: str
    role: str
    role_label: str
    unit_id: int | None


@router.post("/login", response_model=TokenPublic, summary="登录", description="用户名密码登录，返回有时效的访问令牌；连续失败将被暂时锁定。")
def login(body: LoginRequest, hotline: HotlineDep, request: Request) -> TokenPublic:
    client = request.client.host if request.client else ""
    token, expires, user = hotline.auth.login(body.username, body.password, client)
    return TokenPublic(access_token=token, expires_at=expires, role=user.role, display_name=user.display_name)


@router.post("/logout", status_code=204, summary="退出登录", description="注销当前令牌。")
def logout(hotline: HotlineDep, token: TokenDep) -> None:
    hotline.auth.logout(token)


@router.get("/me", response_model=UserPublic, summary="当前用户")
def me(actor: CurrentActor) -> UserPublic:
    return UserPublic(username=actor.username, display_name=actor.display_name, role=actor.role,
                      role_label=ROLE_LABELS.get(actor.role, actor.role), unit_id=actor.unit_id)
