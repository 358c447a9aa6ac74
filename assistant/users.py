"""User administration: list, add, disable, reset passwords; users change their own password."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select, update

from assistant.access import Actor
from assistant.auth import hash_password, verify_password
from assistant.db.engine import Database
from assistant.db.models import AuthToken, Unit, User
from assistant.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from assistant.tickets.vocab import Role


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", description="登录名")
    display_name: str = Field(min_length=1, max_length=64, description="姓名")
    role: Role = Field(description="角色")
    unit_code: str | None = Field(default=None, max_length=64, description="承办单位编码（承办单位人员必填）")
    password: str = Field(min_length=8, max_length=128, description="初始密码，至少 8 位")


class UserUpdate(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=64)
    active: bool | None = Field(default=None, description="停用后该用户的令牌立即失效")
    password: str | None = Field(default=None, min_length=8, max_length=128, description="重置密码")


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    active: bool


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


def _public(user: User) -> UserPublic:
    return UserPublic(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                      unit_code=user.unit.code if user.unit else None, active=user.active)


class UserService:
    def __init__(self, db: Database, now: Callable[[], datetime],
                 on_revoke: Callable[[int], None] | None = None) -> None:
        self.db = db
        self.now = now
        self.on_revoke = on_revoke  # told a user's id when their tokens are revoked

    def list(self, actor: Actor) -> list[UserPublic]:
        actor.require("admin")
        with self.db.read() as s:
            return [_public(u) for u in s.scalars(select(User).order_by(User.id))]

    def create(self, data: UserCreate, actor: Actor) -> UserPublic:
        actor.require("admin")
        with self.db.write() as s:
            if s.scalar(select(User.id).where(User.username == data.username)) is not None:
                raise Conflict(f"登录名“{data.username}”已被使用")
            unit = None
            if data.unit_code:
                unit = s.scalar(select(Unit).where(Unit.code == data.unit_code))
                if unit is None:
                    raise ValidationFailed(f"单位编码“{data.unit_code}”不存在")
            if data.role == "unit_staff" and unit is None:
                raise ValidationFailed("承办单位人员必须指定所属单位")
            user = User(username=data.username, display_name=data.display_name, role=data.role,
                        unit_id=unit.id if unit else None, unit=unit, password_hash=hash_password(data.password),
                        created_at=self.now())
            s.add(user)
            s.flush()
            return _public(user)

    def update(self, user_id: int, data: UserUpdate, actor: Actor) -> UserPublic:
        actor.require("admin")
        with self.db.write() as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"用户 {user_id} 不存在")
            if data.display_name is not None:
                user.display_name = data.display_name
            if data.password is not None:
                user.password_hash = hash_password(data.password)
            if data.active is not None:
                if not data.active and user.id == actor.user_id:
                    raise ValidationFailed("不能停用自己的账号")
                user.active = data.active
            if data.password is not None or data.active is False:
                s.execute(update(AuthToken).where(AuthToken.user_id == user.id).values(revoked=True))
            public = _public(user)
        if (data.password is not None or data.active is False) and self.on_revoke is not None:
            self.on_revoke(user_id)
        return public

    def change_own_password(self, data: PasswordChange, actor: Actor) -> None:
        with self.db.write() as s:
            user = s.get(User, actor.user_id)
            if user is None or not verify_password(data.old_password, user.password_hash):
                raise AuthenticationFailed("原密码不正确")
            if data.old_password == data.new_password:
                raise ValidationFailed("新密码不能与原密码相同")
            user.password_hash = hash_password(data.new_password)
