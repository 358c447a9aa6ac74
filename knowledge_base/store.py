"""The entry table behind the retriever: documents, their entries (standard question, similar
questions, answer) as rows of a BM25 index and a faiss index, kept in step through add, remove,
compaction and save/load."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from knowledge_base.bm25 import BM25Index
from knowledge_base.dense import DenseIndex
from knowledge_base.documents import Document, Entry
from knowledge_base.embedder import Embedder
from knowledge_base.errors import IndexCorrupted, InvalidDocument
from knowledge_base.normalize import Normalizer
from knowledge_base.tokenize import Tokenizer


def entries_of(doc: Document, index_answers: bool) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for kind, text in [("title", doc.title)] + [("similar", s) for s in doc.similar] + \
            ([("text", doc.text)] if index_answers else []):
        text = (text or "").strip()
        if text and text not in seen:
            seen.add(text)
            out.append(Entry(doc.id, kind, text))
    return out


def embedding_key(e: Entry, normalizer: Normalizer, question_prefix: str,
                  answer_chars: int | None) -> tuple[bool, str]:
    text = normalizer.document(e.text)
    if e.kind == "text" and answer_chars:
        text = text[:answer_chars]
    return (e.kind != "text" and question_prefix == "query", text)


class EntryStore:
    def __init__(self, tokenizer: Tokenizer, normalizer: Normalizer, embedder: Embedder | None,
                 *, index_answers: bool = True, question_prefix: str = "query",
                 answer_chars: int | None = None, k1: float = 1.2, b: float = 0.75) -> None:
        self.tokenizer = tokenizer
        self.normalizer = normalizer
        self.embedder = embedder
        self.index_answers = index_answers
        self.question_prefix = question_prefix
        self.answer_chars = answer_chars
        # vectors of texts embedded before (an older index of the same model), by embedding key
        self.vector_cache: dict[tuple[bool, str], np.ndarray] = {}
        self.docs: dict[str, Document] = {}
        self.digests: dict[str, str] = {}
        self.entries: list[Entry] = []
        self.doc_rows: dict[str, list[int]] = {}
        self.bm25 = BM25Index(k1, b)
        self.dense: DenseIndex | None = None

    # -- content ------------------------------------------------------------------------------
    def embedding_key(self, e: Entry) -> tuple[bool, str]:
        """What the embedder is given for an entry: (as a query?, text). Equal keys, equal vectors."""
        return embedding_key(e, self.normalizer, self.question_prefix, self.answer_chars)

    def _embed_entries(self, entries: Sequence[Entry], reuse: dict[tuple[bool, str], np.ndarray]) -> np.ndarray:
        """One vector per entry; a text already embedded (``reuse``, the vector cache, or an equal
        text earlier in this batch) is embedded once."""
        dim = self.embedder.dim
        out = np.zeros((len(entries), dim), dtype=np.float32)
        todo: dict[tuple[bool, str], list[int]] = {}
        for i, e in enumerate(entries):
            key = self.embedding_key(e)
            known = reuse.get(key)
            if known is None:
                known = self.vector_cache.get(key)
            if known is not None:
                out[i] = known
            else:
                todo.setdefault(key, []).append(i)
        for as_query in (True, False):
            keys = [k for k in todo if k[0] == as_query]
            if not keys:
                continue
            texts = [k[1] for k in keys]
            vecs = self.embedder.embed_queries(texts) if as_query else self.embedder.embed_passages(texts)
            for k, v in zip(keys, vecs, strict=True):
                out[todo[k]] = v
        return out

    def harvest(self, directory: Path, normalizer: Normalizer, question_prefix: str,
                answer_chars: int | None) -> int:
        """Fill the vector cache from an index saved in ``directory`` with the same model but other
        settings (``normalizer``, ``question_prefix``, ``answer_chars`` are the ones it was built
        with), so a rebuild re-embeds only texts it has not seen. Returns how many vectors."""
        try:
            dense = DenseIndex.load(directory)
            with open(directory / "entries.jsonl", encoding="utf-8") as f:
                entries = [Entry(*json.loads(line)) for line in f]
        except (OSError, ValueError, TypeError, IndexCorrupted):
            return 0
        if len(entries) != dense.n_rows or (self.embedder is not None and dense.dim != self.embedder.dim):
            return 0
        vecs = dense.vectors()
        for e, v in zip(entries, vecs, strict=True):
            self.vector_cache[embedding_key(e, normalizer, question_prefix, answer_chars)] = v
        return len(entries)

    def add(self, documents: Iterable[Document]) -> int:
        """Insert or replace documents (same id → replaced); unchanged ones are skipped.
        Returns how many were (re)indexed."""
        batch: dict[str, Document] = {}
        for doc in documents:
            if not isinstance(doc.id, str) or not doc.id.strip():
                raise InvalidDocument("知识条目缺少编号")
            if not (doc.title or "").strip() and not (doc.text or "").strip():
                raise InvalidDocument(f"知识条目 {doc.id} 没有标准问题也没有答案", details={"id": doc.id})
            batch[doc.id] = doc
        changed = [d for d in batch.values() if self.digests.get(d.id) != d.digest()]
        if not changed:
            return 0
        reuse: dict[tuple[bool, str], np.ndarray] = {}
        old_rows = [r for d in changed for r in self.doc_rows.get(d.id, [])]
        if self.dense is not None and old_rows:
            vecs = self.dense.vectors(np.asarray(old_rows))
            for r, v in zip(old_rows, vecs, strict=True):
                reuse[self.embedding_key(self.entries[r])] = v
        self.remove([d.id for d in changed if d.id in self.docs])
        new_entries = [e for d in changed for e in entries_of(d, self.index_answers)]
        start = len(self.entries)
        self.bm25.add([self.tokenizer.tokenize(self.normalizer.document(e.text)) for e in new_entries])
        if self.embedder is not None:
            vecs = self._embed_entries(new_entries, reuse)
            if self.dense is None:
                self.dense = DenseIndex(vecs.shape[1] if len(vecs) else self.embedder.dim)
            self.dense.add(vecs)
        self.entries.extend(new_entries)
        for offset, e in enumerate(new_entries):
            self.doc_rows.setdefault(e.doc_id, []).append(start + offset)
        for d in changed:
            self.docs[d.id] = d
            self.digests[d.id] = d.digest()
        return len(changed)

    def remove(self, doc_ids: Iterable[str]) -> int:
        rows, n = [], 0
        for doc_id in doc_ids:
            if doc_id in self.docs:
                rows.extend(self.doc_rows.pop(doc_id, []))
                del self.docs[doc_id]
                del self.digests[doc_id]
                n += 1
        self.bm25.remove(rows)
        if self.dense is not None:
            self.dense.remove(rows)
        if self.dead_share() > 0.3:
            self.compact()
        return n

    def dead_share(self) -> float:
        n = self.bm25.n_rows
        return 0.0 if n == 0 else 1.0 - float(self.bm25.alive.sum()) / n

    def compact(self) -> None:
        keep = self.bm25.compact()
        if self.dense is not None:
            self.dense.compact()
        self.entries = [self.entries[i] for i in keep]
        self.doc_rows = {}
        for row, e in enumerate(self.entries):
            self.doc_rows.setdefault(e.doc_id, []).append(row)

    # -- persistence --------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.bm25.save(directory)
        if self.dense is not None:
            self.dense.save(directory)
        with open(directory / "entries.jsonl", "w", encoding="utf-8") as f:
            for e in self.entries:
                f.write(json.dumps([e.doc_id, e.kind, e.text], ensure_ascii=False) + "\n")
        with open(directory / "documents.jsonl", "w", encoding="utf-8") as f:
            for d in self.docs.values():
                f.write(json.dumps({"id": d.id, "title": d.title, "text": d.text, "similar": list(d.similar),
                                    "meta": d.meta}, ensure_ascii=False, default=str) + "\n")

    def load(self, directory: Path, with_dense: bool) -> None:
        try:
            self.bm25 = BM25Index.load(directory)
            self.dense = DenseIndex.load(directory) if with_dense else None
            with open(directory / "entries.jsonl", encoding="utf-8") as f:
                self.entries = [Entry(*json.loads(line)) for line in f]
            with open(directory / "documents.jsonl", encoding="utf-8") as f:
                docs = [Document(**json.loads(line)) for line in f]
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorrupted(f"索引目录损坏或不完整：{directory}") from exc
        alive = self.bm25.alive
        if len(self.entries) != len(alive) or (self.dense is not None and self.dense.n_rows != len(alive)):
            raise IndexCorrupted(f"索引文件行数不一致：{directory}")
        self.docs = {d.id: d for d in docs}
        self.digests = {d.id: d.digest() for d in docs}
        self.doc_rows = {}
        for row, e in enumerate(self.entries):
            if alive[row]:
                self.doc_rows.setdefault(e.doc_id, []).append(row)
