"""Train the fatal-family sentence model on the project's own file and cross-validate it (training file only).

    python -m classifiers.qa.train_sentences [--train FILE] [--cv 5] [--out MODEL.joblib]

Prints the rows per label and, per family, precision and recall at a few thresholds by stratified 5-fold
cross-validation — how the features and thresholds were chosen. Deterministic: the same file gives the same
model. The scorer trains the same model itself at ``warm_up()``; ``--out`` only keeps a copy."""

from __future__ import annotations

from pathlib import Path

from classifiers.qa.sentences import FAMILIES, LABELS, TRAIN_FILE, FatalSentenceModel, TrainRow, read_training
from classifiers.qa.text import NO_WORDS, Words


def cross_validate(rows: list[TrainRow], words: Words = NO_WORDS, folds: int = 5) -> dict:
    """Precision / recall per family at a few thresholds, by stratified k-fold on the training file only
    (how the features and thresholds were chosen; never on an evaluation set)."""
    from sklearn.model_selection import StratifiedKFold

    labels = [r.label for r in rows]
    probs: list[dict[str, float]] = [{} for _ in rows]
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(rows, labels):
        model = FatalSentenceModel(words=words).fit([rows[i] for i in train])
        for i, p in zip(test, model.proba([rows[i].agent for i in test], [rows[i].context for i in test]), strict=True):
            probs[i] = p
    out: dict = {}
    for th in (0.5, 0.8, 0.9, 0.95):
        row = {}
        for fam in FAMILIES:
            tp = sum(p[fam] >= th and y == fam for p, y in zip(probs, labels, strict=True))
            fp = sum(p[fam] >= th and y != fam for p, y in zip(probs, labels, strict=True))
            fn = sum(p[fam] < th and y == fam for p, y in zip(probs, labels, strict=True))
            row[fam] = {"precision": round(tp / (tp + fp), 3) if tp + fp else 1.0, "recall": round(tp / (tp + fn), 3)}
        row["ok_false_alarms"] = sum(max(p.values()) >= th and y == "ok" for p, y in zip(probs, labels, strict=True))
        out[str(th)] = row
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    import joblib

    from classifiers.qa.context import compile_lexicon
    from classifiers.qa.rubric import load_rubric

    parser = argparse.ArgumentParser(prog="python -m classifiers.qa.train_sentences", description="训练并交叉验证质检致命错误句子模型")
    parser.add_argument("--train", type=Path, default=TRAIN_FILE, help="训练文件（默认：项目自写的 fatal_train.txt）")
    parser.add_argument("--cv", type=int, default=5, help="交叉验证折数（0：不做）")
    parser.add_argument("--out", type=Path, default=None, help="把训练好的模型另存为 joblib 文件（可选）")
    args = parser.parse_args(argv)
    words = compile_lexicon(load_rubric(None).word_lists).words
    rows = read_training(args.train)
    report: dict = {"train_file": str(args.train), "rows": len(rows),
                    "per_label": {lab: sum(r.label == lab for r in rows) for lab in LABELS}}
    if args.cv:
        report["cross_validation"] = cross_validate(rows, words, args.cv)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(FatalSentenceModel(words=words).fit(rows), args.out)
        report["saved"] = str(args.out)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
