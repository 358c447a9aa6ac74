"""Error types of the reports."""

from __future__ import annotations

from assistant.errors import AssistantError


class ReportUnavailable(AssistantError):
    """The report cannot be drawn on this machine (no CJK font for the charts and the PDF)."""

    code = "report_unavailable"
