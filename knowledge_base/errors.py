"""Error types of the knowledge base. ``str(err)`` is a Chinese message for users; ``code`` is a
stable English identifier."""

from __future__ import annotations

from typing import Any


class KnowledgeBaseError(Exception):
    code = "knowledge_base_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class ModelUnavailable(KnowledgeBaseError):
    """The embedding model cannot be loaded (missing package, file or bad image)."""

    code = "model_unavailable"


class IndexNotFound(KnowledgeBaseError):
    """No saved index in the directory that was given."""

    code = "index_not_found"


class IndexCorrupted(KnowledgeBaseError):
    """A saved index exists but cannot be read back consistently."""

    code = "index_corrupted"


class InvalidDocument(KnowledgeBaseError):
    """A document that cannot be indexed (empty id, no text at all, duplicate id)."""

    code = "invalid_document"


class InvalidSetting(KnowledgeBaseError):
    """A constructor argument out of range or of the wrong kind."""

    code = "invalid_setting"
