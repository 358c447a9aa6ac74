"""Ticket-draft extraction (智能填单): the fields of a ticket from a call or a written message.

``FieldExtractor(county).run(turns, call_time) -> Draft`` drafts the whole call; ``LiveDraft``
updates the draft segment by segment and keeps the agent's edits. Every field carries a value
(None, or [] for phones, when not said), a confidence and the spans it was taken from.
"""

from classifiers.fields.errors import (
    AddressLibraryUnavailableError,
    FieldsError,
    InvalidCallTimeError,
    InvalidFieldValueError,
    InvalidGazetteerError,
    InvalidSettingError,
    InvalidTurnError,
    UnknownFieldError,
)
from classifiers.fields.extractor import FieldExtractor
from classifiers.fields.idcard import check_char, is_valid_id
from classifiers.fields.live import LiveDraft
from classifiers.fields.model import (
    CLASSIFIER_FIELDS,
    EXTRACTED_FIELDS,
    FIELD_NAMES,
    Correction,
    Draft,
    Field,
    Span,
    Turn,
)

__all__ = [
    "CLASSIFIER_FIELDS", "EXTRACTED_FIELDS", "FIELD_NAMES", "AddressLibraryUnavailableError", "Correction", "Draft",
    "Field", "FieldExtractor", "FieldsError", "InvalidCallTimeError", "InvalidFieldValueError",
    "InvalidGazetteerError", "InvalidSettingError", "InvalidTurnError", "LiveDraft", "Span", "Turn",
    "UnknownFieldError", "check_char", "is_valid_id",
]
