"""Integrity of the demo county's knowledge base and of the retrieval dev set built from it."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KB_PATH = ROOT / "assistant" / "demo" / "heifeng" / "knowledge_base.jsonl"
DEV_DIR = ROOT / "eval" / "dev" / "retrieval"

COUNTY = "鹤峰县"
TOWNSHIPS = {"容美镇", "走马镇", "太平镇", "燕子镇", "中营镇", "下坪乡", "邬阳乡", "五里乡", "铁炉白族乡"}
REQUIRED = {
    "id": str,
    "question": str,
    "similar_questions": list,
    "answer": str,
    "category": str,
    "unit": str,
    "region": str,
    "valid_from": str,
    "source": str,
    "fictional_contact": bool,
}
LOCAL_PHONE = re.compile(r"0718-\d+")
FICTIONAL_PHONE = re.compile(r"0718-55\d{5}")


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:  # pragma: no cover - message only
                pytest.fail(f"{path.name} line {number}: {exc}")
    return rows


def _norm(text: str) -> str:
    """Drop spaces and punctuation so that '么样办？' and '么样办' count as the same sentence."""
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "S")))


def _in_force(article: dict, day: date) -> bool:
    start = date.fromisoformat(article["valid_from"])
    end = date.fromisoformat(article["valid_to"]) if article["valid_to"] else None
    return start <= day and (end is None or day <= end)


@pytest.fixture(scope="module")
def kb() -> list[dict]:
    return _read_jsonl(KB_PATH)


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return _read_jsonl(DEV_DIR / "corpus.jsonl")


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    return _read_jsonl(DEV_DIR / "queries.jsonl")


def test_kb_size_and_unique_ids(kb):
    assert len(kb) >= 150
    ids = [a["id"] for a in kb]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"kb-\d{4}", i) for i in ids)


def test_kb_required_fields(kb):
    for a in kb:
        for field, kind in REQUIRED.items():
            assert isinstance(a.get(field), kind), (a.get("id"), field)
            if kind is str:
                assert a[field].strip(), (a["id"], field)
        assert "valid_to" in a and (a["valid_to"] is None or isinstance(a["valid_to"], str)), a["id"]
        assert re.fullmatch(r"[^/\s]+/[^/\s]+", a["category"]), (a["id"], a["category"])
        assert 60 <= len(a["answer"]) <= 300, (a["id"], len(a["answer"]))


def test_kb_similar_questions(kb):
    for a in kb:
        sims = a["similar_questions"]
        assert len(sims) >= 2, a["id"]
        assert all(isinstance(s, str) and s.strip() for s in sims), a["id"]
        normed = [_norm(s) for s in sims]
        assert len(set(normed)) == len(normed), a["id"]
        assert _norm(a["question"]) not in normed, a["id"]


def test_kb_dates_parse(kb):
    for a in kb:
        start = date.fromisoformat(a["valid_from"])
        if a["valid_to"] is not None:
            assert date.fromisoformat(a["valid_to"]) >= start, a["id"]


def test_kb_regions(kb):
    regions = {a["region"] for a in kb}
    assert regions <= TOWNSHIPS | {COUNTY}
    assert sum(a["region"] in TOWNSHIPS for a in kb) >= 10


def test_kb_invented_contacts_are_marked(kb):
    for a in kb:
        phones = LOCAL_PHONE.findall(a["answer"])
        for phone in phones:
            assert FICTIONAL_PHONE.fullmatch(phone), (a["id"], phone)
        if phones:
            assert a["fictional_contact"] is True, a["id"]


def test_expired_articles_are_not_in_force_and_have_successors(kb):
    today = date.today()
    expired = [a for a in kb if a["valid_to"] and date.fromisoformat(a["valid_to"]) < today]
    assert expired, "the demo keeps a few expired articles to show they are not served"
    current = [a for a in kb if _in_force(a, today)]
    for old in expired:
        assert not _in_force(old, today)
        successors = [a for a in current if a["question"] == old["question"]]
        assert successors, f"{old['id']} has no article in force with the same question"


def test_corpus_matches_current_kb(kb, corpus):
    ids = [row["id"] for row in corpus]
    assert len(ids) == len(set(ids))
    by_id = {a["id"]: a for a in kb}
    for row in corpus:
        assert set(row) == {"id", "title", "text"}
        article = by_id[row["id"]]
        assert row["title"] == article["question"]
        assert row["text"] == article["answer"]
    assert set(ids) == {a["id"] for a in kb if a["valid_to"] is None}


def test_queries_are_valid(queries, corpus):
    assert len(queries) >= 200
    corpus_ids = {row["id"] for row in corpus}
    texts = [q["query"] for q in queries]
    assert len(set(map(_norm, texts))) == len(texts)
    for q in queries:
        assert set(q) == {"query", "relevant", "exclude"}
        assert isinstance(q["query"], str) and q["query"].strip()
        assert q["relevant"] and set(q["relevant"]) <= corpus_ids, q["query"]
        assert set(q["exclude"]) <= corpus_ids, q["query"]
    covered = {i for q in queries for i in q["relevant"]}
    assert len(covered) >= 0.9 * len(corpus_ids)


def test_queries_are_new_wordings(queries, kb):
    known = {_norm(s) for a in kb for s in a["similar_questions"]}
    known |= {_norm(a["question"]) for a in kb}
    for q in queries:
        assert _norm(q["query"]) not in known, q["query"]
