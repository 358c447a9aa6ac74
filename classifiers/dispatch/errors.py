"""Errors of the dispatch engine: one base class, a Chinese user-facing message (``str(err)``) and a
stable English ``code``. Only ``api/`` maps them to HTTP."""

from __future__ import annotations


class DispatchError(Exception):
    """Base of every dispatch error."""

    code = "dispatch_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CatalogueInvalid(DispatchError):
    """The dispatch catalogue has rows that cannot be used; ``problems`` lists one message a row."""

    code = "catalogue_invalid"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "；".join(self.problems[:10])
        more = f"（另有 {len(self.problems) - 10} 处）" if len(self.problems) > 10 else ""
        super().__init__(f"派单目录有 {len(self.problems)} 处错误：{shown}{more}")


class GazetteerInvalid(DispatchError):
    """The county's gazetteer (townships, villages, places) is malformed."""

    code = "gazetteer_invalid"


class UnitsInvalid(DispatchError):
    """The list of handling units is malformed."""

    code = "units_invalid"


class InvalidSetting(DispatchError):
    """A router setting is out of range or inconsistent with the catalogue."""

    code = "invalid_setting"


class ModelUnavailable(DispatchError):
    """The embedding model cannot be loaded."""

    code = "model_unavailable"


class FeedbackInvalid(DispatchError):
    """A feedback (退单) record names an unknown unit or lacks text."""

    code = "feedback_invalid"
