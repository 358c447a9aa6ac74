"""Knowledge base at scale: a 10,000-article base (service items of ../shared/data/service_items
with variations made at run time: places, question framings), a full index build (every
standard question, similar question and answer tokenised, embedded and indexed) timed in wall
and CPU seconds, then query latency p50/p95 for spoken queries after warm-up, with the time of
each step (clean-up, jieba, BM25, query embedding, faiss, per-article grouping, fusion and
confidence). Nothing is copied into the repository; the R@1 printed is on made-up queries and
only a sanity check, not a quality figure."""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

from eval.common import SHARED_DATA, peak_rss_mb, percentile
from knowledge_base import Document, Embedder, HybridRetriever, Tokenizer

PLACES = ("", "城关镇", "河东乡", "桥头镇", "清水镇", "石门乡", "太平乡", "龙潭镇", "红岩乡", "新华街道")
TITLE_FORMS = ("{p}{t}怎么办理？", "{p}办理{t}的流程是什么？", "{p}{t}在哪里办？", "{p}{t}要多久？")
SIMILAR_FORMS = ("办理{t}需要什么材料", "{t}去哪里办", "{p}{t}要带哪些证件", "{t}多长时间能办好",
                 "{t}网上能办吗", "我想办{t}找哪个部门", "{p}{t}收费吗", "{t}的办理地点在哪")
QUERY_FORMS = ("喂，你好，我想问一下那个{p}{t}要带啥子材料嘛", "呃，{p}{t}是在哪里办的哦", "{p}{t}，{t}怎么弄啊",
               "你好，请问{p}办{t}需要多久", "那个，我想在{p}办个{t}，找哪个部门嘛", "麻烦问下{p}{t}网上能不能办")


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--items", type=Path, default=SHARED_DATA / "service_items" / "guangdong_service_items.jsonl")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--queries", type=int, default=400, help="timed queries (after --warm-up ones)")
    p.add_argument("--warm-up", type=int, default=30)
    p.add_argument("--method", choices=("bm25", "dense", "hybrid"), default="hybrid")
    p.add_argument("--index-dir", type=Path, default=None,
                   help="keep the index here: built and saved on the first run, loaded on later runs "
                        "(to re-take the query figures without rebuilding)")
    p.add_argument("--batch-size", type=int, default=None, help="texts per embedding call (default: the service's)")
    p.add_argument("--answer-chars", type=int, default=None, help="embed only the first N characters of answers")


def make_articles(rows: list[dict], n: int) -> list[Document]:
    """``n`` articles: the items as they are, then the same items again in other townships and
    framings (variant ``v`` of item ``i`` is article ``v * len(rows) + i``)."""
    docs = []
    for j in range(n):
        row, v = rows[j % len(rows)], j // len(rows)
        t, p = row["TASK_NAME"], PLACES[v % len(PLACES)]
        materials = "、".join(row.get("material_intro") or []) or "以窗口告知为准"
        where = row.get("handle_location", "").replace("办理地点：", "")
        answer = (f"{p}{t}由{row['DEPT_NAME']}办理（{row.get('TASK_TYPE_TEXT', '')}）。承诺时限："
                  f"{row.get('handle_time_limit', '')}。办理地点：{p}{where}。所需材料：{materials}。"
                  f"咨询电话：{row.get('consult_phone', '')}。")
        title = TITLE_FORMS[v % len(TITLE_FORMS)].format(p=p, t=t)
        similar = [SIMILAR_FORMS[(v * 2 + k) % len(SIMILAR_FORMS)].format(p=p, t=t) for k in range(2)]
        docs.append(Document(f"a{j:05d}", title, answer, similar, {"unit": row["DEPT_NAME"]}))
    return docs


def make_queries(rows: list[dict], n_articles: int, n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for j in rng.sample(range(n_articles), min(n, n_articles)):
        row, v = rows[j % len(rows)], j // len(rows)
        t = row["TASK_NAME"]
        out.append((rng.choice(QUERY_FORMS).format(p=PLACES[v % len(PLACES)], t=t), f"a{j:05d}"))
    return out


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _Clock:
    """Wall and CPU seconds spent inside one kind of call during the build."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.items = 0

    def time(self, fn, items):  # type: ignore[no-untyped-def]
        w, c = time.perf_counter(), cpu_s()
        out = fn()
        self.wall += time.perf_counter() - w
        self.cpu += cpu_s() - c
        self.items += items
        return out


class TimedEmbedder(Embedder):
    def __init__(self, *a, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **kw)
        self.clock = _Clock()

    def _embed(self, texts, is_query):  # type: ignore[no-untyped-def]
        return self.clock.time(lambda: super(TimedEmbedder, self)._embed(texts, is_query), len(texts))


class TimedTokenizer(Tokenizer):
    def __init__(self, *a, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **kw)
        self.clock = _Clock()

    def tokenize(self, text):  # type: ignore[no-untyped-def]
        return self.clock.time(lambda: super(TimedTokenizer, self).tokenize(text), 1)


def profile_query(r: HybridRetriever, query: str, stages: dict[str, list[float]]) -> None:
    """The steps of ``HybridRetriever.gather`` + ``rank``, each timed (milliseconds)."""
    def step(name, fn):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        out = fn()
        stages.setdefault(name, []).append((time.perf_counter() - t) * 1000.0)
        return out

    from knowledge_base.retriever import Candidates

    t0 = time.perf_counter()
    nq = step("normalize", lambda: r.normalizer.query(query))
    c = Candidates(query, nq, r.method, {}, {}, 0.0, t0)
    if r.method in ("bm25", "hybrid"):
        tokens = step("tokenize", lambda: r.tokenizer.tokenize(nq))
        top = step("bm25", lambda: r.store.bm25.top(tokens, r.candidates))
        c.bm25 = step("group_bm25", lambda: r._per_doc(*top, set()))
        c.bm25_self = r.store.bm25.idf_mass(tokens)
    if r.method in ("dense", "hybrid"):
        qv = step("embed_query", lambda: r.embedder.embed_queries([nq])[0])
        found = step("faiss", lambda: r.store.dense.search(qv, r.candidates))
        c.dense = step("group_dense", lambda: r._per_doc(*found, set()))
    step("fuse_calibrate", lambda: r.rank(c, 10))


def run(args) -> dict:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in args.items.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = make_articles(rows, args.articles)
    queries = make_queries(rows, args.articles, args.queries + args.warm_up)
    embedder = None
    if args.method != "bm25":
        embedder = TimedEmbedder(**({"batch_size": args.batch_size} if args.batch_size else {}))
    tokenizer = TimedTokenizer()
    extra = {"answer_chars": args.answer_chars} if args.answer_chars else {}
    retriever = HybridRetriever(embedder, tokenizer, method=args.method, **extra)
    retriever.warm_up()
    tokenizer.clock = _Clock()
    if embedder is not None:
        embedder.clock = _Clock()
    load0 = os.getloadavg()[0]
    w, c = time.perf_counter(), cpu_s()
    if args.index_dir:
        action = retriever.open_or_build(args.index_dir, docs)["action"]
    else:
        retriever.build(docs)
        action = "built"
    build_s, build_cpu = time.perf_counter() - w, cpu_s() - c
    figures: dict = {
        "articles": len(docs), "entries": len(retriever.store.entries), "method": args.method, "index": action,
        "build_s": round(build_s, 1), "build_cpu_s": round(build_cpu, 1),
        "tokenize_s": round(tokenizer.clock.wall, 1), "tokenize_cpu_s": round(tokenizer.clock.cpu, 1),
        "embed_s": round(embedder.clock.wall, 1) if embedder else 0.0,
        "embed_cpu_s": round(embedder.clock.cpu, 1) if embedder else 0.0,
        "embedded_texts": embedder.clock.items if embedder else 0,
        "load_build": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }
    for q, _ in queries[: args.warm_up]:
        retriever.search(q, k=10)
    timed = queries[args.warm_up:]
    load0 = os.getloadavg()[0]
    latencies, hits = [], 0
    c = cpu_s()
    for q, rel in timed:
        res = retriever.search(q, k=10)
        latencies.append(res.elapsed_ms)
        hits += bool(res.hits) and res.hits[0].doc_id == rel
    query_cpu_ms = (cpu_s() - c) * 1000.0 / max(len(timed), 1)
    stages: dict[str, list[float]] = {}
    for q, _ in timed:
        profile_query(retriever, q, stages)
    figures.update({
        "queries": len(timed), "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2), "mean_ms": round(float(np.mean(latencies)), 2),
        "query_cpu_ms": round(query_cpu_ms, 2), "synthetic_recall@1": round(hits / max(len(timed), 1), 3),
        "stages_p50_ms": {k: round(percentile(v, 50), 2) for k, v in stages.items()},
        "stages_p95_ms": {k: round(percentile(v, 95), 2) for k, v in stages.items()},
        "load_query": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    })
    print(f"{len(docs)} 篇 / {figures['entries']} 条：索引{'建立' if action == 'built' else '载入'} {build_s:.1f} s（CPU {build_cpu:.1f} s；其中向量 "
          f"{figures['embed_s']} s / CPU {figures['embed_cpu_s']} s，分词 {figures['tokenize_s']} s），负载 "
          f"{figures['load_build']}；查询 p50 {figures['p50_ms']} ms、p95 {figures['p95_ms']} ms（CPU "
          f"{figures['query_cpu_ms']} ms/次，负载 {figures['load_query']}）\n各步 p50/p95 ms："
          + "，".join(f"{k} {figures['stages_p50_ms'][k]}/{figures['stages_p95_ms'][k]}" for k in stages),
          file=sys.stderr if args.json else sys.stdout)
    return figures
