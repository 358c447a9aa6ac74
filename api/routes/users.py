"""用户管理（管理员）与修改本人密码。"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, HotlineDep
from assistant.users import PasswordChange, UserCreate, UserPublic, UserUpdate

router = APIRouter(tags=["用户"])


@router.get("/users", response_model=list[UserPublic], summary="用户列表（管理员）")
def list_users(hotline: HotlineDep, actor: CurrentActor) -> list[UserPublic]:
    return hotline.users.list(actor)


@router.post("/users", response_model=UserPublic, status_code=201, summary="添加用户（管理员）")
def create_user(body: UserCreate, hotline: HotlineDep, actor: CurrentActor) -> UserPublic:
    return hotline.users.create(body, actor)


@router.patch("/users/{user_id}", response_model=UserPublic, summary="修改、停用用户或重置密码（管理员）",
              description="停用或重置密码后，该用户已有的令牌立即失效。")
def update_user(user_id: int, body: UserUpdate, hotline: HotlineDep, actor: CurrentActor) -> UserPublic:
    return hotline.users.update(user_id, body, actor)


@router.post("/auth/password", status_code=204, summary="修改本人密码")
def change_password(body: PasswordChange, hotline: HotlineDep, actor: CurrentActor) -> None:
    hotline.users.change_own_password(body, actor)
