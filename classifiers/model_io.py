"""Versioned model files: ``<name>.joblib`` plus ``<name>.json`` metadata with the model's figures.

>>> card = save_model(clf, "/data/models/category-2024-05-01.joblib", version="2024-05-01",
...                   metrics={"macro_f1": 0.88}, extra={"trained_on": "tickets.csv"})
>>> clf = load_model("/data/models/category-2024-05-01.joblib")
>>> read_card("/data/models/category-2024-05-01.joblib").metrics["macro_f1"]

The caller chooses the path (inside its data directory); nothing is written elsewhere. Files are
written to a temporary name first and renamed, so a crash never leaves half a model.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import sklearn

from classifiers.errors import ModelFileError

FORMAT = "hotline-classifier"
FORMAT_VERSION = 1


@dataclass
class ModelCard:
    """What is known about a saved model: its kind, labels, training size and evaluation figures."""

    version: str
    kind: str
    classes: list[str]
    created_at: str
    metrics: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    n_train: int = 0
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    sklearn_version: str = sklearn.__version__
    python_version: str = platform.python_version()
    extra: dict = field(default_factory=dict)


def card_path(model_path: str | Path) -> Path:
    return Path(model_path).with_suffix(".json")


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _json_safe(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, str | int | float | bool) or v is None:
            out[k] = v
        elif isinstance(v, list | tuple):
            out[k] = list(v)
        else:
            out[k] = type(v).__name__
    return out


def save_model(
    model, path: str | Path, version: str | None = None, metrics: dict | None = None, extra: dict | None = None
) -> ModelCard:
    """Write ``model`` to ``path`` (joblib) and its card to ``path`` with ``.json``; return the card."""
    if not hasattr(model, "classes_"):
        raise ModelFileError("模型尚未训练，不能保存。", code="model_not_fitted")
    path = Path(path)
    card = ModelCard(
        version=version or time.strftime("%Y%m%d-%H%M%S"),
        kind=f"{type(model).__name__}:{getattr(model, 'method', getattr(model, 'task', ''))}",
        classes=[str(c) for c in model.classes_],
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        metrics=dict(metrics or {}),
        params=_json_safe(model.get_params(deep=False)) if hasattr(model, "get_params") else {},
        n_train=int(getattr(model, "n_train_", 0)),
        extra=dict(extra or {}),
    )
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, "card": asdict(card), "model": model}
    _atomic_write(path, lambda tmp: joblib.dump(payload, tmp, compress=3))
    text = json.dumps(asdict(card), ensure_ascii=False, indent=2, sort_keys=True)
    _atomic_write(card_path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return card


def read_card(path: str | Path) -> ModelCard:
    """The JSON card saved next to the model (no unpickling)."""
    p = card_path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFileError(f"找不到模型说明文件：{p}", code="model_not_found") from exc
    except ValueError as exc:
        raise ModelFileError(f"模型说明文件已损坏：{p}") from exc
    known = set(ModelCard.__dataclass_fields__)
    return ModelCard(**{k: v for k, v in data.items() if k in known})


def load_model(path: str | Path):
    """Load a model written by ``save_model``; checks the format and version first.

    Only load files your own service wrote: joblib files can run code when loaded.
    """
    p = Path(path)
    if not p.is_file():
        raise ModelFileError(f"找不到模型文件：{p}", code="model_not_found")
    try:
        payload = joblib.load(p)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means an unusable file
        raise ModelFileError(f"模型文件无法读取（可能已损坏或版本不兼容）：{p}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(f"不是本系统保存的分类模型文件：{p}")
    if int(payload.get("format_version", 0)) > FORMAT_VERSION:
        raise ModelFileError(
            f"模型文件版本（{payload.get('format_version')}）高于本程序支持的版本（{FORMAT_VERSION}），请升级程序。",
            code="model_version_unsupported",
        )
    return payload["model"]
