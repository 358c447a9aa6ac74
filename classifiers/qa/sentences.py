"""A learned sentence classifier for the fatal families (issue 7, sixth round).

Five rounds of phrase rules each reached high figures on the sets they were fixed on and fell on the
next author's wording. This model learns the families instead: abuse or contempt of the caller, a
reporter's or confidential caller's identity given away, a forbidden guarantee or personal pledge, and
禁用语-style brush-offs. It reads one agent sentence with the caller's (or third party's) sentence before it.

Features: TF-IDF of character 1–4-grams of the folded agent sentence; character 1–3-grams of the previous
sentence (weight ``context_weight``); and the agent n-grams again, switched on only when the previous
sentence asks who reported or who called (``WHO``), so that a description of a person counts as a leak
only as an answer to that question. Model: logistic regression, calibrated by 5-fold sigmoid scaling
(``CalibratedClassifierCV``) so that a threshold is a probability. Trained only on the project's own
``data/fatal_train.txt``; deterministic, so training twice gives the same model.

Train and measure (cross-validation on the training file only)::

    python -m classifiers.qa.train_sentences [--train FILE] [--cv 5] [--out MODEL.joblib]
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from classifiers.qa.errors import InvalidRubric
from classifiers.qa.text import NO_WORDS, Words, fold_str

FAMILIES = ("abuse", "leak", "promise", "brushoff")
LABELS = ("ok", *FAMILIES)
TRAIN_FILE = Path(__file__).resolve().parent / "data" / "fatal_train.txt"
# the caller (or a third party) asks who reported or called: 哪个告我的？ 是不是隔壁那家？ 你们去现场找哪个？
WHO = re.compile(
    "(哪个|哪一个|哪位|谁|哪家|哪户|什么人|么子人)[^，。？?]{0,6}(告|举报|投诉|反映|打的|打电话|打12345|讲我|说我|整我|搞我)"
    "|(告|举报|投诉|反映|打电话|打12345)[^，。？?]{0,6}(哪个|哪一个|哪位|谁|什么人|么子人)"
    "|是不是[^，。？?]{0,8}(那个|那家|那户|老|他|她|姓|家的|隔壁|对门|对面|打的|告的|组)|我(估计|猜)是"
    "|(电话|名字|姓名)给我|男的女的|叫什么名字|姓什么|是哪个|到底哪个"
)
_CACHE: dict[tuple, FatalSentenceModel] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class TrainRow:
    label: str
    agent: str
    context: str = ""


def read_training(path: str | Path = TRAIN_FILE) -> list[TrainRow]:
    """``LABEL<TAB>AGENT[<TAB>CONTEXT]`` per line (``#`` comments); an unknown label is an error."""
    rows = []
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidRubric(f"找不到质检句子训练文件：{p}") from exc
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) not in (2, 3) or parts[0] not in LABELS or not parts[1].strip():
            raise InvalidRubric(f"质检句子训练文件第{n}行格式有误：应为“标签<TAB>坐席原话[<TAB>前一句]”")
        rows.append(TrainRow(parts[0], parts[1].strip(), parts[2].strip() if len(parts) == 3 else ""))
    missing = [lab for lab in LABELS if not any(r.label == lab for r in rows)]
    if missing:
        raise InvalidRubric(f"质检句子训练文件缺少以下标签的样例：{'、'.join(missing)}")
    return rows


class FatalSentenceModel:
    """scikit-learn style: ``fit(rows)`` returns self; ``proba(agents, contexts)`` gives, per sentence,
    a dict family → calibrated probability."""

    def __init__(
        self,
        *,
        words: Words = NO_WORDS,
        context_weight: float = 0.5,
        interaction_weight: float = 1.0,
        c: float = 30.0,
        cv: int = 5,
    ) -> None:
        self.words = words
        self.context_weight = context_weight
        self.interaction_weight = interaction_weight
        self.c = c
        self.cv = cv

    def _features(self, agents: list[str], contexts: list[str], fit: bool = False):
        from scipy.sparse import diags, hstack

        a = [fold_str(t, self.words) for t in agents]
        c = [fold_str(t, self.words) for t in contexts]
        if fit:
            xa = self.agent_vec_.fit_transform(a)
            xc = self.context_vec_.fit_transform(c)
        else:
            xa, xc = self.agent_vec_.transform(a), self.context_vec_.transform(c)
        who = diags([self.interaction_weight if WHO.search(t) else 0.0 for t in c])
        return hstack([xa, self.context_weight * xc, who @ xa]).tocsr()

    def fit(self, rows: list[TrainRow]) -> FatalSentenceModel:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.agent_vec_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True)
        self.context_vec_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        x = self._features([r.agent for r in rows], [r.context for r in rows], fit=True)
        self.models_ = {}
        for family in FAMILIES:  # one binary model a family: that family against every other line
            y = [int(r.label == family) for r in rows]
            base = LogisticRegression(C=self.c, class_weight="balanced", solver="liblinear")
            if self.cv:  # Platt scaling on cross-validated scores, one final model on all lines
                model = CalibratedClassifierCV(base, method="sigmoid", cv=self.cv, ensemble=False)
            else:  # uncalibrated (feature choice only)
                model = base
            self.models_[family] = model.fit(x, y)
        return self

    def proba(self, agents: list[str], contexts: list[str] | None = None) -> list[dict[str, float]]:
        if not agents:
            return []
        contexts = contexts if contexts is not None else [""] * len(agents)
        x = self._features(agents, contexts)
        columns = {fam: m.predict_proba(x)[:, 1] for fam, m in self.models_.items()}
        return [{fam: float(col[k]) for fam, col in columns.items()} for k in range(len(agents))]


def load_sentence_model(path: str | Path = TRAIN_FILE, words: Words = NO_WORDS) -> FatalSentenceModel:
    """The model trained on ``path`` with the rubric's dialect table (trained once per file, then cached)."""
    p = Path(path)
    try:
        key = (str(p.resolve()), p.stat().st_mtime, hash(repr(sorted(words.table.items()))))
    except OSError as exc:
        raise InvalidRubric(f"找不到质检句子训练文件：{p}") from exc
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = FatalSentenceModel(words=words).fit(read_training(p))
        return _CACHE[key]

