"""Error types of the ``classifiers`` package.

Every error carries a Chinese, user-facing message (``str(err)``) and a stable English ``code``.
Only ``api/`` maps them to HTTP statuses.
"""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class of every error raised by ``classifiers``."""

    code = "classifier_error"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = dict(details or {})

    def __str__(self) -> str:
        return self.message


class TaxonomyError(ClassifierError):
    """The taxonomy file or rows are missing, malformed or inconsistent."""

    code = "taxonomy_invalid"


class TrainingDataError(ClassifierError):
    """Training data is empty, malformed or has too few examples per class."""

    code = "training_data_invalid"


class NotFittedError(ClassifierError):
    """A model was used before ``fit`` or ``load``."""

    code = "model_not_fitted"


class ModelFileError(ClassifierError):
    """A saved model file is missing, unreadable or of an unsupported version."""

    code = "model_file_invalid"


class EmbedderUnavailableError(ClassifierError):
    """The embedding model cannot be loaded on this machine."""

    code = "embedder_unavailable"
