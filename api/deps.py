"""FastAPI dependencies (``Annotated`` style): the running service and the current user.

The cheap ones are ``async`` so that FastAPI does not hop to its thread pool for them; the
actor is looked up in the auth service's short cache first and goes to a worker thread only
when it must ask the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from assistant.access import Actor
from assistant.errors import AuthenticationFailed, PermissionDenied
from assistant.runtime import Hotline

bearer = HTTPBearer(auto_error=False, description="登录后获得的访问令牌")


async def get_hotline(request: Request) -> Hotline:
    return request.app.state.hotline


HotlineDep = Annotated[Hotline, Depends(get_hotline)]


async def get_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    if credentials is None or not credentials.credentials:
        raise AuthenticationFailed("请先登录")
    return credentials.credentials


TokenDep = Annotated[str, Depends(get_token)]


async def get_actor(hotline: HotlineDep, token: TokenDep) -> Actor:
    cached = hotline.auth.cached_actor(token)
    if cached is not None:
        return cached
    return await run_in_threadpool(hotline.auth.authenticate_actor, token)


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    async def _check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise PermissionDenied("当前账号无权访问")
        return actor

    return Depends(_check)
