"""The dispatch router (智能派单): 职权法定 (the catalogue line and the lead unit's duties decide the
unit), 属地管理 (the event's township/village decide which local government handles a local matter),
分级负责 (the line's level). Haystack-style: ``__init__`` checks settings, ``warm_up()`` loads the
embedding model once, ``run()`` returns a :class:`DispatchSuggestion`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from classifiers.dispatch.catalogue import Catalogue, CatalogueLine
from classifiers.dispatch.decide import decide
from classifiers.dispatch.directory import UnitDirectory
from classifiers.dispatch.embedding import Encoder
from classifiers.dispatch.errors import FeedbackInvalid, InvalidSetting
from classifiers.dispatch.feedback import FeedbackModel, FeedbackRecord
from classifiers.dispatch.gazetteer import Gazetteer, Place
from classifiers.dispatch.lexical import terms
from classifiers.dispatch.policy import (
    DEFAULT_DISPUTE_MATTERS,
    DEFAULT_ESCALATION_UNIT,
    DEFAULT_TRANSFERS,
    DEFAULT_WEIGHTS,
    DISPUTE_CUES,
    EMERGENCY_CUES,
    RURAL_CUES,
    RURAL_LINE,
    URBAN_LINE,
)
from classifiers.dispatch.result import DispatchSuggestion
from classifiers.dispatch.scoring import Evidence, Scorer


def _squash(x: np.ndarray, scale: float) -> np.ndarray:
    return 1.0 - np.exp(-x / scale)


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-6 else np.zeros_like(x)


class DispatchRouter:
    """Route an appeal to its handling unit. ``catalogue``: a :class:`Catalogue`, a CSV path or a list
    of row dicts; ``units``: the county's unit dicts; ``county``: the county dict (gazetteer)."""

    def __init__(
        self,
        catalogue: Catalogue | str | Path | Sequence[Mapping],
        units: Sequence[Mapping],
        county: Mapping,
        *,
        use_embeddings: bool = True,
        model_path: str | Path | None = None,
        cache_dir: str | Path | None = None,
        threads: int | None = 1,
        escalation_unit: str = DEFAULT_ESCALATION_UNIT,
        transfers: Mapping[str, Sequence[str]] | None = None,
        dispute_matters: Sequence[str] = DEFAULT_DISPUTE_MATTERS,
        weights: Mapping[str, float] | None = None,
        min_confidence: float = 0.16,
        conflict_ratio: float = 0.8,
        min_place_confidence: float = 0.5,
        alternatives: int = 4,
    ) -> None:
        if isinstance(catalogue, Catalogue):
            self.catalogue = catalogue
        elif isinstance(catalogue, str | Path):
            self.catalogue = Catalogue.from_csv(catalogue, units)
        else:
            self.catalogue = Catalogue.from_rows(catalogue, units)
        self.gazetteer = Gazetteer.from_county(county)
        self.directory = UnitDirectory(units, self.gazetteer)
        if escalation_unit not in self.directory.units:
            raise InvalidSetting(f"协调单位编码“{escalation_unit}”不在承办单位名录中")
        unknown_w = set(weights or {}) - set(DEFAULT_WEIGHTS)
        if unknown_w:
            raise InvalidSetting(f"未知的权重设置：{'、'.join(sorted(unknown_w))}")
        self.weights = {**DEFAULT_WEIGHTS, **(weights or {})}
        if min(self.weights["temperature"], self.weights["lexical_temperature"], self.weights["keyword_scale"]) <= 0:
            raise InvalidSetting("temperature、lexical_temperature 与 keyword_scale 必须为正数")
        if not 0 <= min_confidence < 1 or not 0 < conflict_ratio <= 1 or not 0 <= min_place_confidence <= 1:
            raise InvalidSetting("min_confidence、conflict_ratio、min_place_confidence 须在 0 到 1 之间")
        self.transfer_of: dict[str, str] = {}
        for target, matters in (transfers if transfers is not None else DEFAULT_TRANSFERS).items():
            for matter in matters:
                if self.catalogue.get(matter) is not None:
                    self.transfer_of[matter] = target
                elif transfers is not None:
                    raise InvalidSetting(f"转办设置中的事项“{matter}”不在派单目录中")
        self.dispute_matters = {m for m in dispute_matters if self.catalogue.get(m) is not None}
        self.escalation_unit = escalation_unit
        self.min_confidence = min_confidence
        self.conflict_ratio = conflict_ratio
        self.min_place_confidence = min_place_confidence
        self.n_alternatives = alternatives
        self.encoder = Encoder(model_path, cache_dir, threads) if use_embeddings else None
        self.lines: list[CatalogueLine] = list(self.catalogue)
        self._scope = np.array([(1 if URBAN_LINE.search(x.matter) else 0) - (1 if RURAL_LINE.search(x.matter) else 0)
                                for x in self.lines], dtype=np.float32)
        self._is_110 = np.array([self.transfer_of.get(x.matter) == "110" for x in self.lines])
        self._is_dispute = np.array([x.matter in self.dispute_matters for x in self.lines])
        self._families = [x.unit_code for x in self.lines]
        self.feedback_ = FeedbackModel()
        self._scorer: Scorer | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def warm_up(self) -> None:
        if self._scorer is None:
            self.gazetteer.warm_up()
            scorer = Scorer(self.catalogue, self.directory, self.encoder)
            scorer.warm_up()
            self._scorer = scorer

    # -- place -------------------------------------------------------------------------------------
    def locate(self, text: str, address: str | None = None) -> tuple[Place, str | None]:
        """The event's place: the address field first, the appeal text otherwise (a village named in
        the text completes a township given in the address)."""
        by_address = self.gazetteer.resolve(address) if address else Place()
        by_text = self.gazetteer.resolve(text)
        ok_a = by_address.found and by_address.confidence >= self.min_place_confidence
        ok_t = by_text.found and by_text.confidence >= self.min_place_confidence
        if ok_a:
            if by_address.village is None and ok_t and by_text.township == by_address.township and by_text.village:
                return Place(by_address.township, by_text.village, by_text.place or by_address.place,
                             by_text.span, max(by_address.confidence, by_text.confidence), by_text.matched,
                             by_address.others), "诉求内容"
            return by_address, "地址"
        if ok_t:
            return by_text, "诉求内容"
        return Place(), None

    def _setting(self, place: Place, text: str) -> tuple[str | None, bool]:
        """("urban"|"rural"|None, whether the gazetteer's place decided it rather than cue words)."""
        setting = self.gazetteer.setting(place, text)
        by_place = setting is not None and self.gazetteer.setting(place, "") == setting
        if setting is None and RURAL_CUES.search(text):
            setting = "rural"
        return setting, by_place

    # -- scoring -----------------------------------------------------------------------------------
    def _fuse(self, ev: Evidence, setting: tuple[str | None, bool], cues: tuple[bool, bool],
              bonus: Mapping[str, float]) -> np.ndarray:
        w = self.weights
        s = (w["keyword"] * _squash(ev.keyword, w["keyword_scale"]) + w["bm25"] * ev.bm25
             + w["unit_keyword"] * _squash(ev.unit_keyword, w["keyword_scale"]))
        if ev.vector is not None:
            s = s + w["dense"] * _z(ev.dense) + w["unit_dense"] * _z(ev.unit_dense)
        where, by_place = setting
        penalty = w["scope_place"] if by_place else w["scope"]
        if where == "rural":
            s = s - penalty * (self._scope > 0)
        elif where == "urban":
            s = s - penalty * (self._scope < 0)
        emergency, dispute = cues
        if emergency:
            s = s + w["emergency"] * self._is_110
        if dispute:
            s = s + w["dispute"] * self._is_dispute
        if bonus:
            s = s + np.array([bonus.get(f, 0.0) for f in self._families], dtype=np.float32)
        return s

    def _score(self, text: str, address: str | None, category: str | None):
        self.warm_up()
        place, source = self.locate(text, address)
        ev = self._scorer.evidence(text, category or "")
        bonus = dict(self.feedback_.bonus(terms(text)))
        recalled, similar = self.feedback_.recall(ev.vector)
        for fam, v in recalled.items():
            bonus[fam] = bonus.get(fam, 0.0) + v
        setting = self._setting(place, f"{address or ''} {text}")
        cues = _cues(text)
        fused = self._fuse(ev, setting, cues, bonus)
        return place, source, ev, fused, similar, cues[0]

    # -- public ------------------------------------------------------------------------------------
    def run(self, text: str, address: str | None = None, category: str | None = None) -> DispatchSuggestion:
        started = time.perf_counter()
        text = (text or "").strip()
        place, source, ev, fused, similar, emergency = self._score(text, address, category)
        suggestion = decide(self, fused, ev, place, source, similar, emergency)
        return _with_time(suggestion, started)

    def fit_feedback(self, records: Iterable[FeedbackRecord | Mapping | Sequence], epochs: int = 10) -> DispatchRouter:
        """Learn from returned tickets: ``(text, wrong_unit, right_unit)`` records (tuples, dicts or
        :class:`FeedbackRecord`; units by code or name). Returns ``self``."""
        self.warm_up()
        prepared = []
        for r in records:
            rec = _as_record(r)
            right, wrong = self.directory.code_of(rec.right_unit), self.directory.code_of(rec.wrong_unit)
            if not rec.text.strip() or right is None or wrong is None:
                raise FeedbackInvalid(f"退单记录无效（须有诉求内容和名录中的单位）：{rec.text[:20]}…")
            fam_r, fam_w = self.directory.family(right), self.directory.family(wrong)
            place, _source = self.locate(rec.text, rec.address)
            ev = self._scorer.evidence(rec.text)
            setting = self._setting(place, f"{rec.address} {rec.text}")
            self.feedback_.remember(ev.vector, rec.text, fam_r, fam_w)
            prepared.append((terms(rec.text), ev, setting, _cues(rec.text), fam_r))
        for _ in range(epochs):
            changed = False
            for words, ev, setting, cues, fam_r in prepared:
                bonus = self.feedback_.bonus(words)
                fused = self._fuse(ev, setting, cues, bonus)
                picked = self._families[int(np.argmax(fused))]
                if picked != fam_r:
                    self.feedback_.update(words, fam_r, picked)
                    changed = True
            if not changed:
                break
        return self


    def feedback_state(self) -> dict:
        """What :meth:`fit_feedback` learned, as plain data (JSON-serialisable)."""
        return self.feedback_.to_dict()

    def load_feedback(self, state: Mapping) -> DispatchRouter:
        """Restore :meth:`feedback_state` output (returned appeals are embedded again)."""
        self.warm_up()
        model = FeedbackModel()
        for family, weights in (state.get("weights") or {}).items():
            model.weights_[str(family)] = {str(t): float(v) for t, v in weights.items()}
        for text, right, wrong in state.get("memory") or []:
            model.remember(self._scorer.embed(text), text, right, wrong)
        self.feedback_ = model
        return self


def _cues(text: str) -> tuple[bool, bool]:
    """(an emergency in progress, units said to decline the matter)."""
    return bool(EMERGENCY_CUES.search(text)), bool(DISPUTE_CUES.search(text))


def _as_record(r) -> FeedbackRecord:
    if isinstance(r, FeedbackRecord):
        return r
    if isinstance(r, Mapping):
        return FeedbackRecord(str(r.get("text") or ""), str(r.get("wrong_unit") or ""),
                              str(r.get("right_unit") or ""), str(r.get("address") or ""))
    items = list(r)
    if len(items) not in (3, 4):
        raise FeedbackInvalid("退单记录应为（诉求内容, 错派单位, 正确单位[, 地址]）")
    return FeedbackRecord(*(str(x or "") for x in items))


def _with_time(s: DispatchSuggestion, started: float) -> DispatchSuggestion:
    from dataclasses import replace

    return replace(s, elapsed_ms=round((time.perf_counter() - started) * 1000, 2))
