"""Text normalisation shared by the classifiers (full-width → half-width, whitespace, case)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width letters/digits → ASCII), lower case, collapsed whitespace."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACES.sub(" ", text).strip()


def head(text: str, max_chars: int) -> str:
    """The first ``max_chars`` characters of the normalised text (0 = no limit)."""
    text = normalize(text)
    return text[:max_chars] if max_chars and max_chars > 0 else text
