"""Fusion of per-method article scores: reciprocal-rank fusion and weighted score fusion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FUSIONS = ("rrf", "weighted")


def rrf(score_maps: Sequence[Mapping[str, float]], weights: Sequence[float], k: float = 60.0) -> dict[str, float]:
    """Σ w / (k + rank) over the methods that found the article (rank from 1)."""
    out: dict[str, float] = {}
    for scores, w in zip(score_maps, weights, strict=True):
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        for rank, (doc, _) in enumerate(ranked, start=1):
            out[doc] = out.get(doc, 0.0) + w / (k + rank)
    return out


def normalise(scores: Mapping[str, float], how: str = "minmax", floor: float = 0.0) -> dict[str, float]:
    """Scale one method's candidate scores into 0..1: ``minmax`` over the candidates, ``max``
    (divide by the best), or ``floor`` ((s - floor) / (1 - floor), for cosine similarities)."""
    if not scores:
        return {}
    vals = list(scores.values())
    hi, lo = max(vals), min(vals)
    if how == "max":
        return {d: (s / hi if hi > 0 else 0.0) for d, s in scores.items()}
    if how == "floor":
        return {d: max(0.0, (s - floor) / (1.0 - floor)) for d, s in scores.items()}
    span = hi - lo
    return {d: ((s - lo) / span if span > 1e-9 else 1.0) for d, s in scores.items()}


def weighted(score_maps: Sequence[Mapping[str, float]], weights: Sequence[float]) -> dict[str, float]:
    """Σ w · normalised score; an article a method did not return counts 0 for it."""
    out: dict[str, float] = {}
    for scores, w in zip(score_maps, weights, strict=True):
        for doc, s in scores.items():
            out[doc] = out.get(doc, 0.0) + w * s
    return out
