"""情绪与态度: caller anger and agent impatience, from a word list plus a small character n-gram model.

The model (TF-IDF of character 1–3-grams, logistic regression) is trained at ``warm_up`` on
``data/tone_examples.jsonl`` — short utterances the project wrote itself — and cached per file."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from classifiers.qa.context import CallContext, Finding
from classifiers.qa.errors import InvalidRubric
from classifiers.qa.rubric import TONE_EXAMPLES, RubricItem
from classifiers.qa.service import quoted
from classifiers.qa.text import content_chars, evidence, find_all, fold_str

_CACHE: dict[tuple[str, float], ToneModel] = {}
_LOCK = threading.Lock()
_LEXICON_WEIGHT = 0.25
_EXCLAIM_WEIGHT = 0.1
_MIN_MODEL_CHARS = 5
_CURT_WEIGHT = 0.4


class ToneModel:
    """One binary classifier per role: ``caller`` (angry) and ``agent`` (impatient or rude)."""

    def __init__(self) -> None:
        self.models_: dict[str, object] = {}

    def fit(self, rows: list[dict]) -> ToneModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        for role in ("caller", "agent"):
            data = [(fold_str(r["text"]), int(r["label"])) for r in rows if r.get("speaker") == role]
            if len({y for _, y in data}) < 2:
                raise InvalidRubric(f"语气样例中“{role}”缺少正例或反例")
            model = make_pipeline(
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000),
            )
            model.fit([x for x, _ in data], [y for _, y in data])
            self.models_[role] = model
        return self

    def proba(self, role: str, texts: list[str]) -> list[float]:
        if not texts:
            return []
        return [float(p) for p in self.models_[role].predict_proba([fold_str(t) for t in texts])[:, 1]]


def load_tone_model(path: Path = TONE_EXAMPLES) -> ToneModel:
    path = Path(path)
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except OSError as exc:
        raise InvalidRubric(f"找不到语气样例文件：{path}") from exc
    with _LOCK:
        if key not in _CACHE:
            rows = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
            _CACHE[key] = ToneModel().fit(rows)
        return _CACHE[key]


def _agent_rude_hits(ctx: CallContext, i: int) -> list[tuple[int, int, str]]:
    """Forbidden phrases and abuse said by the agent (not quoted) also count as a rude tone."""
    f = ctx.folded[i]
    return [
        h for name in ("forbidden", "abuse") for h in find_all(ctx.lex[name], f) if not quoted(ctx, f, h[0])
    ]


def _distinct(hits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """One hit per stretch of words: lists that overlap (禁用语 and 不耐烦) count a phrase once."""
    kept: list[tuple[int, int, str]] = []
    for h in hits:
        if not any(h[0] < e and s < h[1] for s, e, _ in kept):
            kept.append(h)
    return kept


def _curt(ctx: CallContext, i: int) -> bool:
    """A bare fragment of at most three characters that is neither back-channel nor polite."""
    text = ctx.folded[i].s
    if content_chars(text) > 3 or ctx.lex.backchannel.match(text):
        return False
    return not any(ch in text for ch in "你请谢好喂")


def _tone(ctx: CallContext, item: RubricItem, role: str, lexicon: str, what: str) -> Finding:
    idx = [i for i in ctx.of(role) if ctx.turns[i].text.strip()]
    # without the model one word-list hit is enough: a neutral prior that one hit lifts over the threshold
    probs = (
        ctx.tone.proba(role, [ctx.turns[i].text for i in idx])
        if ctx.tone is not None
        else [item.params["model_threshold"] - _LEXICON_WEIGHT] * len(idx)
    )
    threshold, band = item.params["model_threshold"], item.params["uncertain_band"]
    scored = []
    for i, prob in zip(idx, probs, strict=True):
        if ctx.tone is not None and content_chars(ctx.turns[i].text) < _MIN_MODEL_CHARS:
            prob = 0.0  # a two-word reply carries no tone the model can read
        hits = find_all(ctx.lex[lexicon], ctx.folded[i])
        if role == "agent":
            hits = _distinct(sorted(set(hits) | set(_agent_rude_hits(ctx, i))))
        score = prob + _LEXICON_WEIGHT * min(len(hits), 2) + _EXCLAIM_WEIGHT * ("!" in ctx.folded[i].s)
        scored.append((score, i, hits, prob))
    if role == "agent":
        curt = [i for i in idx if _curt(ctx, i)]
        if len(curt) >= 2:  # one-word orders (“地址。” “电话。” “说。”) in a row: a curt agent
            scored.append((_CURT_WEIGHT * len(curt), curt[0], [], 0.0))
    scored.sort(key=lambda x: -x[0])
    top = scored[0][0] if scored else 0.0
    details = {"max_score": round(top, 3), "method": "lexicon+model" if ctx.tone is not None else "lexicon"}
    conf = 0.6 if abs(top - threshold) < band else 0.85
    if top < threshold:
        return Finding(False, conf, f"未发现{what}", details=details)
    evs = []
    for score, i, hits, prob in scored:
        if score < threshold or len(evs) >= 3:
            break
        note = (
            f"{what}（模型{prob:.2f}，词表{len(hits)}处）"
            if ctx.tone is not None
            else f"{what}（词表{len(hits)}处）"
        )
        if hits:
            s, e, _ = hits[0]
            evs.append(evidence(ctx.turns, i, ctx.folded[i], s, e, note=note))
        else:
            evs.append(evidence(ctx.turns, i, note=note))
    return Finding(True, conf, what, evs, details, occurrences=len(evs))


def check_caller_emotion(ctx: CallContext, item: RubricItem) -> Finding:
    return _tone(ctx, item, "caller", "caller_anger", "来电人情绪激动")


def check_agent_attitude(ctx: CallContext, item: RubricItem) -> Finding:
    return _tone(ctx, item, "agent", "agent_impatience", "坐席不耐烦或态度生硬")
