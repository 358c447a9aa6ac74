"""``CallbackOutcomeReader``: the haystack-style component the hotline calls after a callback.

``__init__`` checks settings, ``warm_up()`` loads the shipped model once per process (cache keyed by
the model path), ``run()`` reads one callback (reply text, transcript turns, agent's notes or IVR
keys) into an :class:`Outcome`. The agent confirms it with one click; a person confirms any 重办."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.callback.cues import evidence, normalize
from classifiers.callback.dialogue import caller_reply
from classifiers.callback.errors import (
    EmptyReplyError,
    InvalidSettingError,
    ModelUnavailableError,
    ModelVersionError,
)
from classifiers.callback.ivr import check_key_map, read_keys
from classifiers.callback.labels import (
    ACTIONS,
    REASON_SIDES,
    RESOLUTIONS,
    SATISFACTIONS,
    UNKNOWN_SIDE,
    Outcome,
    ReasonSuggestion,
)
from classifiers.callback.model import CallbackOutcomeClassifier
from classifiers.callback.reasons import best_hit, reason_hits, side_scores

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.pkl"

_cache: dict[tuple[str, int], CallbackOutcomeClassifier] = {}
_cache_lock = threading.Lock()


def load_model(path: str | Path | None = None) -> CallbackOutcomeClassifier:
    """The model at ``path`` (default: the shipped one), loaded once per process and file version."""
    p = Path(path or DEFAULT_MODEL_PATH).resolve()
    try:
        key = (str(p), p.stat().st_mtime_ns)
    except OSError as exc:
        raise ModelUnavailableError(f"回访识别模型文件不存在：{p}") from exc
    with _cache_lock:
        model = _cache.get(key)
        if model is None:
            try:
                model = CallbackOutcomeClassifier.load(p)
            except ModelVersionError:
                if p != DEFAULT_MODEL_PATH:
                    raise
                model = _refit_shipped()  # the shipped replies are in the package: refit in memory
            _cache[key] = model
    return model


def _refit_shipped() -> CallbackOutcomeClassifier:
    from classifiers.callback.train import DEFAULT_TRAIN, read_rows

    params = json.loads((DEFAULT_MODEL_PATH.parent / "model.json").read_text(encoding="utf-8"))["params"]
    rows = read_rows(DEFAULT_TRAIN)
    return CallbackOutcomeClassifier(**params).fit(
        [r["text"] for r in rows], [(r["resolution"], r["satisfaction"]) for r in rows],
        [r.get("reason_side") for r in rows])


class CallbackOutcomeReader:
    """Reads callbacks: ``run(text)``, ``run(turns=[...])``, ``run(notes=...)`` or ``run(keys="13")``."""

    def __init__(self, model_path: str | Path | None = None, review_below: float = 0.6,
                 key_map: Mapping[str, Mapping[str, str]] | None = None) -> None:
        if not 0.0 <= float(review_below) <= 1.0:
            raise InvalidSettingError("人工复核阈值 review_below 必须在 0 到 1 之间")
        self.model_path = Path(model_path) if model_path else DEFAULT_MODEL_PATH
        self.review_below = float(review_below)
        self.key_map = check_key_map(key_map) if key_map is not None else None
        self._model: CallbackOutcomeClassifier | None = None

    @classmethod
    def from_classifier(cls, model: CallbackOutcomeClassifier, **settings) -> CallbackOutcomeReader:
        """A reader around an already fitted classifier (e.g. one trained in memory)."""
        reader = cls(**settings)
        reader._model = model
        return reader

    def warm_up(self) -> None:
        if self._model is None:
            self._model = load_model(self.model_path)

    @property
    def available(self) -> bool:
        """Whether the model can be loaded (the capability reports "unavailable" otherwise)."""
        try:
            self.warm_up()
        except ModelUnavailableError:
            return False
        return True

    def run(self, text: str | None = None, *, turns: Sequence[Any] | None = None, notes: str | None = None,
            keys: str | Sequence[str] | Mapping[str, str] | None = None) -> Outcome:
        given = [x is not None for x in (text, turns, notes, keys)]
        if sum(given) != 1:
            raise InvalidSettingError("请只提供一种回访记录：答复文本、通话记录、坐席备注或按键之一")
        if keys is not None:
            return self._from_keys(keys)
        if turns is not None:
            return self.run_batch([caller_reply(turns)], source="turns")[0]
        return self.run_batch([text if text is not None else notes], source="text" if notes is None else "notes")[0]

    def run_batch(self, texts: Sequence[str], source: str = "text") -> list[Outcome]:
        """Read many replies at once (one model call)."""
        cleaned = [str(t or "") for t in texts]
        if any(not normalize(t) for t in cleaned):
            raise EmptyReplyError()
        self.warm_up()
        model = self._model
        res_p, sat_p, side_p = model.predict_all(cleaned)
        out = []
        for i, t in enumerate(cleaned):
            unsat = SATISFACTIONS[int(sat_p[i].argmax())] == "不满意"
            side = (side_p[i] if side_p is not None else None) if unsat else False
            out.append(self._outcome(t, res_p[i], sat_p[i], side, source))
        return out

    def _outcome(self, text: str, res_p: np.ndarray, sat_p: np.ndarray, side_p, source: str) -> Outcome:
        res_i, sat_i = int(res_p.argmax()), int(sat_p.argmax())
        res_c, sat_c = float(res_p[res_i]), float(sat_p[sat_i])
        reason = None if side_p is False else suggest_reason(text, side_p)
        return Outcome(
            resolution=RESOLUTIONS[res_i], resolution_confidence=round(res_c, 4),
            satisfaction=SATISFACTIONS[sat_i], satisfaction_confidence=round(sat_c, 4),
            resolution_proba={k: round(float(v), 4) for k, v in zip(RESOLUTIONS, res_p, strict=True)},
            satisfaction_proba={k: round(float(v), 4) for k, v in zip(SATISFACTIONS, sat_p, strict=True)},
            reason=reason, source=source, evidence=evidence(text),
            needs_review=min(res_c, sat_c) < self.review_below or (
                reason is not None and reason.confidence < self.review_below),
        )

    def _from_keys(self, keys) -> Outcome:
        res, sat = read_keys(keys, self.key_map)
        reason = None
        if sat == "不满意":
            reason = ReasonSuggestion(UNKNOWN_SIDE, 1.0, ACTIONS[UNKNOWN_SIDE])
        return Outcome(res, 1.0, sat, 1.0, {k: float(k == res) for k in RESOLUTIONS},
                       {k: float(k == sat) for k in SATISFACTIONS}, reason=reason, source="ivr")


def suggest_reason(text: str, side_proba: np.ndarray | None = None) -> ReasonSuggestion:
    """Side of an unsatisfied reply's reason, with its code and key phrase as evidence.

    ``side_proba`` (over ``REASON_SIDES``) comes from the model; without it the cue weights decide."""
    hits = reason_hits(text)
    if side_proba is None:
        scores = side_scores(hits)
        total = sum(scores.values())
        if total == 0:
            return ReasonSuggestion(UNKNOWN_SIDE, 0.5, ACTIONS[UNKNOWN_SIDE])
        side = max(scores, key=scores.get)
        confidence = scores[side] / (total + 1.0)
    else:
        side = REASON_SIDES[int(np.argmax(side_proba))]
        confidence = float(np.max(side_proba))
    hit = best_hit(hits, side) if side != UNKNOWN_SIDE else None
    return ReasonSuggestion(side, round(confidence, 4), ACTIONS[side], hit.code if hit else None,
                            hit.clause if hit else None)
