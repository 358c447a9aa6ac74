"""Text steps applied to every recognised segment, in order, each optional and separately tested.

``spoken`` (default) is the transcript form: what was said, with digit-by-digit readings (phone
numbers) as ASCII digits and quantities in Chinese numerals; ``display`` additionally turns dates
and clock times into digits. The gazetteer step runs last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from asr.engine import Segment
from asr.gazetteer import Gazetteer
from asr.textnorm import digit_strings_to_arabic, normalize_datetime, verbalize_cardinals

NumberForm = Literal["spoken", "display", "none"]


class TextPostprocessor:
    """``run(text) -> text``; ``run_segments(segments) -> segments``."""

    def __init__(self, *, numbers: NumberForm = "spoken", gazetteer_words: Iterable[str] | None = None) -> None:
        if numbers not in ("spoken", "display", "none"):
            raise ValueError("numbers must be 'spoken', 'display' or 'none'")
        self.numbers = numbers
        words = list(gazetteer_words or [])
        self.gazetteer = Gazetteer(words) if words else None

    def run(self, text: str) -> str:
        if self.numbers != "none":
            text = verbalize_cardinals(digit_strings_to_arabic(text))
        if self.numbers == "display":
            text = normalize_datetime(text)
        if self.gazetteer is not None:
            text = self.gazetteer.correct(text)
        return text

    def run_segments(self, segments: Iterable[Segment]) -> list[Segment]:
        return [replace(s, text=self.run(s.text)) for s in segments]
