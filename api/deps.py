"""FastAPI dependencies (``Annotated`` style): the running service and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.access import Actor
from assistant.auth import actor_of
from assistant.errors import AuthenticationFailed, PermissionDenied
from assistant.runtime import Hotline

bearer = HTTPBearer(auto_error=False, description="登录后获得的访问令牌")


def get_hotline(request: Request) -> Hotline:
    return request.app.state.hotline


HotlineDep = Annotated[Hotline, Depends(get_hotline)]


def get_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    if credentials is None or not credentials.credentials:
        raise AuthenticationFailed("请先登录")
    return credentials.credentials


TokenDep = Annotated[str, Depends(get_token)]


def get_actor(hotline: HotlineDep, token: TokenDep) -> Actor:
    return actor_of(hotline.auth.authenticate(token))


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    def _check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise PermissionDenied("当前账号无权访问")
        return actor

    return Depends(_check)
