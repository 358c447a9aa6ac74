"""Import and export of articles: CSV, XLSX, JSON lines and Markdown (one article per heading).

An import is all or nothing: every row is checked first, and one bad row means a per-row error
report and nothing written. Exported cells that a spreadsheet would run as a formula are escaped."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from itertools import islice
from typing import Any

from pydantic import ValidationError

from assistant.errors import ValidationFailed
from assistant.kb.schemas import ArticleCreate, ImportRowError
from assistant.spreadsheet import csv_rows, decode_text, xlsx_rows

FORMATS = ("csv", "xlsx", "jsonl", "md")
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
COLUMNS = ["code", "question", "similar_questions", "answer", "category", "unit", "region", "valid_from",
           "valid_to", "source"]
CHINESE = {"编号": "code", "标准问": "question", "问题": "question", "相似问": "similar_questions", "答案": "answer",
           "分类": "category", "责任单位": "unit", "适用地区": "region", "生效日期": "valid_from",
           "失效日期": "valid_to", "来源": "source", "依据": "source"}
FIELD_LABELS = {v: k for k, v in CHINESE.items()} | {"question": "标准问", "source": "来源"}
_MD_META = {"相似问": "similar_questions", "分类": "category", "责任单位": "unit", "适用地区": "region",
            "生效日期": "valid_from", "失效日期": "valid_to", "来源": "source", "编号": "code"}


class ImportFailed(ValidationFailed):
    code = "import_failed"


def _split_similar(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p for p in re.split(r"[|｜\n；;]", str(value or "")) if p.strip()]


def _normalise_row(raw: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None:
            continue
        name = CHINESE.get(str(key).strip(), str(key).strip())
        if name not in COLUMNS:
            continue
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None):
            continue
        row[name] = value
    if "similar_questions" in row:
        row["similar_questions"] = _split_similar(row["similar_questions"])
    for key in ("valid_from", "valid_to"):
        if isinstance(row.get(key), date):
            row[key] = row[key].isoformat()
    return row


def _decode(data: bytes) -> str:
    return decode_text(data, ImportFailed)


def read_rows(data: bytes, fmt: str) -> list[dict[str, Any]]:
    if fmt not in FORMATS:
        raise ImportFailed(f"不支持的导入格式：{fmt}（可选 {'/'.join(FORMATS)}）")
    if not data:
        raise ImportFailed("文件为空")
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"文件过大（上限 {MAX_BYTES // 1024 // 1024} MB）")
    if fmt == "csv":
        table = islice(csv_rows(_decode(data), ImportFailed), MAX_ROWS + 2)
        header = next(table, None) or []
        rows = [dict(zip(header, r, strict=False)) for r in table]
    elif fmt == "jsonl":
        rows = []
        for n, line in enumerate(_decode(data).splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                raise ImportFailed(f"第 {n} 行不是合法的 JSON") from None
            if not isinstance(obj, dict):
                raise ImportFailed(f"第 {n} 行应为 JSON 对象")
            if "id" in obj and "code" not in obj:
                obj["code"] = obj["id"]
            rows.append(obj)
    elif fmt == "xlsx":
        rows = _read_xlsx(data)
    else:
        rows = _read_markdown(_decode(data))
    if len(rows) > MAX_ROWS:
        raise ImportFailed(f"条目过多（上限 {MAX_ROWS} 条）")
    return [_normalise_row(r) for r in rows]


def _read_xlsx(data: bytes) -> list[dict[str, Any]]:
    it = xlsx_rows(data, ImportFailed)  # formulas are never evaluated
    header = next(it, None)
    if not header:
        raise ImportFailed("表格没有表头")
    names = [str(h).strip() if h is not None else "" for h in header]
    filled = (r for r in it if any(c not in (None, "") for c in r))
    return [dict(zip(names, r, strict=False)) for r in islice(filled, MAX_ROWS + 1)]


def _read_markdown(text: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            current["answer"] = "\n".join(body).strip()
            rows.append(current)

    for line in text.splitlines():
        heading = re.match(r"^#{1,6}\s+(.+?)\s*$", line)
        if heading:
            close()
            current, body = {"question": heading.group(1)}, []
            continue
        if current is None:
            continue
        meta = re.match(r"^[-*]?\s*(" + "|".join(_MD_META) + r")\s*[:：]\s*(.*)$", line.strip())
        if meta:
            current[_MD_META[meta.group(1)]] = meta.group(2)
        else:
            body.append(line)
    close()
    return rows


def validate_rows(rows: list[dict[str, Any]]) -> tuple[list[ArticleCreate], list[ImportRowError]]:
    ok: list[ArticleCreate] = []
    errors: list[ImportRowError] = []
    seen_codes: dict[str, int] = {}
    seen_questions: dict[tuple[Any, ...], int] = {}
    for n, row in enumerate(rows, 1):
        try:
            article = ArticleCreate(**row)
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err.get("loc") else ""
                msg = str(err.get("msg", "")).removeprefix("Value error, ")
                if err.get("type") == "missing":
                    msg = "缺少必填内容"
                elif err.get("type", "").startswith("string_too"):
                    msg = "长度不符合要求"
                elif "date" in err.get("type", ""):
                    msg = "日期格式应为 YYYY-MM-DD"
                errors.append(ImportRowError(row=n, field=FIELD_LABELS.get(field, field), message=msg))
            continue
        period = (article.question, article.valid_from, article.valid_to)  # same question, other period: fine
        for key, seen, label in ((article.code, seen_codes, "编号"), (period, seen_questions, "标准问")):
            if key and key in seen:
                errors.append(ImportRowError(row=n, field=label, message=f"与第 {seen[key]} 行重复"))
            elif key:
                seen[key] = n
        ok.append(article)
    return ok, errors


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must show it, not run it
    return value


def export_rows(articles: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "jsonl":
        return "".join(json.dumps(a, ensure_ascii=False, default=str) + "\n" for a in articles).encode()
    if fmt == "md":
        parts = []
        for a in articles:
            meta = [f"- 编号：{a['code']}", f"- 相似问：{'；'.join(a['similar_questions'])}"]
            for key, label in (("category", "分类"), ("unit", "责任单位"), ("region", "适用地区"),
                               ("valid_from", "生效日期"), ("valid_to", "失效日期"), ("source", "来源")):
                if a.get(key):
                    meta.append(f"- {label}：{a[key]}")
            parts.append(f"## {a['question']}\n\n" + "\n".join(meta) + f"\n\n{a['answer']}\n")
        return "\n".join(parts).encode()
    flat = [[_cell("|".join(a[c]) if c == "similar_questions" else (a.get(c) or "")) for c in COLUMNS]
            for a in articles]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(COLUMNS)
        writer.writerows([[str(v) for v in r] for r in flat])
        return buf.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(COLUMNS)
        for r in flat:
            sheet.append([str(v) if v is not None else "" for v in r])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ImportFailed(f"不支持的导出格式：{fmt}")
