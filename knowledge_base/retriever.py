"""Hybrid retriever: jieba BM25 + e5 dense over the entries of every article, fused per article
(best entry wins), with a calibrated confidence for the top answer."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base import fusion as fu
from knowledge_base.calibration import Calibrator, features_from
from knowledge_base.defaults import RETRIEVER_DEFAULTS
from knowledge_base.documents import Document, Hit, SearchResult
from knowledge_base.embedder import Embedder
from knowledge_base.errors import IndexNotFound, InvalidSetting
from knowledge_base.normalize import Normalizer, default_normalizer
from knowledge_base.store import EntryStore
from knowledge_base.tokenize import Tokenizer

METHODS = ("bm25", "dense", "hybrid")
FORMAT_VERSION = 1


@dataclass
class Candidates:
    query: str
    normalized_query: str
    method: str
    bm25: dict[str, tuple[float, int]]  # article -> (score, best entry row)
    dense: dict[str, tuple[float, int]]
    bm25_self: float
    started: float


class HybridRetriever:
    """``embedder=None`` gives a BM25-only retriever (the capability without the model).

    ``fusion``: ``"rrf"`` (Σ w/(rrf_k + rank)) or ``"weighted"`` (Σ w · normalised score);
    ``dense_weight`` is the dense share (BM25 gets 1 - dense_weight)."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        tokenizer: Tokenizer | None = None,
        normalizer: Normalizer | None = None,
        *,
        method: str = "hybrid",
        fusion: str = RETRIEVER_DEFAULTS["fusion"],
        dense_weight: float = RETRIEVER_DEFAULTS["dense_weight"],
        rrf_k: float = RETRIEVER_DEFAULTS["rrf_k"],
        candidates: int = RETRIEVER_DEFAULTS["candidates"],
        index_answers: bool = True,
        question_prefix: str = "query",
        answer_chars: int | None = RETRIEVER_DEFAULTS["answer_chars"],
        query_chars: int = RETRIEVER_DEFAULTS["query_chars"],
        calibrator: Calibrator | None = None,
    ) -> None:
        if method not in METHODS:
            raise InvalidSetting(f"检索方式只能是 {'/'.join(METHODS)}，收到：{method}")
        if fusion not in fu.FUSIONS:
            raise InvalidSetting(f"融合方式只能是 {'/'.join(fu.FUSIONS)}，收到：{fusion}")
        if not 0.0 <= dense_weight <= 1.0 or candidates < 1 or rrf_k <= 0:
            raise InvalidSetting("dense_weight 应在 0..1，candidates 与 rrf_k 应为正数")
        if question_prefix not in ("query", "passage"):
            raise InvalidSetting(f"问题前缀只能是 query 或 passage，收到：{question_prefix}")
        if answer_chars is not None and answer_chars < 16:
            raise InvalidSetting(f"答案向量化的字数至少为 16，收到：{answer_chars}")
        if query_chars < 16:
            raise InvalidSetting(f"问题向量化的字数至少为 16，收到：{query_chars}")
        self.query_chars = query_chars
        if embedder is None and method != "bm25":
            method = "bm25"
        self.embedder = embedder
        self.tokenizer = tokenizer or Tokenizer()
        self.normalizer = normalizer or default_normalizer()
        self.method = method
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.calibrator = calibrator or Calibrator.default()
        self.store = EntryStore(self.tokenizer, self.normalizer, embedder, index_answers=index_answers,
                                question_prefix=question_prefix, answer_chars=answer_chars)

    # -- lifecycle ----------------------------------------------------------------------------
    def warm_up(self) -> None:
        self.tokenizer.warm_up()
        if self.embedder is not None:
            self.embedder.warm_up()
            self.embedder.embed_queries(["预热"])
        self.store.bm25.prepare()

    def __len__(self) -> int:
        return len(self.store.docs)

    @property
    def document_ids(self) -> list[str]:
        return list(self.store.docs)

    def build(self, documents: Iterable[Document]) -> None:
        """Index ``documents`` from scratch."""
        old = self.store
        self.store = EntryStore(self.tokenizer, self.normalizer, self.embedder,
                                index_answers=old.index_answers, question_prefix=old.question_prefix,
                                answer_chars=old.answer_chars)
        self.store.vector_cache = old.vector_cache
        self.add(documents)

    def add(self, documents: Iterable[Document]) -> int:
        """Publish: insert new documents, replace changed ones (embeddings of unchanged texts are
        reused). Returns how many were (re)indexed."""
        n = self.store.add(documents)
        self.store.bm25.prepare()
        return n

    def remove(self, doc_ids: Iterable[str]) -> int:
        """Retire: drop documents by id. Returns how many were present."""
        n = self.store.remove(doc_ids)
        self.store.bm25.prepare()
        return n

    def sync(self, documents: Sequence[Document]) -> dict[str, int]:
        """Make the index hold exactly ``documents``, touching only what changed."""
        wanted = {d.id for d in documents}
        removed = self.remove([i for i in self.store.docs if i not in wanted])
        changed = self.add(documents)
        return {"indexed": changed, "removed": removed, "total": len(self)}

    # -- fingerprints and persistence ---------------------------------------------------------
    def _signature(self) -> dict:
        extra = {} if self.store.answer_chars is None else {"answer_chars": self.store.answer_chars}
        return {**extra,
            "version": FORMAT_VERSION,
            "index_answers": self.store.index_answers,
            "question_prefix": self.store.question_prefix,
            "bm25": [self.store.bm25.k1, self.store.bm25.b],
            "tokenizer": self.tokenizer.signature(),
            "normalizer": hashlib.sha256(repr(self.normalizer.lists).encode()).hexdigest()[:16],
            "embedder": self.embedder.signature() if self.embedder is not None else None,
        }

    def _setup_digest(self) -> str:
        return hashlib.sha256(json.dumps(self._signature(), sort_keys=True).encode()).hexdigest()[:24]

    def fingerprint(self, documents: Iterable[Document] | None = None) -> str:
        """Digest of the documents (the indexed ones when ``documents`` is None) together with the
        model, tokenizer and index settings: equal fingerprints mean an index needs no rebuild."""
        digests = sorted(d.digest() for d in documents) if documents is not None \
            else sorted(self.store.digests.values())
        h = hashlib.sha256(self._setup_digest().encode())
        for d in digests:
            h.update(d.encode())
        return h.hexdigest()[:32]

    @staticmethod
    def saved_fingerprint(directory: str | Path) -> str | None:
        path = Path(directory) / "manifest.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8")).get("fingerprint")
        except ValueError:
            return None

    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        manifest = d / "manifest.json"
        if manifest.exists():
            manifest.unlink()  # the manifest is written last: no manifest = no usable index
        self.store.save(d)
        manifest.write_text(json.dumps({
            "fingerprint": self.fingerprint(), "setup": self._setup_digest(), "signature": self._signature(),
            "documents": len(self.store.docs), "rows": len(self.store.entries), "saved_at": time.time(),
        }, ensure_ascii=False, indent=1), encoding="utf-8")

    def load(self, directory: str | Path) -> None:
        """Load a saved index into this retriever. Raises :class:`IndexNotFound` when there is none
        or when it was built with another model, tokenizer or settings (then rebuild)."""
        d = Path(directory)
        path = d / "manifest.json"
        if not path.is_file():
            raise IndexNotFound(f"索引目录中没有可用的索引：{d}")
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("setup") != self._setup_digest():
            raise IndexNotFound(f"索引由其他模型或设置生成，需要重建：{d}")
        self.store.load(d, with_dense=self.embedder is not None)
        self.store.bm25.prepare()

    def open_or_build(self, directory: str | Path, documents: Sequence[Document]) -> dict[str, int | str]:
        """Load the saved index if it fits, bring it up to date with ``documents`` incrementally
        (or rebuild when the model/settings changed), and save when anything changed."""
        action = "loaded"
        try:
            self.load(directory)
        except IndexNotFound:
            action = "built"
            self._harvest(Path(directory))
            self.build([])
        if self.saved_fingerprint(directory) == self.fingerprint(documents) and action == "loaded":
            return {"action": action, "indexed": 0, "removed": 0, "total": len(self)}
        try:
            counts = self.sync(documents)
        finally:
            self.store.vector_cache = {}
        self.save(directory)
        return {"action": action if action == "built" else "updated", **counts}

    def _harvest(self, directory: Path) -> int:
        """Before a rebuild (other tokenizer, BM25 or fusion settings): keep the vectors of the
        saved index when it was embedded by the same model after the same clean-up, so only new
        texts are embedded again."""
        try:
            old = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))["signature"]
        except (OSError, ValueError, KeyError, TypeError):
            return 0
        mine = self._signature()
        if self.embedder is None or old.get("embedder") != mine["embedder"] \
                or old.get("normalizer") != mine["normalizer"]:
            return 0
        return self.store.harvest(directory, self.normalizer, old.get("question_prefix", "query"),
                                  old.get("answer_chars"))

    # -- search -------------------------------------------------------------------------------
    def _per_doc(self, rows: np.ndarray, scores: np.ndarray, exclude: set[str]) -> dict[str, tuple[float, int]]:
        best: dict[str, tuple[float, int]] = {}
        entries = self.store.entries
        for r, s in zip(rows.tolist(), scores.tolist(), strict=True):
            doc = entries[r].doc_id
            if doc in exclude:
                continue
            if doc not in best or s > best[doc][0]:
                best[doc] = (s, r)
        return best

    def gather(self, query: str, *, exclude: Iterable[str] = (), method: str | None = None) -> Candidates:
        """Per-method article candidates (best entry per article) before fusion."""
        t0 = time.perf_counter()
        method = method or self.method
        if method not in METHODS:
            raise InvalidSetting(f"检索方式只能是 {'/'.join(METHODS)}，收到：{method}")
        if self.embedder is None:
            method = "bm25"
        excluded = set(exclude)
        nq = self.normalizer.query(query)
        depth = self.candidates + sum(len(self.store.doc_rows.get(e, ())) for e in excluded)
        c = Candidates(query, nq, method, {}, {}, 0.0, t0)
        if method in ("bm25", "hybrid") and self.store.entries:
            tokens = self.tokenizer.tokenize(nq)
            c.bm25 = self._per_doc(*self.store.bm25.top(tokens, depth), excluded)
            c.bm25_self = self.store.bm25.idf_mass(tokens)
        if method in ("dense", "hybrid") and self.store.dense is not None and self.store.entries:
            # a long transcript: its latest words carry the question, and the forward pass grows
            # with every character (BM25 still reads all of it)
            qv = self.embedder.embed_query(nq[-self.query_chars:])
            c.dense = self._per_doc(*self.store.dense.search(qv, depth), excluded)
        return c

    def rank(self, c: Candidates, k: int = 5) -> SearchResult:
        """Fuse candidates into the top ``k`` hits with a confidence for the first."""
        bm_scores = {d: s for d, (s, _) in c.bm25.items()}
        dn_scores = {d: s for d, (s, _) in c.dense.items()}
        if c.method == "bm25":
            fused = bm_scores
        elif c.method == "dense":
            fused = dn_scores
        elif self.fusion == "rrf":
            fused = fu.rrf([bm_scores, dn_scores], [1 - self.dense_weight, self.dense_weight], self.rrf_k)
        else:
            fused = fu.weighted([fu.normalise(bm_scores, "max"), fu.normalise(dn_scores, "minmax")],
                                [1 - self.dense_weight, self.dense_weight])
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        hits = []
        for doc_id, score in ranked[:k]:
            row = c.dense[doc_id][1] if doc_id in c.dense else c.bm25[doc_id][1]
            entry = self.store.entries[row]
            hits.append(Hit(doc_id, float(score), entry.text, entry.kind,
                            float(bm_scores.get(doc_id, 0.0)), float(dn_scores.get(doc_id, 0.0)),
                            dict(self.store.docs[doc_id].meta)))
        feats = features_from(sorted(dn_scores.items(), key=lambda kv: -kv[1])[:2],
                              sorted(bm_scores.items(), key=lambda kv: -kv[1])[:2], ranked[:2], c.bm25_self)
        confidence = self.calibrator.predict(feats) if hits else 0.0
        return SearchResult(c.query, c.normalized_query, hits, confidence,
                            (time.perf_counter() - c.started) * 1000.0, feats)

    def search(self, query: str, k: int = 5, *, exclude: Iterable[str] = (), method: str | None = None) -> SearchResult:
        """Top ``k`` articles for ``query``; ``exclude`` drops article ids from the ranking."""
        return self.rank(self.gather(query, exclude=exclude, method=method), k)
