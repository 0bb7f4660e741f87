"""The lexical side of the search: FTS5 bm25 over the analysed chunk texts.

Its cost follows the posting lists of the question's terms: FTS5 scores every row that holds any
of them (about 3 µs of CPU a row). Candidates from the rarest terms only, rescored with all terms,
were measured at 1,000,000 chunks and dropped: 30 % less CPU, but the top 100 changed (README,
"How far one machine carries").
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from .analysis import Analyzer, any_of
from .delta_search import DeltaSearch
from .store import IndexStore

# FTS5 column weights for bm25(): title, headings, body. Titles and headings say what a passage is about.
COLUMN_WEIGHTS = (3.0, 2.0, 1.0)
# In large indexes, query terms found in more than this share of chunks are dropped: they cost
# most of the FTS5 time and barely change the ranking (measured: ≤ 0.001 MRR@10).
FREQUENT_TERM_SHARE = 0.1
FREQUENT_TERMS_ABOVE = 5_000


@dataclass
class LexicalHits:
    """Chunk id → bm25 (higher is better); `complete` when every matching chunk was scored."""

    scores: dict[int, float]
    complete: bool


class Lexical:
    """BM25 search over one generation's FTS5 table; thread-safe through the snapshot's lock."""

    def __init__(self, store: IndexStore, analyzer: Analyzer, document_counts: Mapping[str, int],
                 lock: threading.Lock, delta: DeltaSearch | None = None) -> None:
        self.store, self.analyzer, self._lock, self.delta = store, analyzer, lock, delta
        rows = store.counts()["chunks"]
        self.frequent = (
            {term for term, count in document_counts.items() if count > FREQUENT_TERM_SHARE * rows}
            if rows >= FREQUENT_TERMS_ABOVE else set()
        )

    def terms(self, query: str, extra: Iterable[str] = ()) -> list[str]:
        """The terms of a question that are searched: frequent ones left out unless nothing else
        would remain."""
        distinct = self.analyzer.query_terms(query, extra)
        return [t for t in distinct if t not in self.frequent] or distinct

    def search(self, query: str, limit: int, excluded: np.ndarray, extra: Iterable[str] = ()) -> LexicalHits:
        expression = any_of(self.terms(query, extra))
        if not expression:
            return LexicalHits({}, True)
        with self._lock:
            if self.delta is not None:  # a delta generation: base and delta FTS5 tables as one
                scores = self.delta.bm25(expression, limit, excluded)
            else:
                scores = dict(self.store.bm25(expression, COLUMN_WEIGHTS, excluded, limit))
        return LexicalHits(scores, len(scores) < limit)
