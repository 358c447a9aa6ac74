"""Uploaded text and sheets: encodings, malformed CSV, refused workbooks (real bytes, no mocks)."""

from __future__ import annotations

import pytest

from assistant.errors import ValidationFailed
from assistant.kb.io import ImportFailed
from assistant.spreadsheet import csv_rows, decode_text, xlsx_rows


def test_text_is_read_as_utf8_with_or_without_bom_then_gb18030():
    assert decode_text("\ufeff事项,单位".encode()) == "事项,单位"
    assert decode_text("事项,单位".encode()) == "事项,单位"
    assert decode_text("事项,单位".encode("gb18030")) == "事项,单位"  # what Excel saves on Chinese Windows


def test_undecodable_bytes_are_a_clear_error_of_the_callers_kind():
    with pytest.raises(ValidationFailed, match="编码无法识别"):
        decode_text(b"\x80\xff\x80")
    with pytest.raises(ImportFailed, match="编码无法识别"):
        decode_text(b"\x80\xff\x80", ImportFailed)


def test_csv_rows_name_the_bad_line_and_xlsx_that_is_not_a_zip_is_refused():
    assert list(csv_rows("a,b\n甲,乙\n")) == [["a", "b"], ["甲", "乙"]]
    with pytest.raises(ValidationFailed) as info:
        list(csv_rows("a,b\n" + '"' + "x" * 200_000 + '"\n'))
    assert info.value.details["line"] >= 2
    with pytest.raises(ValidationFailed):
        list(xlsx_rows(b"not a workbook"))
