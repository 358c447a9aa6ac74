"""Reading uploaded spreadsheets safely: a CSV whose cell passes the csv module's field limit
and an XLSX that is not a zip, or that would unpack to far more than it weighs (a zip bomb), are
refused with a clear Chinese error before anything is parsed; formulas are never evaluated (only
their cached values are read) and rows are read lazily, so the caller can stop at its row cap."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from assistant.errors import ValidationFailed

MAX_UNPACKED = 256 * 1024 * 1024  # what the parts of one workbook may add up to once unzipped
MAX_RATIO = 200  # unzipped / zipped: real sheets compress 5-20x, a zip bomb thousands of times


def decode_text(data: bytes, error: type[ValidationFailed] = ValidationFailed) -> str:
    """An uploaded text file as UTF-8 (with or without BOM) or, failing that, GB18030 (what Excel
    and WPS save on Chinese Windows); anything else is ``error`` in Chinese."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise error("文件编码无法识别（请使用 UTF-8 或 GB18030），请另存为 UTF-8 后再导入")


def csv_rows(text: str, error: type[ValidationFailed] = ValidationFailed) -> Iterator[list[str]]:
    """``csv.reader`` rows; a malformed line or an over-long cell is ``error`` naming its line."""
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise error(f"CSV 文件第 {reader.line_num} 行无法读取：单元格过长（上限 {csv.field_size_limit()} 字符）"
                        f"或格式不正确", details={"line": reader.line_num, "reason": str(exc)}) from None
        yield row


def xlsx_rows(data: bytes, error: type[ValidationFailed] = ValidationFailed) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows as cached values (a formula's last computed value, never the formula run)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise error("无法读取 Excel 文件，请确认是 .xlsx 格式") from None
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(data), 1):
        raise error("Excel 文件解压后过大（疑似压缩炸弹），请检查文件", details={"unpacked_bytes": unpacked})
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # noqa: BLE001 - any parse failure is the user's file, not our bug
        raise error("无法读取 Excel 文件，请确认是 .xlsx 格式") from None
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception:  # noqa: BLE001 - a sheet broken half way through is the same user error
        raise error("Excel 文件内容损坏，无法读取") from None
    finally:
        book.close()
