"""Wissenslotse indexer: documents → chunks → SQLite + FAISS, and hybrid search over them.

    from indexer import IndexSettings, build_index, Index
    build_index(IndexSettings(knowledge_dir=Path("knowledge")))
    result = Index(IndexSettings()).search("Wer leitet die SCIU?")
"""
from .build import IndexingError, build_index
from .generations import IndexBusy
from .index import Index, IndexNotReady
from .records import DocumentInfo, Hit, IndexReport, Notice, Skipped
from .search import SearchResult
from .settings import IndexSettings, SearchSettings

__all__ = [
    "DocumentInfo", "Hit", "Index", "IndexBusy", "IndexNotReady", "IndexReport", "IndexSettings", "IndexingError",
    "Notice", "SearchResult", "SearchSettings", "Skipped", "build_index",
]
