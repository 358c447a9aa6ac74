"""The appeal-type and urgency models the project ships, trained only on project-written appeals.

``load_shipped("appeal_type")`` / ``load_shipped("urgency")`` return a ready ``CueClassifier``
(loaded once per process). Rebuild the files from the project's training file with::

    python -m classifiers.shipped --train eval/dev/classify/appeals_train.jsonl \
        --dev eval/dev/classify/appeals_dev.jsonl --out classifiers/resources
"""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

from classifiers.cues import AppealTypeClassifier, CueClassifier, UrgencyClassifier
from classifiers.errors import ModelFileError
from classifiers.rules import RESOURCES

TASKS: dict[str, type[CueClassifier]] = {"appeal_type": AppealTypeClassifier, "urgency": UrgencyClassifier}
_CACHE: dict[tuple[str, str], CueClassifier] = {}
_LOCK = threading.Lock()


def shipped_path(task: str, directory: str | Path | None = None) -> Path:
    return Path(directory or RESOURCES) / f"{task}_model.json"


def load_cue_model(path: str | Path, task: str) -> CueClassifier:
    """Load a JSON cue model for ``task`` from ``path`` (cached per path)."""
    if task not in TASKS:
        raise ModelFileError(f"未知的模型类型：{task}", code="model_unknown_task")
    key = (task, str(Path(path).resolve()))
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            p = Path(path)
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise ModelFileError(f"找不到模型文件：{p}", code="model_not_found") from exc
            except ValueError as exc:
                raise ModelFileError(f"模型文件已损坏：{p}") from exc
            if data.get("task") != task:
                raise ModelFileError(f"模型文件 {p.name} 不是“{task}”模型。")
            model = TASKS[task].from_dict(data)
            _CACHE[key] = model
        return model


def load_shipped(task: str) -> CueClassifier:
    """The bundled model for ``appeal_type`` or ``urgency``."""
    return load_cue_model(shipped_path(task), task)


def build(train_file: Path, out_dir: Path, dev_file: Path | None = None) -> dict:
    """Train both shipped models on ``train_file`` (project JSONL) and write them to ``out_dir``."""
    from sklearn.metrics import accuracy_score, f1_score

    rows = [json.loads(line) for line in train_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev = [json.loads(line) for line in dev_file.read_text(encoding="utf-8").splitlines() if line.strip()] if dev_file else []
    report = {}
    for task, cls in TASKS.items():
        model = cls().fit([r["text"] for r in rows], [r[task] for r in rows])
        meta = {"trained_on": train_file.name, "train_rows": len(rows), "data": "project-written appeals only"}
        if dev:
            y = [r[task] for r in dev]
            pred = list(model.predict([r["text"] for r in dev]))
            meta.update({"dev_file": dev_file.name, "dev_rows": len(dev),
                         "dev_accuracy": round(float(accuracy_score(y, pred)), 4),
                         "dev_macro_f1": round(float(f1_score(y, pred, average="macro")), 4)})
        out = shipped_path(task, out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(model.to_dict(meta), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        report[task] = meta
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifiers.shipped", description="训练随程序发布的诉求类型/紧急程度模型")
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--dev", type=Path)
    parser.add_argument("--out", type=Path, default=RESOURCES)
    args = parser.parse_args(argv)
    print(json.dumps(build(args.train, args.out, args.dev), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
