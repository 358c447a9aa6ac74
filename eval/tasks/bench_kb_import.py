"""Knowledge-base import at scale: the 2,262 Guangdong service items (../shared/data/service_items)
turned into articles and imported in one go (all rows validated, one transaction), then indexed.
The data stays outside the repository; this only measures."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from eval.common import SHARED_DATA, peak_rss_mb


def add_arguments(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument("--items", default=str(SHARED_DATA / "service_items" / "guangdong_service_items.jsonl"))
    p.add_argument("--no-index", action="store_true", help="measure the import only")
    p.add_argument("--bm25-only", action="store_true", help="index without the embedding model")


def to_article(row: dict) -> dict:
    materials = "、".join(row.get("material_intro") or []) or "以窗口告知为准"
    answer = (f"{row['TASK_NAME']}由{row['DEPT_NAME']}办理（{row.get('TASK_TYPE_TEXT', '')}）。"
              f"承诺时限：{row.get('handle_time_limit', '')}。{row.get('handle_location', '')}。"
              f"所需材料：{materials}。咨询电话：{row.get('consult_phone', '')}。")
    return {"question": f"{row['TASK_NAME']}怎么办理？"[:200],
            "similar_questions": [f"办理{row['TASK_NAME']}需要什么材料"[:200], f"{row['TASK_NAME']}去哪里办"[:200]],
            "answer": answer[:5000], "unit": row["DEPT_NAME"][:128], "category": "政务服务/办事指南",
            "source": "广东政务服务事项目录（评测用）"}


def run(args) -> dict:  # type: ignore[no-untyped-def]
    from assistant.access import Actor
    from assistant.config import Settings
    from assistant.kb.transfer import import_articles
    from assistant.runtime import Hotline

    rows = [json.loads(line) for line in Path(args.items).read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: set[str] = set()
    articles = []
    for row in rows:
        art = to_article(row)
        key = art["question"]
        if key in seen:  # the same item listed by two departments: keep the first
            art["question"] = f"{row['TASK_NAME']}（{row['DEPT_NAME']}）怎么办理？"[:200]
        seen.add(art["question"])
        articles.append(art)
    data = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles).encode()
    with tempfile.TemporaryDirectory() as tmp:
        hl = Hotline(Settings(data_dir=Path(tmp), scheduler_enabled=False, warm_up_models=False,
                              kb_dense=not args.bm25_only))
        hl.init(demo=False)
        admin = Actor(None, "bench", "基准", "admin")
        t0 = time.perf_counter()
        report = import_articles(hl.kb, data, "jsonl", admin, publish=True)
        import_s = time.perf_counter() - t0
        index_s = None
        if not args.no_index:
            t0 = time.perf_counter()
            hl.kb_index.warm_up()
            index_s = time.perf_counter() - t0
        hl.stop()
    print(f"导入 {report.imported}/{len(rows)} 条：{import_s:.1f} s；建索引："
          f"{'未测' if index_s is None else f'{index_s:.1f} s'}；峰值内存 {peak_rss_mb():.0f} MB")
    return {"items": len(rows), "imported": report.imported, "import_s": round(import_s, 2),
            "index_s": None if index_s is None else round(index_s, 2), "peak_rss_mb": round(peak_rss_mb(), 1)}
