"""工单质量 · 分类一致: the ticket's recorded category against the category the classifier gives for
what the caller said. The classifier is passed in as a plain function (texts → ranked ``(label,
probability)`` lists, best first), so the scorer works with the county's trained model, the cold-start
model, or none (then the item does not apply).

Conservative by design: a call is flagged only when the classifier's first choice is another
category with at least ``min_confidence`` and the recorded one is not among its first
``top_candidates`` choices or trails it by ``margin`` or more. The defaults suit the cold-start
model, whose probabilities over some 30 categories are ranking scores (a clear first choice is
0.2–0.6); a county with a calibrated trained model may raise them. The query is the head of the caller's
words (``max_chars``, 128 by default): one short embedding a call, where the caller states the matter. A category that matches at any level of its path
(``城乡建设/市政设施`` against ``城乡建设``) counts as the same. Evidence: the fullest of the caller's
turns the query held."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from classifiers.qa.context import CallContext, Finding, not_applicable
from classifiers.qa.rubric import RubricItem
from classifiers.qa.text import content_chars, evidence

Ranked = list[tuple[str, float]]
CategoryFn = Callable[[Sequence[str]], list[Ranked]]


def recorded_labels(value: object) -> list[str]:
    """The levels of a recorded category: a list path, or a ``/``-joined string."""
    if value is None:
        return []
    parts = value if isinstance(value, list | tuple) else str(value).replace("／", "/").split("/")
    return [str(p).strip() for p in parts if str(p).strip()]


def _prob(ranked: Ranked, labels: list[str]) -> tuple[float, int | None]:
    """Best probability of any level of the recorded category and its rank (None: not a candidate)."""
    best, where = 0.0, None
    for i, (label, p) in enumerate(ranked):
        if label in labels and p >= best:
            best, where = p, (i if where is None else min(where, i))
    return best, where


def _head_turns(ctx: CallContext, turns: list[int], max_chars: int, max_turns: int) -> tuple[list[int], str]:
    """The caller's first turns up to ``max_chars`` characters (at most ``max_turns``), and their text."""
    held, size = [], 0
    for i in turns[:max_turns]:
        if held and size >= max_chars:
            break
        held.append(i)
        size += len(ctx.turns[i].text) + 1
    return held, "。".join(ctx.turns[i].text for i in held)[:max_chars]


def check_category(ctx: CallContext, item: RubricItem) -> Finding:
    labels = recorded_labels(ctx.ticket().get("category"))
    if not labels:
        return not_applicable("工单没有分类，不比对")
    if ctx.category is None:
        return not_applicable("未配置分类模型，不比对")
    p = item.params
    turns = [i for i in ctx.of("caller") if content_chars(ctx.turns[i].text) >= int(p["min_turn_chars"])]
    if not turns:
        return not_applicable("来电人没有可分类的诉求内容")
    # the caller states the matter first: the head of their words, so one short embedding a call
    turns, query = _head_turns(ctx, turns, int(p["max_chars"]), int(p["max_turns"]))
    whole = ctx.category([query])
    ranked = whole[0] if whole else []
    if not ranked:
        return not_applicable("分类模型没有给出结果")
    rec_p, rec_rank = _prob(ranked, labels)
    # 热线服务 / 政务服务 describe the hotline, not the matter: the model's first subject category speaks
    generic = set(p["generic_labels"]) - set(labels)
    top, top_p = next(((lb, q) for lb, q in ranked if lb not in generic), ranked[0])
    details = {"recorded": "/".join(labels), "predicted": top, "confidence": round(top_p, 3),
               "recorded_confidence": round(rec_p, 3), "candidates": [[lb, round(q, 3)] for lb, q in ranked[:5]]}
    if top in labels:
        return Finding(False, 0.9 if top_p >= p["min_confidence"] else 0.8, f"分类与通话内容一致（{top}）",
                       details=details)
    clear = top_p >= p["min_confidence"] and (
        rec_rank is None or rec_rank >= int(p["top_candidates"]) or top_p - rec_p >= p["margin"]
    )
    # the recorded category is not even among the model's candidates: a lower bar for its first choice
    clear = clear or (rec_rank is None and top_p >= p["absent_confidence"])
    if not clear:
        return Finding(False, 0.75, f"分类与模型首选不同（模型：{top} {top_p:.0%}），差距不大，不扣分",
                       details=details)
    # evidence: the fullest of the caller's turns the query held (no second embedding for it)
    best_i = max(turns, key=lambda i: content_chars(ctx.turns[i].text))
    note = f"通话内容属于“{top}”（置信度{top_p:.0%}），工单记为“{'/'.join(labels)}”"
    confidence = 0.85 if top_p >= p["sure_confidence"] else 0.7
    return Finding(True, confidence, f"工单分类与通话内容不一致：{note}", [evidence(ctx.turns, best_i, note=note)],
                   details)


def ranker(model: object, top_k: int = 5) -> CategoryFn:
    """A :data:`CategoryFn` from a category classifier with ``classify(texts, top_k=…)`` returning
    predictions (``label``, ``confidence``, ``alternatives``), e.g. the trained or cold-start model."""

    def rank(texts: Sequence[str]) -> list[Ranked]:
        out = []
        for pred in model.classify(list(texts), top_k=top_k):  # type: ignore[attr-defined]
            ranked = [(pred.label, float(pred.confidence))]
            ranked += [(a.label, float(a.confidence)) for a in pred.alternatives if a.label != pred.label]
            out.append(ranked)
        return out

    return rank
