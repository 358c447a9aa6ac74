"""Okapi BM25 on scipy sparse matrices, with append, tombstone removal and persistence.

Rows are entries in insertion order. Removing marks a row dead (it scores nothing); ``compact``
drops dead rows. Term statistics (idf, average length) are recomputed from the stored term
frequencies in one vectorised pass, so publish/retire never re-tokenises the base."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from knowledge_base.errors import IndexCorrupted, InvalidSetting


class BM25Index:
    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise InvalidSetting(f"BM25 参数不合法：k1={k1}, b={b}")
        self.k1 = float(k1)
        self.b = float(b)
        self.vocab: dict[str, int] = {}
        self._tf = sparse.csr_matrix((0, 0), dtype=np.float32)
        self._alive = np.zeros(0, dtype=bool)
        self._weights_t: sparse.csr_matrix | None = None  # terms x rows
        self._idf = np.zeros(0, dtype=np.float32)

    # -- building -----------------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return self._tf.shape[0]

    @property
    def alive(self) -> np.ndarray:
        return self._alive

    def add(self, token_lists: Sequence[Sequence[str]]) -> None:
        """Append one row per token list."""
        data, indices, indptr = [], [], [0]
        for tokens in token_lists:
            counts = Counter(tokens)
            for term, c in counts.items():
                col = self.vocab.get(term)
                if col is None:
                    col = self.vocab[term] = len(self.vocab)
                indices.append(col)
                data.append(c)
            indptr.append(len(indices))
        new = sparse.csr_matrix(
            (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr, np.int64)),
            shape=(len(token_lists), len(self.vocab)),
        )
        old = self._tf
        old.resize((old.shape[0], len(self.vocab)))
        self._tf = sparse.vstack([old, new], format="csr", dtype=np.float32)
        self._alive = np.concatenate([self._alive, np.ones(len(token_lists), dtype=bool)])
        self._weights_t = None

    def remove(self, rows: Sequence[int]) -> None:
        rows = np.asarray(list(rows), dtype=np.int64)
        if rows.size:
            self._alive[rows] = False
            self._weights_t = None

    def compact(self) -> np.ndarray:
        """Drop dead rows; returns the old row number of each kept row."""
        keep = np.flatnonzero(self._alive)
        self._tf = self._tf[keep]
        self._alive = np.ones(len(keep), dtype=bool)
        self._weights_t = None
        return keep

    def _weights(self) -> sparse.csr_matrix:
        if self._weights_t is not None:
            return self._weights_t
        tf = self._tf.tocsr()
        alive = self._alive.astype(np.float32)
        lengths = np.asarray(tf.sum(axis=1)).ravel() * alive
        n_alive = max(int(alive.sum()), 1)
        avgdl = max(float(lengths.sum()) / n_alive, 1e-6)
        # document frequency over live rows only
        live = sparse.diags(alive) @ tf
        df = np.bincount(live.indices, minlength=tf.shape[1]).astype(np.float64)
        idf = np.log1p((n_alive - df + 0.5) / (df + 0.5)).astype(np.float32)
        row_of = np.repeat(np.arange(tf.shape[0]), np.diff(tf.indptr))
        norm = self.k1 * (1 - self.b + self.b * lengths[row_of] / avgdl)
        vals = tf.data * (self.k1 + 1) / (tf.data + norm) * idf[tf.indices] * alive[row_of]
        # copies: eliminate_zeros works in place and must not touch the stored term frequencies
        w = sparse.csr_matrix((vals.astype(np.float32), tf.indices.copy(), tf.indptr.copy()), shape=tf.shape)
        w.eliminate_zeros()
        self._weights_t = w.T.tocsr()
        self._idf = idf
        return self._weights_t

    def prepare(self) -> None:
        """Compute the weight matrix now (otherwise done on the first query)."""
        self._weights()

    # -- querying -----------------------------------------------------------------------------
    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query terms (dead rows score 0)."""
        w = self._weights()
        counts = Counter(t for t in tokens if t in self.vocab)
        if not counts:
            return np.zeros(self.n_rows, dtype=np.float32)
        cols = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64)
        qtf = np.fromiter(counts.values(), dtype=np.float32)
        sub = w[cols]
        # sum of qtf-weighted rows of the terms x rows matrix
        weights = sub.data * np.repeat(qtf, np.diff(sub.indptr))
        return np.bincount(sub.indices, weights=weights, minlength=self.n_rows).astype(np.float32)

    def idf_mass(self, tokens: Sequence[str]) -> float:
        """Σ idf of the query's known terms: roughly the score of a perfect, average-length match."""
        self._weights()
        return float(sum(self._idf[self.vocab[t]] for t in tokens if t in self.vocab))

    def top(self, tokens: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.scores(tokens)
        nz = np.flatnonzero(s > 0)
        if nz.size > k:
            nz = nz[np.argpartition(-s[nz], k - 1)[:k]]
        order = nz[np.argsort(-s[nz], kind="stable")]
        return order, s[order]

    # -- persistence --------------------------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        tf = self._tf.tocsr()
        np.savez(
            d / "bm25.npz", data=tf.data, indices=tf.indices, indptr=tf.indptr,
            shape=np.asarray(tf.shape), alive=self._alive,
        )
        terms = [None] * len(self.vocab)
        for t, i in self.vocab.items():
            terms[i] = t
        (d / "bm25.json").write_text(
            json.dumps({"k1": self.k1, "b": self.b, "terms": terms}, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: str | Path) -> BM25Index:
        d = Path(directory)
        try:
            meta = json.loads((d / "bm25.json").read_text(encoding="utf-8"))
            arrays = np.load(d / "bm25.npz")
            index = cls(meta["k1"], meta["b"])
            index.vocab = {t: i for i, t in enumerate(meta["terms"])}
            shape = tuple(int(x) for x in arrays["shape"])
            index._tf = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
            index._alive = arrays["alive"].astype(bool)
        except (OSError, KeyError, ValueError) as exc:
            raise IndexCorrupted(f"BM25 索引文件损坏或不完整：{d}") from exc
        if index._tf.shape[1] != len(index.vocab) or len(index._alive) != index._tf.shape[0]:
            raise IndexCorrupted(f"BM25 索引文件不一致：{d}")
        return index
