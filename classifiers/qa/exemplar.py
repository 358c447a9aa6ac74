"""A sentence model for the items whose wording no list can hold: abuse, 禁用语, forbidden promises.

Word lists catch the forms someone wrote down; agents find new ones. This model (TF-IDF of character
1–3-grams, logistic regression, one per item) is trained at ``warm_up`` on ``data/exemplars.txt`` —
short agent sentences the project wrote by hand, violating and compliant, plus ordinary knowledge-base
answers — and on the literal phrases of the item's word list. It reads each agent sentence that is not
reported speech. A sentence above ``suspect_threshold`` sends the call to a person (abuse, promises) or
into the sample (禁用语) — never a deduction: as a verdict its precision on the dev calls fell below the
aim (qa-011 “给您带来困扰了” read as a promise). Measured in README.md
(``python -m eval qa-utterances``): e5 similarity to the same exemplars separated them worse and cost
~30 ms CPU a sentence, so it is not used."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from classifiers.qa.context import CallContext
from classifiers.qa.errors import InvalidRubric
from classifiers.qa.text import NO_WORDS, Folded, Phrase, Words, fold_str

ITEMS = {"abuse": "abuse", "forbidden_phrase": "forbidden", "forbidden_promise": ""}  # item -> word list
SENTENCE = re.compile(r"[^。！？!?；;…]+[。！？!?；;…]*")
_CACHE: dict[tuple[str, float, int], ExemplarModel] = {}
EXEMPLARS = Path(__file__).resolve().parent / "data" / "exemplars.txt"
_LOCK = threading.Lock()
_MIN_CHARS = 4


def read_exemplars(path: Path) -> list[tuple[str, bool, str]]:
    """``(item, violates, text)`` per line ``ITEM SIGN [CALLER |] AGENT`` (``#`` comments)."""
    rows = []
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) != 3 or parts[1] not in ("+", "-"):
            raise InvalidRubric(f"质检样例文件第{n}行格式有误：应为“项目 +/- 坐席原话”")
        rows.append((parts[0], parts[1] == "+", parts[2].rpartition("|")[2].strip()))
    return rows


class ExemplarModel:
    """One binary classifier per item over folded agent sentences."""

    def __init__(self) -> None:
        self.models_: dict[str, object] = {}

    def fit(
        self,
        rows: list[tuple[str, bool, str]],
        phrases: dict[str, list[str]] | None = None,
        words: Words = NO_WORDS,
    ) -> ExemplarModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        for item in ITEMS:
            pos = [t for i, v, t in rows if i == item and v] + list((phrases or {}).get(item, []))
            # another item's violation is not this one's: a promise is not abuse
            neg = [t for i, v, t in rows if i != item or not v]
            if not pos or not neg:
                raise InvalidRubric(f"质检样例中“{item}”缺少正例或反例")
            model = make_pipeline(
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000),
            )
            model.fit([fold_str(t, words) for t in pos + neg], [1] * len(pos) + [0] * len(neg))
            self.models_[item] = model
        return self

    def proba(self, item: str, texts: list[str]) -> list[float]:
        if not texts or item not in self.models_:
            return [0.0] * len(texts)
        return [float(p) for p in self.models_[item].predict_proba(texts)[:, 1]]


def load_exemplar_model(
    path: Path, phrases: dict[str, list[str]] | None = None, words: Words = NO_WORDS
) -> ExemplarModel:
    """The model for ``path`` (trained once per file, phrase lists and dialect table, then cached)."""
    path = Path(path)
    try:
        extra = repr((sorted((phrases or {}).items()), sorted(words.table.items())))
        key = (str(path.resolve()), path.stat().st_mtime, hash(extra))
    except OSError as exc:
        raise InvalidRubric(f"找不到质检样例文件：{path}") from exc
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = ExemplarModel().fit(read_exemplars(path), phrases, words)
        return _CACHE[key]


def literal_phrases(lists: dict[str, tuple[Phrase, ...]]) -> dict[str, list[str]]:
    """The plain (non-regex) phrases of each item's word list, as extra positive examples."""
    return {
        item: [p.label for p in lists.get(name, ()) if not p.label.startswith("re:")]
        for item, name in ITEMS.items()
        if name
    }


@dataclass(frozen=True)
class SentenceHit:
    turn: int
    start: int  # folded offsets of the sentence in its turn
    end: int
    prob: float


def sentences(folded: Folded) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end()) for m in SENTENCE.finditer(folded.s) if len(m.group().strip("，,")) >= _MIN_CHARS
    ]


def reported(text: str, frames: tuple[Phrase, ...], marks: frozenset[str]) -> bool:
    """The sentence quotes someone (他骂您…, 您是说…, “…”): its words are not the agent's own."""
    if any(ch in marks for ch in text):
        return True
    return any(p.pattern.search(text[:k]) for k in range(1, len(text)) for p in frames)


def best_sentence(
    model: ExemplarModel,
    item: str,
    folded: list[Folded],
    turns: list[int],
    frames: tuple[Phrase, ...],
    marks: frozenset[str],
) -> SentenceHit | None:
    """The agent sentence the model rates highest for ``item`` (reported speech left out)."""
    spans = [(i, s, e) for i in turns for s, e in sentences(folded[i])]
    spans = [(i, s, e) for i, s, e in spans if not reported(folded[i].s[s:e], frames, marks)]
    if not spans:
        return None
    probs = model.proba(item, [folded[i].s[s:e] for i, s, e in spans])
    k = max(range(len(spans)), key=probs.__getitem__)
    i, s, e = spans[k]
    return SentenceHit(i, s, e, probs[k])


def model_sentence(ctx: CallContext, item: str) -> SentenceHit | None:
    """The call's agent sentence the model rates highest for ``item``; None without the model."""
    if ctx.exemplar is None:
        return None
    return best_sentence(
        ctx.exemplar, item, ctx.folded, ctx.of("agent"), ctx.lex["quote_frames"], ctx.lex.quote_marks
    )
