"""智能质检: score a call transcript against a configurable rubric, with evidence for every deduction.

from classifiers.qa import QaScorer
scorer = QaScorer()            # default rubric in classifiers/qa/data/default_rubric.json
scorer.warm_up()
result = scorer.run({"turns": [{"speaker": "agent", "start": 0.0, "end": 3.2, "text": "您好，12345……"}],
                     "ticket": {...}, "kb_answer": "...", "dispatch": {"suggested": ..., "chosen": ...}})
"""

from classifiers.qa.errors import InvalidCall, InvalidRubric, QaError, ScorerNotReady
from classifiers.qa.model import Evidence, ItemResult, QaCall, QaResult, Turn
from classifiers.qa.rubric import DEFAULT_RUBRIC, Rubric, RubricItem, load_rubric
from classifiers.qa.scorer import ROUTES, QaScorer

__all__ = [
    "DEFAULT_RUBRIC",
    "ROUTES",
    "Evidence",
    "InvalidCall",
    "InvalidRubric",
    "ItemResult",
    "QaCall",
    "QaError",
    "QaResult",
    "QaScorer",
    "Rubric",
    "RubricItem",
    "ScorerNotReady",
    "Turn",
    "load_rubric",
]
