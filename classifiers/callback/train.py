"""Training the callback model on a county's own labelled replies, and the project's shipped model.

``python -m classifiers.callback.train [--data F.jsonl ...] [--out DIR]`` retrains from JSON lines
``{"text", "resolution", "satisfaction", ["reason_side"]}`` (reason_side: unit | external | unknown,
for 不满意 rows) and writes ``model.pkl`` plus ``model.json`` (its figures: cross-validated
macro-F1, accuracy and calibration error of each head) into ``DIR``."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from classifiers.calibration import expected_calibration_error
from classifiers.callback.errors import TrainingDataError
from classifiers.callback.labels import REASON_SIDES, RESOLUTIONS, SATISFACTIONS
from classifiers.callback.model import CallbackOutcomeClassifier

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
DEFAULT_TRAIN = PACKAGE_DATA / "train.jsonl"
MODEL_FILE = "model.pkl"
FIGURES_FILE = "model.json"


def read_rows(paths: str | Path | Sequence[str | Path]) -> list[dict]:
    """Labelled replies from JSON-lines files, checked."""
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    rows: list[dict] = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise TrainingDataError(f"无法读取训练数据：{path}") from exc
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"{path} 第 {n} 行不是合法的 JSON") from exc
            if not isinstance(row, dict) or not str(row.get("text") or "").strip():
                raise TrainingDataError(f"{path} 第 {n} 行缺少 text")
            if row.get("resolution") not in RESOLUTIONS or row.get("satisfaction") not in SATISFACTIONS:
                raise TrainingDataError(f"{path} 第 {n} 行的 resolution/satisfaction 标签无效")
            side = row.get("reason_side")
            if side is not None and side not in REASON_SIDES:
                raise TrainingDataError(f"{path} 第 {n} 行的 reason_side 无效：{side}")
            rows.append(row)
    if not rows:
        raise TrainingDataError("训练数据为空")
    return rows




def cross_validate(rows: list[dict], folds: int = 5, seed: int = 0, **params) -> dict:
    """Stratified k-fold figures of a configuration on labelled rows (out-of-fold predictions)."""
    texts = np.array([r["text"] for r in rows], dtype=object)
    pairs = np.array([(r["resolution"], r["satisfaction"]) for r in rows], dtype=object)
    sides = [r.get("reason_side") for r in rows]
    strata = [a + b for a, b in pairs]
    folds = max(2, min(folds, min(Counter(strata).values())))
    res_p, sat_p = np.zeros((len(rows), 3)), np.zeros((len(rows), 3))
    side_p = np.zeros((len(rows), 3))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, strata):
        model = CallbackOutcomeClassifier(**params).fit(texts[tr], pairs[tr], [sides[i] for i in tr])
        res_p[te], sat_p[te] = model.predict_proba(texts[te])
        sp = model.predict_reason_proba(texts[te])
        if sp is not None:
            side_p[te] = sp
    out: dict = {"folds": folds, "rows": len(rows)}
    for name, proba, labels, col in (("resolution", res_p, RESOLUTIONS, 0), ("satisfaction", sat_p, SATISFACTIONS, 1)):
        truth = np.array([labels.index(v) for v in pairs[:, col]])
        out[f"{name}_macro_f1"] = round(float(f1_score(truth, proba.argmax(1), average="macro")), 4)
        out[f"{name}_accuracy"] = round(float(accuracy_score(truth, proba.argmax(1))), 4)
        out[f"{name}_ece"] = round(expected_calibration_error(proba.max(axis=1), proba.argmax(axis=1) == truth), 4)
    known = [i for i, s in enumerate(sides) if s is not None]
    if known and side_p[known].sum() > 0:
        truth = np.array([REASON_SIDES.index(sides[i]) for i in known])
        out["reason_side_accuracy"] = round(float(accuracy_score(truth, side_p[known].argmax(1))), 4)
    return out


def train(data: str | Path | Sequence[str | Path], out_dir: str | Path, *, features: str = "tfidf+cues",
          C: float = 4.0, calibration: str = "none", cv_folds: int = 5) -> dict:
    """Fit on ``data`` and write ``model.pkl`` and ``model.json`` into ``out_dir``; returns the figures."""
    rows = read_rows(data)
    params = {"features": features, "C": C, "calibration": calibration}
    figures = {"params": params, "cv": cross_validate(rows, cv_folds, **params) if cv_folds else None}
    model = CallbackOutcomeClassifier(**params).fit(
        [r["text"] for r in rows], [(r["resolution"], r["satisfaction"]) for r in rows],
        [r.get("reason_side") for r in rows])
    out = Path(out_dir)
    path = model.save(out / MODEL_FILE)
    digest = hashlib.sha256("\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows).encode())
    figures.update({
        "model_file": MODEL_FILE, "model_bytes": path.stat().st_size, "train_rows": len(rows),
        "train_sha256": digest.hexdigest(), "sklearn": sklearn.__version__,
        "counts": {"resolution": dict(Counter(r["resolution"] for r in rows)),
                   "satisfaction": dict(Counter(r["satisfaction"] for r in rows)),
                   "reason_side": dict(Counter(r["reason_side"] for r in rows if r.get("reason_side")))},
    })
    (out / FIGURES_FILE).write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifiers.callback.train", description="训练回访结果识别模型")
    parser.add_argument("--data", type=Path, nargs="+", default=[DEFAULT_TRAIN], help="训练数据 jsonl（可多个）")
    parser.add_argument("--out", type=Path, default=PACKAGE_DATA, help="模型输出目录（默认：随包发布的模型）")
    parser.add_argument("--features", default="tfidf+cues")
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument("--calibration", default="none", choices=("none", "sigmoid", "isotonic"))
    parser.add_argument("--cv", type=int, default=5, help="交叉验证折数（0 = 不做）")
    args = parser.parse_args(argv)
    figures = train(args.data, args.out, features=args.features, C=args.C, calibration=args.calibration,
                    cv_folds=args.cv)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
