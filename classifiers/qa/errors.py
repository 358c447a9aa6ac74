"""Errors of call quality scoring: ``str(err)`` is a Chinese message for users, ``code`` is stable
English."""

from __future__ import annotations

from typing import Any


class QaError(Exception):
    """Base class of every error raised by :mod:`classifiers.qa`."""

    code = "qa_error"
    message = "通话质检出错"

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        self.details = details
        super().__init__(message or self.message)


class InvalidRubric(QaError):
    """The rubric (items, thresholds, word lists) cannot be used as given."""

    code = "invalid_rubric"
    message = "质检评分标准配置有误"


class InvalidCall(QaError):
    """The call record (turns, ticket, dispatch) is malformed."""

    code = "invalid_call"
    message = "通话记录格式有误，无法质检"


class ScorerNotReady(QaError):
    """``run`` was called on a scorer whose models failed to load."""

    code = "scorer_not_ready"
    message = "质检模型未就绪"
