"""jieba tokenizer with a user dictionary (county place names, government terms) and stop words."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from knowledge_base.errors import InvalidSetting

DATA_DIR = Path(__file__).resolve().parent / "data"
_KEEP = re.compile(r"[\w\u3400-\u9fff]")
_lock = threading.Lock()
_JIEBA_CACHE: dict[tuple, object] = {}


def read_word_list(path: str | Path) -> list[str]:
    """One word a line; blank lines and ``#`` comments are skipped."""
    words = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            words.append(line.split()[0])
    return words


def default_terms() -> list[str]:
    return read_word_list(DATA_DIR / "gov_terms.txt")


def default_stopwords() -> list[str]:
    return read_word_list(DATA_DIR / "stopwords.txt")


def _jieba_for(words: tuple[str, ...], cache_dir: str | None):
    key = (words, cache_dir)
    with _lock:
        tk = _JIEBA_CACHE.get(key)
        if tk is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            if cache_dir:
                tk.tmp_dir = cache_dir
            tk.initialize()
            for w in words:
                tk.add_word(w, freq=max(tk.suggest_freq(w, tune=False), 1000))
            _JIEBA_CACHE[key] = tk
    return tk


class Tokenizer:
    """Cuts normalised text into BM25 terms.

    ``mode``: ``"search"`` (jieba's search mode: long words plus their parts) or ``"exact"``.
    ``chars``: also emit single Chinese characters of multi-character words, which helps with
    ASR slips and segmentation drift."""

    def __init__(
        self,
        user_words: Sequence[str] = (),
        *,
        stopwords: Iterable[str] | None = None,
        use_default_terms: bool = True,
        mode: str = "exact",
        chars: bool = True,
        cache_dir: str | Path | None = None,
    ) -> None:
        if mode not in ("search", "exact"):
            raise InvalidSetting(f"分词模式只能是 search 或 exact，收到：{mode}")
        words = list(default_terms()) if use_default_terms else []
        words += [w.strip() for w in user_words if w and w.strip()]
        self.user_words = tuple(sorted(set(words)))
        self.stopwords = frozenset(default_stopwords() if stopwords is None else stopwords)
        self.mode = mode
        self.chars = chars
        self.cache_dir = str(cache_dir) if cache_dir else None
        self._tk = None

    def warm_up(self) -> None:
        if self._tk is None:
            self._tk = _jieba_for(self.user_words, self.cache_dir)

    def signature(self) -> dict:
        """What changes the terms: part of the index fingerprint."""
        return {
            "mode": self.mode,
            "chars": self.chars,
            "user_words": list(self.user_words),
            "stopwords": sorted(self.stopwords),
        }

    def tokenize(self, text: str) -> list[str]:
        self.warm_up()
        cut = self._tk.cut_for_search(text) if self.mode == "search" else self._tk.cut(text)
        out = []
        for tok in cut:
            tok = tok.strip()
            if not tok or tok in self.stopwords or not _KEEP.search(tok):
                continue
            out.append(tok)
            if self.chars and len(tok) > 1:
                out.extend(c for c in tok if "\u3400" <= c <= "\u9fff" and c not in self.stopwords)
        return out
