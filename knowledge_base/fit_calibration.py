"""Fit the confidence calibration on a retrieval set the project wrote (its dev set):
``python -m knowledge_base.fit_calibration --corpus C --queries Q [--out FILE]``.

Each query's top answer is labelled right or wrong; a logistic model over the retrieval features
(:data:`knowledge_base.calibration.FEATURES`) learns P(right). 5-fold cross-validation reports
how well the probabilities hold on questions the fit did not see (Brier score, and accuracy of
the answers given above each threshold)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from knowledge_base.calibration import DEFAULT_PATH, Calibrator
from knowledge_base.defaults import RETRIEVER_DEFAULTS
from knowledge_base.documents import Document
from knowledge_base.embedder import Embedder
from knowledge_base.retriever import HybridRetriever
from knowledge_base.tokenize import Tokenizer


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def collect(retriever: HybridRetriever, queries: list[dict]) -> tuple[list[dict], list[int], list[int]]:
    """Each question twice: as asked (its answer is in the base) and with its relevant articles
    excluded (the base has no answer: what a question on a missing topic looks like). Returns
    features, labels (top answer right) and the question index of each row."""
    rows, labels, groups = [], [], []
    for i, q in enumerate(queries):
        relevant = set(q["relevant"])
        for extra in ((), tuple(relevant)):
            res = retriever.search(q["query"], k=1, exclude=list(q.get("exclude", [])) + list(extra))
            rows.append(res.features)
            labels.append(int(bool(res.hits) and res.hits[0].doc_id in relevant))
            groups.append(i)
    return rows, labels, groups


def cross_validate(rows: list[dict], labels: list[int], groups: list[int], folds: int = 5, seed: int = 0) -> dict:
    """Folds by question (both rows of a question in the same fold)."""
    y = np.asarray(labels)
    g = np.asarray(groups)
    perm = np.random.default_rng(seed).permutation(g.max() + 1)
    fold_of = np.empty_like(perm)
    fold_of[perm] = np.arange(len(perm)) % folds
    probs = np.zeros(len(y))
    for f in range(folds):
        test = np.flatnonzero(fold_of[g] == f)
        train = np.flatnonzero(fold_of[g] != f)
        cal = Calibrator().fit([rows[i] for i in train], y[train].tolist())
        probs[test] = [cal.predict(rows[i]) for i in test]
    out = {"brier": float(np.mean((probs - y) ** 2)), "base_rate": float(y.mean()), "queries": len(y)}
    for t in (0.3, 0.5, 0.6, 0.8):
        chosen = probs >= t
        out[f"answered@{t}"] = float(chosen.mean())
        out[f"precision@{t}"] = float(y[chosen].mean()) if chosen.any() else None
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description="在项目自写的开发集上拟合检索置信度")
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--queries", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--index-dir", type=Path, default=None, help="reuse/keep the index here")
    args = ap.parse_args(argv)
    docs = [Document(str(d["id"]), d.get("title") or "", d.get("text") or "", list(d.get("similar") or []))
            for d in _jsonl(args.corpus)]
    retriever = HybridRetriever(Embedder(args.model), Tokenizer(), **RETRIEVER_DEFAULTS)
    if args.index_dir:
        retriever.open_or_build(args.index_dir, docs)
    else:
        retriever.build(docs)
    rows, labels, groups = collect(retriever, _jsonl(args.queries))
    report = cross_validate(rows, labels, groups)
    cal = Calibrator().fit(rows, labels)
    cal.info.update({"cross_validation": report, "corpus": args.corpus.name, "queries": args.queries.name})
    cal.save(args.out)
    print(json.dumps(cal.to_dict(), ensure_ascii=False, indent=1))
    return report


if __name__ == "__main__":
    main()
