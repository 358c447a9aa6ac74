"""Shared fixtures: a real database (SQLite file, and PostgreSQL when
``HOTLINE_TEST_POSTGRES_URL`` is set), the demo county, a controllable clock, an API client."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.config import DEMO_COUNTY_DIR, Settings  # noqa: E402
from assistant.runtime import Hotline  # noqa: E402

PG_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL")


def demo_file(name: str) -> list[dict]:
    county_dir = Path(os.environ.get("HOTLINE_COUNTY_DIR", DEMO_COUNTY_DIR))
    text = (county_dir / name).read_text(encoding="utf-8")
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


class Clock:
    """The service's notion of now, moved by the test (time itself is real arithmetic)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set(self, value: datetime) -> None:
        self.current = value

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture
def clock() -> Clock:
    # a Tuesday morning in Beijing time, away from holidays
    return Clock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC) - timedelta(hours=8))


def _seed(url: str, data_dir: Path) -> None:
    hl = Hotline(Settings(data_dir=data_dir, database_url=url, scheduler_enabled=False, warm_up_models=False))
    hl.init(demo=True)
    hl.stop()


def _pg_admin():  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The demo county seeded once per session: a SQLite file to copy and a PostgreSQL template."""
    root = tmp_path_factory.mktemp("template")
    sqlite_file = root / "hotline.db"
    _seed(f"sqlite:///{sqlite_file}", root / "data")
    out = {"sqlite": str(sqlite_file)}
    name = None
    if PG_URL:
        name = f"hotline_tmpl_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        _seed(PG_URL.rsplit("/", 1)[0] + "/" + name, root / "pgdata")
        out["postgresql"] = name
    yield out
    if name:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path, seeded_templates: dict[str, str]) -> Iterator[str]:
    """A fresh database per test, already holding the seeded demo county."""
    if request.param == "sqlite":
        import shutil

        shutil.copyfile(seeded_templates["sqlite"], tmp_path / "hotline.db")
        yield f"sqlite:///{tmp_path / 'hotline.db'}"
        return
    name = f"hotline_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_templates["postgresql"]}"')
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    # governance detection inside the creating request, so that a test sees its cases at once; the
    # service's own detection thread is tested in tests/assistant/test_governance_background.py and
    # runs in every test that starts a real server
    return Settings(data_dir=tmp_path / "data", database_url=db_url, scheduler_enabled=False,
                    warm_up_models=False, governance_background=False)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Derived model files (dispatch catalogue vectors …) shared by the session's tests."""
    cache = os.environ.get("HOTLINE_TEST_CACHE")
    root = Path(cache) / "models" if cache else tmp_path_factory.mktemp("models")
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def hotline(settings: Settings, clock: Clock, model_cache: Path) -> Iterator[Hotline]:
    hl = Hotline(settings, now=clock)
    hl.routing.cache_dir = model_cache / "dispatch"
    hl.init(demo=True)
    yield hl
    hl.stop()


@pytest.fixture(scope="session")
def demo_kb_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county's knowledge index, built once per test session (embedding is the slow part).
    ``HOTLINE_TEST_CACHE`` names a folder that keeps it between sessions (its fingerprint makes a
    stale copy rebuild itself)."""
    cache = os.environ.get("HOTLINE_TEST_CACHE")
    root = Path(cache) / "demo-kb" if cache else tmp_path_factory.mktemp("demo-kb")
    if root.exists():
        import shutil

        shutil.rmtree(root / "hotline.db", ignore_errors=True)
        for leftover in root.glob("hotline.db*"):
            leftover.unlink()
    hl = Hotline(Settings(data_dir=root, scheduler_enabled=False, warm_up_models=False))
    hl.init(demo=True)
    hl.kb_index.warm_up()
    hl.stop()
    return root / "indexes" / "kb"


@pytest.fixture
def kb_hotline(hotline: Hotline, demo_kb_index: Path) -> Hotline:
    """``hotline`` with its knowledge index warm (copied from the session build, then synced)."""
    import shutil

    target = hotline.data_dir / "indexes" / "kb"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(demo_kb_index, target)
    hotline.kb_index.warm_up()
    return hotline


@pytest.fixture
def client(hotline: Hotline) -> Iterator:
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(hotline=hotline, start_scheduler=False)
    with TestClient(app) as c:
        yield c


def demo_users(role: str) -> list[dict]:
    return [u for u in demo_file("users.json") if u["role"] == role]


def login(client, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def login_role(client, role: str) -> dict[str, str]:
    user = demo_users(role)[0]
    return login(client, user["username"], user["password"])
