"""Error types of the assistant layer. ``str(err)`` is a Chinese message for users; ``code`` is a
stable English identifier that the API puts in its JSON error body."""

from __future__ import annotations

from typing import Any


class AssistantError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class ValidationFailed(AssistantError):
    """Input that breaks a rule of the hotline (bad field, wrong format)."""

    code = "validation_failed"


class NotFound(AssistantError):
    code = "not_found"


class PermissionDenied(AssistantError):
    code = "permission_denied"


class AuthenticationFailed(AssistantError):
    code = "authentication_failed"


class TooManyAttempts(AssistantError):
    code = "too_many_attempts"


class InvalidTransition(AssistantError):
    """A workflow action that is not allowed from the ticket's current status."""

    code = "invalid_transition"


class Conflict(AssistantError):
    """A concurrent change won first; the caller should reload and retry."""

    code = "conflict"


class RuleViolation(AssistantError):
    """A county time rule forbids the action (extension cap, return window …)."""

    code = "rule_violation"


class CalendarUnknownYear(AssistantError):
    """The statutory holiday calendar does not cover the year asked for."""

    code = "calendar_unknown_year"


class StorageUnavailable(AssistantError):
    """The database is locked or unreachable for now."""

    code = "storage_unavailable"
