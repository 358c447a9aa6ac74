"""Shared by the QA family tests: whether one agent line violates an item (a fatal one must also
go to a person). Their scorer with its word lists only is the ``lists_only`` fixture (conftest)."""

from __future__ import annotations

from classifiers.qa import QaScorer
from eval.tasks.qa_utterances import make_call


def violated(scorer: QaScorer, item: str, agent: str, caller: str = "") -> bool:
    result = scorer.run(make_call(item, caller, agent, 0))
    found = result.item(item)
    if found.violated and item in ("abuse", "forbidden_promise", "confidential_leak"):
        assert result.route == "review"  # a fatal error is never auto-accepted
    return found.violated
