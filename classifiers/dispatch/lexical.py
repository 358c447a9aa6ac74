"""Lexical matching of an appeal against catalogue lines and unit duties: exact and partial keyword
hits weighted by rarity, and BM25 over jieba words. Pure Python, built once per router."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_STOP = frozenset(
    ["我们", "你们", "他们", "我家", "我的", "一个", "这个", "那个", "什么", "啥子", "怎么", "么样", "咋个", "现在", "已经", "还是", "就是", "但是", "因为", "所以", "如果", "没有", "不是", "可以", "能不能", "需要", "问题", "反映", "情况", "一下", "好多", "很多", "到底", "为啥", "为什么", "时候", "还有", "知道", "晓得", "那边", "这边", "那里", "这里", "哪里", "哪个", "不要", "要求", "希望", "请问", "你好", "喂", "谢谢", "帮忙", "处理", "解决", "一直", "一样", "然后", "而且", "这样", "那样", "他们"])
_SPLIT_MATTER = re.compile(r"[、与和及（）()“”\"，,；;·/]+")
_tokenizer = None
_lock = threading.Lock()


def tokenizer():
    """A process-wide jieba tokenizer (its own instance, quiet)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            _tokenizer = jieba.Tokenizer()
            _tokenizer.initialize()
        return _tokenizer


def add_words(words: Iterable[str]) -> None:
    tok = tokenizer()
    with _lock:
        for w in words:
            if 2 <= len(w) <= 8 and tok.FREQ.get(w, 0) == 0:
                tok.add_word(w, freq=5)


def terms(text: str) -> list[str]:
    """Search terms of a text: jieba words (search mode) of two characters or more, minus stopwords."""
    tok = tokenizer()
    return [w for w in tok.cut_for_search(text) if len(w) >= 2 and w not in _STOP and not w.isdigit()]


def matter_parts(matter: str) -> list[str]:
    return [p for p in _SPLIT_MATTER.split(matter) if len(p) >= 2]


@dataclass(frozen=True)
class LexicalDoc:
    keywords: tuple[str, ...]
    text: str


class LexicalIndex:
    """Keyword and BM25 scores of a query against a fixed list of documents."""

    def __init__(self, docs: Sequence[LexicalDoc], k1: float = 1.2, b: float = 0.5) -> None:
        self.docs = list(docs)
        n = max(1, len(self.docs))
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(set(d.keywords))
        self._kw_idf = {k: math.log(1 + n / c) for k, c in df.items()}
        self._kw_parts = {k: [p for p in terms(k) if p != k] for k in df}
        self._doc_terms = [Counter(terms(d.text + " " + " ".join(d.keywords))) for d in self.docs]
        self._len = [sum(c.values()) for c in self._doc_terms]
        self._avg = sum(self._len) / n if self._len else 1.0
        tdf: Counter[str] = Counter()
        for c in self._doc_terms:
            tdf.update(c.keys())
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in tdf.items()}
        self._postings: dict[str, list[int]] = {}
        for i, c in enumerate(self._doc_terms):
            for t in c:
                self._postings.setdefault(t, []).append(i)
        self.k1, self.b = k1, b

    def keyword_scores(self, text: str) -> tuple[list[float], list[list[str]]]:
        """Per document: sum of rarity weights of its keywords found in ``text`` (partial hits, where
        every word of a longer keyword occurs, count 0.6), and the keywords found."""
        scores = [0.0] * len(self.docs)
        found: list[list[str]] = [[] for _ in self.docs]
        hit: dict[str, float] = {}
        for k, parts in self._kw_parts.items():
            if k in text:
                hit[k] = 1.0
            elif len(parts) >= 2 and all(p in text for p in parts):
                hit[k] = 0.6
        if not hit:
            return scores, found
        # a keyword inside a longer keyword that also hit is not counted twice
        covered = {k for k in hit for other in hit if other != k and k in other and hit[other] == 1.0}
        for i, d in enumerate(self.docs):
            for k in d.keywords:
                if k in hit and k not in covered:
                    scores[i] += hit[k] * self._kw_idf[k] * min(1.0, 0.5 + 0.25 * len(k))
                    found[i].append(k)
        return scores, found

    def bm25(self, text: str) -> list[float]:
        q = Counter(terms(text))
        scores = [0.0] * len(self.docs)
        for t in q:
            idf = self._idf.get(t)
            if idf is None:
                continue
            for i in self._postings[t]:
                tf = self._doc_terms[i][t]
                norm = tf + self.k1 * (1 - self.b + self.b * self._len[i] / self._avg)
                scores[i] += idf * tf * (self.k1 + 1) / norm
        return scores
