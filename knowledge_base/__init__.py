"""Knowledge base retrieval: spoken-query clean-up, jieba BM25, e5 dense embeddings in faiss, hybrid
fusion per article with a calibrated confidence, persisted and updated incrementally."""

from knowledge_base.calibration import Calibrator
from knowledge_base.documents import Document, Entry, Hit, SearchResult
from knowledge_base.embedder import Embedder
from knowledge_base.errors import (
    IndexCorrupted,
    IndexNotFound,
    InvalidDocument,
    InvalidSetting,
    KnowledgeBaseError,
    ModelUnavailable,
)
from knowledge_base.normalize import Normalizer, default_normalizer
from knowledge_base.retriever import HybridRetriever
from knowledge_base.tokenize import Tokenizer

__all__ = [
    "Calibrator",
    "Document",
    "Embedder",
    "Entry",
    "Hit",
    "HybridRetriever",
    "IndexCorrupted",
    "IndexNotFound",
    "InvalidDocument",
    "InvalidSetting",
    "KnowledgeBaseError",
    "ModelUnavailable",
    "Normalizer",
    "SearchResult",
    "Tokenizer",
    "default_normalizer",
]
