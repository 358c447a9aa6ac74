"""User administration, the shared rate limiter, and data directories that keep to themselves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.access import Actor
from assistant.config import Settings
from assistant.errors import (
    AuthenticationFailed,
    Conflict,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from assistant.ratelimit import RateLimiter
from assistant.runtime import Hotline
from assistant.tickets.schemas import TicketCreate
from assistant.users import PasswordChange, UserCreate, UserUpdate
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users


def test_admin_manages_users(hotline) -> None:
    admin = actor(hotline, demo_users("admin")[0]["username"])
    agent = actor(hotline, demo_users("agent")[0]["username"])
    with pytest.raises(PermissionDenied):
        hotline.users.list(agent)
    unit = demo_users("unit_staff")[0]["unit_code"]
    created = hotline.users.create(UserCreate(username="new.unit", display_name="新同事", role="unit_staff",
                                              unit_code=unit, password="a-long-pass"), admin)
    assert created.unit_code == unit
    with pytest.raises(Conflict):
        hotline.users.create(UserCreate(username="new.unit", display_name="x", role="qa", password="a-long-pass"),
                             admin)
    with pytest.raises(ValidationFailed, match="所属单位"):
        hotline.users.create(UserCreate(username="nounit", display_name="x", role="unit_staff",
                                        password="a-long-pass"), admin)
    token, _, _ = hotline.auth.login("new.unit", "a-long-pass")
    hotline.users.update(created.id, UserUpdate(active=False), admin)
    with pytest.raises(AuthenticationFailed):
        hotline.auth.authenticate(token)


def test_change_own_password(hotline) -> None:
    user = demo_users("qa")[0]
    me = actor(hotline, user["username"])
    with pytest.raises(AuthenticationFailed, match="原密码"):
        hotline.users.change_own_password(PasswordChange(old_password="nope", new_password="another-pass"), me)
    hotline.users.change_own_password(PasswordChange(old_password=user["password"], new_password="another-pass"), me)
    hotline.auth.login(user["username"], "another-pass")


def test_rate_limit_is_shared_and_windowed(hotline, clock) -> None:
    a = RateLimiter(hotline.db, clock, limit=3, window_s=60)
    b = RateLimiter(hotline.db, clock, limit=3, window_s=60)  # another worker, same database
    assert [a.hit("ip:1"), b.hit("ip:1"), a.hit("ip:1")] == [1, 2, 3]
    with pytest.raises(TooManyAttempts, match="请求过于频繁"):
        b.hit("ip:1")
    assert a.hit("ip:2") == 1
    clock.advance(seconds=61)
    assert b.hit("ip:1") == 1


def test_data_dirs_side_by_side(tmp_path: Path, clock) -> None:
    before = set(os.listdir(Path.cwd()))
    hotlines = []
    for name in ("a", "b"):
        hl = Hotline(Settings(data_dir=tmp_path / name, scheduler_enabled=False), now=clock)
        hl.init(demo=False)
        hotlines.append(hl)
    system = Actor.system()
    hotlines[0].tickets.create(TicketCreate(appeal_type="咨询", title="甲", content="甲县的问题"), system)
    from assistant.tickets.schemas import TicketFilter

    sup = Actor(None, "s", "督办", "supervisor")
    assert hotlines[0].tickets.list(TicketFilter(), sup).total == 1
    assert hotlines[1].tickets.list(TicketFilter(), sup).total == 0
    for hl in hotlines:
        hl.stop()
    assert (tmp_path / "a" / "hotline.db").exists() and (tmp_path / "b" / "hotline.db").exists()
    assert set(os.listdir(Path.cwd())) == before  # nothing written beside the data directories
