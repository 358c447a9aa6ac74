"""End-to-end fixtures: the real service under uvicorn on a free loopback port (demo county seeded
into a temporary data directory, scheduler and model warm-up off), and headless Debian Chromium
driven by Playwright. Screenshots go to ``$HOTLINE_E2E_ARTIFACTS`` (default tests/e2e/artifacts,
git-ignored)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from assistant.runtime import Hotline
from tests.api.live_server import free_port

CHROMIUM = os.environ.get("HOTLINE_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("HOTLINE_E2E_ARTIFACTS", Path(__file__).parent / "artifacts"))
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"没有找到 Chromium（{CHROMIUM}）：.ci/run 会安装 chromium"))



class Server:
    def __init__(self, base: str, data_dir: Path) -> None:
        self.base = base
        self.data_dir = data_dir
        self.hotline = Hotline(Settings(data_dir=data_dir, scheduler_enabled=False, warm_up_models=False))

    def url(self, page: str) -> str:
        return f"{self.base}/console/{page}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, demo_kb_index: Path) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    seed = Hotline(Settings(data_dir=data_dir, scheduler_enabled=False, warm_up_models=False))
    seed.init(demo=True)
    seed.stop()
    shutil.copytree(demo_kb_index, data_dir / "indexes" / "kb", dirs_exist_ok=True)
    port = free_port()
    env = os.environ | {"HOTLINE_DATA_DIR": str(data_dir), "HOTLINE_SCHEDULER_ENABLED": "false",
                        "HOTLINE_WARM_UP_MODELS": "false", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("HOTLINE_DATABASE_URL", None)
    log = (data_dir / "logs" / "e2e-server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("e2e 服务未能启动：" + (data_dir / "logs" / "e2e-server.log").read_text(errors="replace"))
        time.sleep(0.3)
    srv = Server(base, data_dir)
    yield srv
    srv.hotline.stop()
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator:
    """A fresh browser context (no stored login); console errors fail the test."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 4" not in m.text else None)
    pg.set_default_timeout(30000)
    pg.errors = errors
    yield pg
    ctx.close()


@pytest.fixture
def phone(browser) -> Iterator:
    """A 360 px wide phone screen."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, locale="zh-CN")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(30000)
    pg.errors = errors
    yield pg
    ctx.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login_as(page, server: Server, role: str) -> dict:
    from tests.conftest import demo_users

    user = demo_users(role)[0]
    page.goto(server.url("index.html"))
    page.fill("#username", user["username"])
    page.fill("#password", user["password"])
    page.click("#login-submit")
    page.wait_for_selector("header.top .who")
    return user


class ApiUser:
    """The service's HTTP API as one demo user (to set up a flow's starting point)."""

    def __init__(self, server: Server, role: str, index: int = 0) -> None:
        from tests.conftest import demo_users

        user = demo_users(role)[index]
        self.base = server.base + "/api/v1"
        r = httpx.post(f"{self.base}/auth/login", json={"username": user["username"], "password": user["password"]})
        r.raise_for_status()
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def __call__(self, method: str, path: str, **kw) -> httpx.Response:
        r = httpx.request(method, self.base + path, headers=self.headers, timeout=120, **kw)
        assert r.status_code < 400, r.text
        return r


@pytest.fixture
def as_role(server: Server):
    return lambda role, index=0: ApiUser(server, role, index)
