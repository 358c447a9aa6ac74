"""Authentication: salted scrypt password hashes, opaque expiring tokens stored hashed in the
database (so every worker process accepts them and logout revokes them), throttled logins."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from assistant.access import Actor
from assistant.db.engine import Database
from assistant.db.models import AuthToken, LoginAttempt, User
from assistant.errors import AuthenticationFailed, TooManyAttempts, ValidationFailed

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationFailed("密码至少 8 位")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt = base64.b64decode(salt_b64)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role, user.unit_id)


class AuthService:
    def __init__(
        self,
        db: Database,
        now: Callable[[], datetime],
        *,
        token_ttl: timedelta = timedelta(hours=8),
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=15),
        cache_seconds: float = 5.0,
    ) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        # token hash -> (actor, token expiry, monotonic time cached); a hit skips two queries on
        # every request. Logout, password change and deactivation evict at once in this process;
        # another worker process notices within ``cache_seconds``.
        self._cache: dict[str, tuple[Actor, datetime, float]] = {}
        self._cache_lock = threading.Lock()
        self.now = now
        self.token_ttl = token_ttl
        self.max_failures = max_failures
        self.window = window

    def login(self, username: str, password: str, client: str = "") -> tuple[str, datetime, User]:
        """Check the password and issue a token; too many recent failures lock the account."""
        now = self.now()
        with self.db.write() as s:
            since = now - self.window
            failures = s.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.username == username, LoginAttempt.at >= since, LoginAttempt.success.is_(False))
            )
            if failures >= self.max_failures:
                minutes = int(self.window.total_seconds() // 60)
                raise TooManyAttempts(f"登录失败次数过多，请 {minutes} 分钟后再试")
            user = s.scalar(select(User).where(User.username == username))
            ok = user is not None and user.active and verify_password(password, user.password_hash)
            s.add(LoginAttempt(username=username, at=now, success=ok, client=client[:64]))
            if not ok:
                failed = AuthenticationFailed("用户名或密码错误")
        if not ok:
            raise failed
        token = secrets.token_urlsafe(32)
        expires = now + self.token_ttl
        with self.db.write() as s:
            s.add(AuthToken(token_hash=_token_hash(token), user_id=user.id, created_at=now, expires_at=expires))
        return token, expires, user

    def authenticate(self, token: str) -> User:
        return self._check(token)[0]

    def _check(self, token: str) -> tuple[User, datetime]:
        now = self.now()
        with self.db.read() as s:
            row = s.scalar(select(AuthToken).where(AuthToken.token_hash == _token_hash(token)))
            if row is None or row.revoked or row.expires_at <= now:
                raise AuthenticationFailed("登录已失效，请重新登录")
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                raise AuthenticationFailed("账号已停用")
            return user, row.expires_at

    def cached_actor(self, token: str) -> Actor | None:
        """The actor behind a token checked less than ``cache_seconds`` ago, else None."""
        if self.cache_seconds <= 0:
            return None
        hit = self._cache.get(_token_hash(token))
        if hit is not None and time.monotonic() - hit[2] < self.cache_seconds and hit[1] > self.now():
            return hit[0]
        return None

    def authenticate_actor(self, token: str) -> Actor:
        """``authenticate`` for the request path, through a short-lived cache."""
        key = _token_hash(token)
        cached = self.cached_actor(token)
        if cached is not None:
            return cached
        user, expires = self._check(token)
        actor = actor_of(user)
        if self.cache_seconds > 0:
            with self._cache_lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = (actor, expires, time.monotonic())
        return actor

    def forget_user(self, user_id: int) -> None:
        """Drop a user's cached tokens (after a password change or deactivation)."""
        with self._cache_lock:
            for key in [k for k, v in self._cache.items() if v[0].user_id == user_id]:
                del self._cache[key]

    def logout(self, token: str) -> None:
        with self._cache_lock:
            self._cache.pop(_token_hash(token), None)
        with self.db.write() as s:
            row = s.scalar(select(AuthToken).where(AuthToken.token_hash == _token_hash(token)))
            if row is not None:
                row.revoked = True
