"""Over-long texts in every text field of the API: every string in a JSON body or a query declares
a length limit in the OpenAPI document, and a value one character past it is a clear Chinese 422
naming the field, never a 5xx and never stored."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import login_role

# free-form JSON whose strings the service checks itself (draft edits: the field name is bounded)
UNBOUNDED_OK = {"value"}


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _strings(schema: dict[str, Any], spec: dict[str, Any], path: tuple[str, ...] = (), seen: frozenset = frozenset()
             ) -> list[tuple[tuple[str, ...], int | None]]:
    """(property path, maxLength) for every string a body can carry ('[]' marks list items)."""
    ref = schema.get("$ref")
    if ref in seen:
        return []
    schema_seen = seen | {ref} if ref else seen
    schema = _resolve(schema, spec)
    out: list[tuple[tuple[str, ...], int | None]] = []
    for option in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        out += _strings(option, spec, path, schema_seen)
    kind = schema.get("type")
    if kind == "string" and "enum" not in schema and "const" not in schema and schema.get("format") != "date-time" \
            and schema.get("format") != "date":
        out.append((path, schema.get("maxLength")))
    elif kind == "array":
        out += _strings(schema.get("items", {}), spec, (*path, "[]"), schema_seen)
    elif kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            out += _strings(sub, spec, (*path, name), schema_seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            out += _strings(extra, spec, (*path, "{}"), schema_seen)
    return out


def _json_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                ops.append((method.upper(), path, body["schema"]))
    return ops


def _value_at(path: tuple[str, ...], value: Any) -> Any:
    for part in reversed(path):
        value = [value] if part == "[]" else {"k": value} if part == "{}" else {part: value}
    return value


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_text_field_declares_a_limit(client) -> None:
    spec = client.app.openapi()
    unbounded = []
    for method, path, schema in _json_operations(spec):
        for prop, limit in _strings(schema, spec):
            if limit is None and not (set(prop) & UNBOUNDED_OK):
                unbounded.append(f"{method} {path} {'.'.join(prop)}")
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                schemas = [p.get("schema", {}), *p.get("schema", {}).get("anyOf", [])]
                if p["in"] == "query" and any(s.get("type") == "string" and "enum" not in s and "maxLength" not in s
                                              and s.get("format") not in ("date-time", "date") for s in schemas):
                    unbounded.append(f"{method.upper()} {path} ?{p['name']}")
    assert not unbounded, "这些文本字段没有长度上限：\n" + "\n".join(unbounded)


def test_one_character_too_many_is_a_clear_422(client) -> None:
    spec = client.app.openapi()
    headers = login_role(client, "admin")
    tried = 0
    for method, path, schema in _json_operations(spec):
        if path.endswith("/auth/login") or path.endswith("/auth/logout"):
            continue
        for prop, limit in _strings(schema, spec):
            if limit is None:
                continue
            body = _value_at(prop, "长" * (limit + 1))
            r = client.request(method, _concrete(path), json=body, headers=headers)
            tried += 1
            assert r.status_code == 422, (method, path, prop, r.status_code, r.text[:300])
            err = r.json()["error"]
            assert not err["message"].isascii(), err
            assert any(d["type"] == "string_too_long" for d in err["details"] or []), (method, path, prop, err)
    print(f"过长文本：{tried} 个字段各多发一个字符")
    assert tried > 100  # the whole surface, not a handful


def test_login_with_huge_credentials_is_refused_quickly(client) -> None:
    r = client.post("/api/v1/auth/login", json={"username": "a" * 100_000, "password": "p" * 1_000_000})
    assert r.status_code == 422 and not r.json()["error"]["message"].isascii()
