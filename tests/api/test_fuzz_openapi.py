"""Fuzzing of the whole OpenAPI surface with schemathesis, against the real service on loopback.

Every operation of ``/api/v1/openapi.json`` gets generated requests, valid and invalid, as an
administrator and then as a unit account. Checks: never a 5xx, every error body in the documented
shape ``{"error": {"code", "message", "details"}}``, and every response conforms to its schema.

Bounded: ``HOTLINE_FUZZ_EXAMPLES`` examples per operation and mode (default 3 as admin, one fewer
as a unit) and a time budget per pass (``HOTLINE_FUZZ_BUDGET_S``, default 150 s; past it each
remaining operation gets one example). The figures are printed at the end (``-s``)."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.api.live_server import LiveServer, live_server
from tests.conftest import demo_users

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES", "3"))
BUDGET_S = float(os.environ.get("HOTLINE_FUZZ_BUDGET_S", "150"))
# operations that would end the fuzzing session itself or cost minutes per example
SKIP = {("POST", "/api/v1/auth/logout")}
FEW = {("POST", "/api/v1/models/category/train"), ("POST", "/api/v1/calls/recordings"),
       ("POST", "/api/v1/reports"), ("POST", "/api/v1/kb/hit-test")}


@dataclass
class FuzzReport:
    operations: int = 0
    examples: int = 0
    failures: list[str] = field(default_factory=list)
    over_budget: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx body is ``{"error": {"code", "message", "details"}}`` with a Chinese message."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"错误响应格式不对：{response.text[:300]}"
    err = body["error"]
    assert set(err) == {"code", "message", "details"}, f"错误响应字段不对：{err}"
    assert isinstance(err["code"], str) and err["code"].isascii(), err
    assert isinstance(err["message"], str) and not err["message"].isascii(), f"错误信息应为中文：{err}"
    return True


@pytest.fixture(scope="module")
def server(seeded_templates: dict[str, str], demo_kb_index: Path, tmp_path_factory: pytest.TempPathFactory):
    with live_server(seeded_templates["sqlite"], tmp_path_factory.mktemp("fuzz") / "data",
                     kb_index=demo_kb_index) as s:
        _warm_up(s)
        yield s


def _warm_up(server: LiveServer) -> None:
    """Models load on first use (seconds to minutes on a busy 2-core box): load them once before
    fuzzing, so the per-request timeout measures requests, not model loading."""
    admin = demo_users("admin")[0]
    headers = server.login(admin["username"], admin["password"])
    text = {"text": "太平镇停水三天了，请尽快处理", "address": "太平镇"}
    for path, body in (("/api/v1/dispatch", text), ("/api/v1/classify", text),
                       ("/api/v1/kb/hit-test", {"questions": ["怎么办理社保卡"]}),
                       ("/api/v1/calls/drafts", {"text": text["text"], "call_time": "2026-03-10T09:00:00+08:00"})):
        httpx.post(server.base_url + path, json=body, headers=headers, timeout=600)


def _spare_user(server: LiveServer, admin: dict[str, str]) -> int:
    """A throwaway account for PATCH /users/{id}, so fuzzing never disables the accounts in use."""
    r = httpx.post(f"{server.base_url}/api/v1/users", headers=admin,
                   json={"username": "fuzz_spare", "password": "fuzz-spare-2026", "display_name": "模糊测试",
                         "role": "agent"})
    if r.status_code == 409:
        r = httpx.get(f"{server.base_url}/api/v1/users", headers=admin)
        return next(u["id"] for u in r.json() if u["username"] == "fuzz_spare")
    assert r.status_code == 201, r.text
    return r.json()["id"]


def fuzz(server: LiveServer, headers: dict[str, str], path_parameters: dict[tuple[str, str], dict],
         examples: int = EXAMPLES) -> FuzzReport:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/api/v1/openapi.json")
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance, error_shape]
    report = FuzzReport()
    started = time.monotonic()
    for result in schema.get_all_operations():
        op = result.ok()
        key = (op.method.upper(), op.path if op.path.startswith("/api") else "/api/v1" + op.path)
        if key in SKIP:
            continue
        report.operations += 1
        n = 2 if key in FEW else examples
        if time.monotonic() - started > BUDGET_S:  # over the budget: every operation still gets one example
            report.over_budget.append(" ".join(key))
            n = 1
        op_started = time.monotonic()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = op.as_strategy(generation_mode=mode, path_parameters=path_parameters.get(key))
            _examples(strategy, n, f"{key[0]} {key[1]} [{mode.value}]", server.base_url, headers, checks, report)
        report.seconds[" ".join(key)] = time.monotonic() - op_started
    return report


def _examples(strategy: Any, n: int, label: str, base_url: str, headers: dict[str, str], checks: list,
              report: FuzzReport) -> None:
    @settings(max_examples=n, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        report.examples += 1
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=checks, timeout=60)
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis' Failure / FailureGroup
            report.failures.append(f"{label}: {str(exc)[:800]}")
        except requests.RequestException as exc:  # a hang or a dropped connection
            report.failures.append(f"{label}: {type(exc).__name__}: {exc}")

    with contextlib.suppress(Unsatisfiable):  # nothing to negate (no parameters, no body)
        run()


def _summary(label: str, report: FuzzReport) -> str:
    return (f"{label}: {report.operations} 个接口操作、{report.examples} 个请求，失败 {len(report.failures)} 个"
            + (f"，超出时间预算后只测 1 例的 {len(report.over_budget)} 个" if report.over_budget else ""))


@pytest.mark.parametrize("role", ["admin", "unit_staff"])
def test_fuzz_whole_api(server: LiveServer, role: str, tmp_path: Path) -> None:
    user = demo_users(role)[0]
    headers = server.login(user["username"], user["password"])
    admin = demo_users("admin")[0]
    spare = _spare_user(server, server.login(admin["username"], admin["password"]))
    report = fuzz(server, headers, {("PATCH", "/api/v1/users/{user_id}"): {"user_id": spare}},
                  examples=EXAMPLES if role == "admin" else max(1, EXAMPLES - 1))
    print(_summary(role, report))
    (tmp_path / "failures.txt").write_text("\n\n".join(report.failures), encoding="utf-8")
    print("最慢的接口：", sorted(report.seconds.items(), key=lambda kv: -kv[1])[:8])
    assert not report.failures, "\n\n".join(report.failures[:30])
    assert not server.server_errors(), server.server_errors()[-4000:]
