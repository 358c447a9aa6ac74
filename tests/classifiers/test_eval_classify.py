"""``python -m eval classify`` on the project's own dev set: the contract's keys are there."""

from __future__ import annotations

import argparse

from eval.tasks import classify


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    classify.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_default_dev_run_reports_contract_keys(capsys):
    figures = classify.run(_args("--latency-sample", "5"))
    for key in ("accuracy", "macro_f1", "train_s", "p95_ms", "test_rows", "per_class_f1", "confusion"):
        assert key in figures
    assert figures["test_rows"] == 128 and figures["model"] == "tfidf"
    assert "macro-F1" in capsys.readouterr().out


def test_shipped_appeal_type_and_split_of_one_file(tmp_path):
    figures = classify.run(_args("--task", "appeal-type", "--latency-sample", "3"))
    assert figures["model"] == "shipped" and figures["macro_f1"] > 0.85
    data = tmp_path / "d.csv"
    rows = ["label,text"] + [f"甲,停水停电第{i}天" for i in range(10)] + [f"乙,学校收费第{i}次" for i in range(10)]
    data.write_text("\n".join(rows), encoding="utf-8")
    figures = classify.run(_args("--data", str(data), "--test-frac", "0.3", "--latency-sample", "2"))
    assert figures["test_rows"] == 6 and figures["accuracy"] == 1.0


def test_several_split_seeds_report_mean_and_spread(tmp_path, capsys):
    data = tmp_path / "d.csv"
    rows = ["label,text"] + [f"甲,停水停电第{i}天" for i in range(10)] + [f"乙,学校收费第{i}次" for i in range(10)]
    data.write_text("\n".join(rows), encoding="utf-8")
    figures = classify.run(_args("--data", str(data), "--split-seeds", "1,2", "--test-frac", "0.3",
                                 "--latency-sample", "2"))
    assert figures["split_seeds"] == [1, 2] and sorted(figures["per_seed"]) == ["1", "2"]
    for key in ("accuracy", "macro_f1", "train_s", "p95_ms", "test_rows", "macro_f1_sd"):
        assert key in figures
    assert figures["macro_f1"] == 1.0 and figures["macro_f1_sd"] == 0.0
    assert "2 个划分" in capsys.readouterr().out


def test_model_parameters_from_the_command_line(tmp_path):
    assert classify.model_params(["ngram_range=1,3", "tune_offsets=true", "title_chars=40", "C=0.5"]) == {
        "ngram_range": (1, 3), "tune_offsets": True, "title_chars": 40, "C": 0.5}
    data = tmp_path / "d.csv"
    rows = ["label,text"] + [f"甲,停水停电第{i}天" for i in range(10)] + [f"乙,学校收费第{i}次" for i in range(10)]
    data.write_text("\n".join(rows), encoding="utf-8")
    figures = classify.run(_args("--data", str(data), "--test-frac", "0.3", "--latency-sample", "2",
                                 "--set", "ngram_range=1,3", "--set", "clean=true"))
    assert figures["model"] == "tfidf ngram_range=(1, 3) clean=True" and figures["accuracy"] == 1.0
