"""The scale benchmark runs end to end on a few made-up service items (BM25 alone, no model)."""

import argparse
import json

from eval.tasks import bench_kb_scale


def test_bench_kb_scale_builds_varies_and_times(tmp_path):
    items = tmp_path / "items.jsonl"
    rows = [{"TASK_NAME": name, "DEPT_NAME": dept, "TASK_TYPE_TEXT": "公共服务", "handle_time_limit": "3(工作日)",
             "handle_location": "办理地点：县政务服务中心", "consult_phone": "0000-0000000（演示）",
             "material_intro": ["身份证"]}
            for name, dept in [("居民身份证换领", "县公安局"), ("城乡居民医保参保登记", "县医保局"),
                               ("不动产登记资料查询", "县自然资源局")]]
    items.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    docs = bench_kb_scale.make_articles(rows, 12)
    assert len({d.id for d in docs}) == len({d.title for d in docs}) == 12
    assert docs[3].title.startswith(bench_kb_scale.PLACES[1])  # second round: another township
    args = argparse.Namespace(items=items, articles=12, queries=6, warm_up=2, method="bm25", index_dir=None,
                              batch_size=None, answer_chars=None, json=True)
    figures = bench_kb_scale.run(args)
    assert figures["articles"] == 12 and figures["entries"] == 48 and figures["queries"] == 6
    assert figures["p95_ms"] >= figures["p50_ms"] > 0 and figures["build_cpu_s"] >= 0
    assert {"normalize", "tokenize", "bm25", "fuse_calibrate"} <= set(figures["stages_p50_ms"])
