"""智能分类 and 智能派单 in the service: appeal type, urgency, category (the county's trained model,
or cold start from the knowledge base's own categories on day one) and dispatch by the catalogue.

Category models are versioned in ``DATA_DIR/models/category/``: ``hotline train classifier``
writes a new version with its evaluation figures; ``use`` switches (and so rolls back)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.errors import NotFound, ValidationFailed
from classifiers import (
    CategoryClassifier,
    ColdStartClassifier,
    load_model,
    load_shipped,
    read_card,
    save_model,
)
from classifiers.dispatch import DispatchRouter


def _pred(p: Any) -> dict[str, Any]:
    d = p.to_dict() if hasattr(p, "to_dict") else asdict(p)
    d["confidence"] = round(float(d.get("confidence", 0.0)), 4)
    return d


class ModelStore:
    """Versioned category models: ``v0001.joblib`` + card, and ``current`` naming the one in use."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def versions(self) -> list[dict[str, Any]]:
        out = []
        current = self.current()
        for path in sorted(self.directory.glob("v*.joblib")):
            card = read_card(path)
            out.append({"version": path.stem, "current": path.stem == current,
                        "card": card.to_dict() if hasattr(card, "to_dict") else asdict(card)})
        return out

    def current(self) -> str | None:
        marker = self.directory / "current"
        return marker.read_text().strip() if marker.exists() else None

    def use(self, version: str) -> None:
        if not (self.directory / f"{version}.joblib").exists():
            raise NotFound(f"分类模型版本 {version} 不存在")
        tmp = self.directory / "current.tmp"
        tmp.write_text(version)
        tmp.replace(self.directory / "current")

    def add(self, model: CategoryClassifier, metrics: dict[str, Any]) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        version = f"v{len(list(self.directory.glob('v*.joblib'))) + 1:04d}"
        save_model(model, self.directory / f"{version}.joblib", version=version, metrics=metrics)
        self.use(version)
        return version


def read_training_rows(data: bytes, fmt: str) -> tuple[list[str], list[str]]:
    """``label,text`` rows from CSV or XLSX (history tickets exported by the county)."""
    rows: list[dict[str, Any]]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        it = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(it, ())]
        rows = [dict(zip(header, r, strict=False)) for r in it]
    else:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    texts, labels = [], []
    for n, row in enumerate(rows, 2):
        label = str(row.get("label") or row.get("分类") or "").strip()
        text = str(row.get("text") or row.get("内容") or "").strip()
        if not label or not text:
            raise ValidationFailed(f"训练数据第 {n} 行缺少分类或内容（需要 label,text 两列）")
        labels.append(label)
        texts.append(text)
    return texts, labels


class RoutingService:
    def __init__(self, county: Any, data_dir: Path, *,
                 kb_categories: Callable[[], dict[str, list[str]]] | None = None,
                 use_embeddings: bool = True, catalogue: Any = None,
                 history: Callable[[], list[tuple[str, str]]] | None = None) -> None:
        self.county = county
        self.catalogue = catalogue  # CatalogueService: the managed catalogue (the county's CSV without it)
        self.history = history  # (text, label) from stored corrections and tickets' final categories
        self.models = ModelStore(Path(data_dir) / "models" / "category")
        self.cache_dir = Path(data_dir) / "models" / "dispatch"
        self.kb_categories = kb_categories or dict
        self.use_embeddings = use_embeddings
        self._lock = threading.Lock()
        self._router: DispatchRouter | None = None
        self._router_lock = threading.Lock()
        self._router_revision = -1
        self._feedback: list[tuple[str, str, str]] = []
        self._category: Any = None
        self._category_version: str | None = "unset"
        self._types = None
        self._urgency = None
        self.error: str | None = None

    def warm_up(self) -> None:
        self._shipped()
        self.router()
        self.category_model()

    def learn_from_returns(self, db: Any) -> int:
        """Feed the router every re-dispatch after a return (退单) found in the audit trail."""
        records = feedback_from_history(db)
        router = self.router()
        with self._router_lock:
            self._feedback = records
            if records:
                router.fit_feedback(records)
        return len(records)

    def _shipped(self) -> tuple[Any, Any]:
        with self._lock:
            if self._types is None:
                self._types, self._urgency = load_shipped("appeal_type"), load_shipped("urgency")
        return self._types, self._urgency

    def router(self) -> DispatchRouter:
        """The dispatcher on the catalogue in force: rebuilt when the catalogue's revision moves."""
        revision = self.catalogue.revision() if self.catalogue is not None else 0
        with self._router_lock:
            if self._router is None or revision != self._router_revision:
                rows = self.catalogue.current_rows() if revision else None
                source = rows if rows else self.county.directory / "catalogue.csv"
                router = DispatchRouter(source, self.county.units, self.county.raw,
                                        use_embeddings=self.use_embeddings, cache_dir=self.cache_dir)
                router.warm_up()
                if self._feedback:
                    router.fit_feedback(self._feedback)
                self._router, self._router_revision = router, revision
            return self._router

    @property
    def catalogue_revision(self) -> int:
        """The catalogue version the dispatcher runs on (-1 before it is built)."""
        return self._router_revision

    def category_model(self) -> Any:
        version = self.models.current()
        with self._lock:
            if version != self._category_version:
                if version:
                    self._category = load_model(self.models.directory / f"{version}.joblib")
                else:  # day one: the knowledge base's own categories and questions
                    groups = self.kb_categories()
                    labels = sorted(groups) or ["其他"]
                    desc = {k: "；".join(v[:30]) for k, v in groups.items()}
                    self._category = ColdStartClassifier(labels=labels, descriptions=desc,
                                                         use_embeddings=self.use_embeddings).fit()
                self._category_version = version
            return self._category

    def classify(self, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text:
            raise ValidationFailed("请提供诉求内容")
        t0 = time.perf_counter()
        types, urgency = self._shipped()
        model = self.category_model()
        category = model.classify([text], top_k=3)[0] if hasattr(model, "classify") else None
        return {"appeal_type": _pred(types.classify([text], top_k=3)[0]),
                "urgency": _pred(urgency.classify([text], top_k=3)[0]),
                "category": _pred(category) if category is not None else None,
                "category_model": self._category_version or "cold_start",
                "elapsed_ms": round((time.perf_counter() - t0) * 1000, 2)}

    def dispatch(self, text: str, address: str | None = None, category: str | None = None) -> dict[str, Any]:
        if not text.strip():
            raise ValidationFailed("请提供诉求内容")
        suggestion = self.router().run(text, address=address, category=category)
        out = json.loads(json.dumps(asdict(suggestion), ensure_ascii=False, default=str))
        out["explanation"] = suggestion.explain()
        return out

    def train(self, data: bytes | None, fmt: str = "csv", *, test_frac: float = 0.2, seed: int = 13,
              use_history: bool = True) -> dict[str, Any]:
        """Train a new category version on the county's history: the imported file (if any) plus the
        agents' stored corrections and the tickets' final categories; evaluate on a held-out split first."""
        from sklearn.metrics import accuracy_score, f1_score
        from sklearn.model_selection import train_test_split

        texts, labels = read_training_rows(data, fmt) if data else ([], [])
        imported = len(texts)
        history = self.history() if use_history and self.history is not None else []
        for text, label in history:
            texts.append(text)
            labels.append(label)
        if not texts:
            raise ValidationFailed("没有训练数据：请上传 label,text 文件，或先积累带分类的工单与坐席更正")
        counts: dict[str, int] = defaultdict(int)
        for label in labels:
            counts[label] += 1
        if len(counts) < 2 or min(counts.values()) < 3:
            raise ValidationFailed("训练数据至少需要 2 个分类、每个分类至少 3 条")
        x_tr, x_te, y_tr, y_te = train_test_split(texts, labels, test_size=test_frac, random_state=seed,
                                                  stratify=labels)
        t0 = time.perf_counter()
        held = CategoryClassifier(method="tfidf").fit(x_tr, y_tr)
        train_s = time.perf_counter() - t0
        pred = list(held.predict(x_te))
        metrics = {"accuracy": round(accuracy_score(y_te, pred), 4),
                   "macro_f1": round(f1_score(y_te, pred, average="macro"), 4),
                   "train_rows": len(x_tr), "test_rows": len(x_te), "train_s": round(train_s, 2),
                   "imported_rows": imported, "history_rows": len(history),
                   "split": f"stratified {1 - test_frac:.0%}/{test_frac:.0%}, seed {seed}"}
        final = CategoryClassifier(method="tfidf").fit(texts, labels)  # ship the model fitted on all rows
        version = self.models.add(final, metrics)
        return {"version": version, "metrics": metrics}


def feedback_from_history(db: Any) -> list[tuple[str, str, str]]:
    """``(appeal text, wrong unit code, right unit code)`` for every ticket that a unit returned and
    the center then dispatched elsewhere, read from the append-only audit trail."""
    from sqlalchemy import select

    from assistant.db.models import Ticket, TicketEvent, Unit

    with db.read() as s:
        codes = dict(s.execute(select(Unit.id, Unit.code)).all())
        rows = s.execute(
            select(Ticket.title, Ticket.content, TicketEvent.changes)
            .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(Ticket.return_count > 0, TicketEvent.action == "dispatch")
        ).all()
    out = []
    for title, content, changes in rows:
        before, after = (changes or {}).get("lead_unit_id", [None, None])
        if before and after and before != after and before in codes and after in codes:
            out.append((f"{title}。{content}", codes[before], codes[after]))
    return out
