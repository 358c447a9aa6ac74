"""Fixtures of the classifier tests."""

from __future__ import annotations

import pytest

from classifiers.qa import QaScorer


@pytest.fixture(scope="module")
def lists_only() -> QaScorer:
    """The QA scorer with its word lists only (no sentence model), once per test module."""
    s = QaScorer(use_model=False)
    s.warm_up()
    return s
