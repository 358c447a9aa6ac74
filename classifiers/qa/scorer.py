"""QaScorer: score one call against the rubric, with evidence, a total, a confidence and a route."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from classifiers.qa import business, fatal, leak, service, ticket, tone
from classifiers.qa import category as category_check
from classifiers.qa.context import CallContext, Finding, Lexicon, compile_lexicon
from classifiers.qa.errors import QaError, ScorerNotReady
from classifiers.qa.exemplar import EXEMPLARS, ExemplarModel, literal_phrases, load_exemplar_model
from classifiers.qa.model import ItemResult, QaCall, QaResult
from classifiers.qa.rubric import CHECK_DEFAULTS, TONE_EXAMPLES, Rubric, RubricItem, load_rubric
from classifiers.qa.sentences import TRAIN_FILE, FatalSentenceModel, load_sentence_model

Check = Callable[[CallContext, RubricItem], Finding]
CHECKS: dict[str, Check] = {
    "opening": service.check_opening,
    "closing": service.check_closing,
    "forbidden_phrase": service.check_forbidden_phrase,
    "interrupt": service.check_interrupt,
    "silence": service.check_silence,
    "speech_rate": service.check_speech_rate,
    "kb_agreement": business.check_kb_agreement,
    "dispatch": business.check_dispatch,
    "appeal_type": ticket.check_appeal_type,
    "key_facts": ticket.check_key_facts,
    "category": category_check.check_category,
    "caller_emotion": tone.check_caller_emotion,
    "agent_attitude": tone.check_agent_attitude,
    "confidential_leak": leak.check_confidential_leak,
    "abuse": fatal.check_abuse,
    "forbidden_promise": fatal.check_forbidden_promise,
}
assert set(CHECKS) == set(CHECK_DEFAULTS)
ROUTES = {"auto_accept": "自动通过", "sample": "抽检", "review": "人工复核"}


class QaScorer:
    """Haystack-style component: ``__init__`` validates the rubric and compiles its word lists,
    ``warm_up()`` trains the small tone model once per process, ``run(call)`` scores a call.

    ``use_model=False`` judges tone from the word lists alone and leaves out the sentence model for abuse,
    禁用语 and promises (no scikit-learn needed). ``category``:
    texts → ranked ``(label, probability)`` lists (the county's category classifier) for the
    category-consistency item."""

    def __init__(
        self,
        rubric: Rubric | Mapping[str, Any] | str | Path | None = None,
        *,
        tone_examples: str | Path = TONE_EXAMPLES,
        exemplars: str | Path = EXEMPLARS,
        sentence_train: str | Path = TRAIN_FILE,
        use_model: bool = True,
        use_learned: bool = True,
        category: category_check.CategoryFn | None = None,
    ) -> None:
        self.rubric: Rubric = load_rubric(rubric)
        self.category = category  # the category classifier for 分类一致; None: that item does not apply
        self.lexicon: Lexicon = compile_lexicon(self.rubric.word_lists)
        self.tone_examples = Path(tone_examples)
        self.exemplars = Path(exemplars)
        self._exemplar: ExemplarModel | None = None
        self.sentence_train = Path(sentence_train)
        self._learned: FatalSentenceModel | None = None
        self.use_model = use_model
        self.use_learned = use_learned  # the learned fatal-family model (issue 7, sixth round)
        self._tone: tone.ToneModel | None = None
        self._warm = False

    def warm_up(self) -> None:
        if self._warm:
            return
        if self.use_model:
            try:
                self._tone = tone.load_tone_model(self.tone_examples)
                self._exemplar = load_exemplar_model(
                    self.exemplars, literal_phrases(self.lexicon.phrases), self.lexicon.words
                )
                if self.use_learned:
                    self._learned = load_sentence_model(self.sentence_train, self.lexicon.words)
            except ImportError as exc:
                raise ScorerNotReady("语气模型依赖的 scikit-learn 不可用", details=str(exc)) from exc
        if self.category is not None:
            # the category model and its embedding engine load now, not inside the first call's scoring
            with contextlib.suppress(Exception):  # a fault shows in the category item, call by call
                self.category(["您好，我想反映一个问题"])
        self._warm = True

    def run(self, call: QaCall | Mapping[str, Any] | Sequence[Any]) -> QaResult:
        """Score one call: a :class:`QaCall`, a dict in the dev-set format, or a list of turns."""
        t0 = time.perf_counter()
        self.warm_up()
        qa_call = QaCall.coerce(call)
        ctx = CallContext(qa_call, self.lexicon, self._tone, self.category, self._exemplar, self._learned)
        items = [self._item(ctx, item) for item in self.rubric.items]
        result = self._summarize(qa_call.call_id, items)
        result.elapsed_ms = round((time.perf_counter() - t0) * 1000, 3)
        return result

    def _item(self, ctx: CallContext, item: RubricItem) -> ItemResult:
        try:
            found = CHECKS[item.check](ctx, item)
        except QaError:
            raise
        except Exception as exc:  # one broken check must not lose the whole call's scoring
            found = Finding(
                False,
                0.0,
                f"该项检查出错，需人工复核：{type(exc).__name__}",
                applicable=True,
                details={"error": repr(exc)},
            )
        deduction = 0.0
        if found.applicable and found.violated:
            per = item.params.get("per_occurrence")
            deduction = (
                item.deduction
                if not per
                else min(per * max(found.occurrences, 1), item.params.get("max_deduction", item.deduction))
            )
        return ItemResult(
            item.id,
            item.name,
            item.group,
            found.applicable,
            found.violated and found.applicable,
            round(deduction, 2),
            item.fatal,
            round(found.confidence, 3),
            found.message,
            found.evidence,
            found.details,
        )

    def _weight(self, item_id: str) -> float:
        item = self.rubric.item(item_id)
        return item.params.get("max_deduction", item.deduction) if item else 0.0

    def _summarize(self, call_id: str, items: list[ItemResult]) -> QaResult:
        rb, routing = self.rubric, self.rubric.routing
        fatal_hit = any(r.fatal and r.violated for r in items)
        total = rb.fatal_score if fatal_hit else max(0.0, rb.full_score - sum(r.deduction for r in items))
        # items that cost no points (flags such as caller emotion) do not hold a call back from auto-accept
        scored = [r for r in items if r.applicable and (r.fatal or self._weight(r.item_id) > 0)]
        confidence = min((r.confidence for r in scored), default=1.0)
        if fatal_hit:
            route, reason = "review", "存在致命错误，须人工复核"
        elif confidence < routing["review_below_confidence"]:
            weak = "、".join(r.name for r in scored if r.confidence < routing["review_below_confidence"])
            route, reason = "review", f"以下评分项把握不足，须人工复核：{weak}"
        elif (
            total >= routing["auto_accept_min_score"]
            and confidence >= routing["auto_accept_confidence"]
            and max((r.deduction for r in items), default=0.0) <= routing["auto_accept_max_deduction"]
        ):
            route, reason = "auto_accept", "高分、无较重扣分且各项把握充分，自动通过"
            flags = [r.name for r in items if r.violated and not r.fatal and self._weight(r.item_id) == 0]
            if flags:  # an angry caller is where misconduct hides: never wave such a call through
                route, reason = "sample", f"{'、'.join(flags)}，按比例抽检"
        else:
            route, reason = "sample", f"得分或把握居中，按{routing['sample_rate']:.0%}比例抽检"
        return QaResult(
            call_id, round(total, 2), fatal_hit, round(confidence, 3), route, reason, items, rb.version
        )
