"""The lexical side of the search: FTS5's bm25 over the analysed chunk texts.

FTS5's cost follows the posting lists of the question's terms: it scores every row that holds any
of them (about 3 µs of CPU a row). A generation with a tantivy index (lexical_files.py) takes its
candidates from there instead: block-max WAND skips what cannot reach the top `limit` by tantivy's
BM25, and the candidates are then scored by FTS5's formula with the index's statistics (bm25.py),
so their scores are those FTS5 would give, and the two engines differ only where tantivy's top
`limit` misses one of FTS5's (measured in README, "How far one machine carries"). Candidates from the rarest terms only, rescored with all terms,
were measured at 1,000,000 chunks and dropped: 30 % less CPU, but the top 100 changed (README,
"How far one machine carries").
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from .analysis import Analyzer, any_of
from .bm25 import Bm25
from .delta_search import DeltaSearch
from .store import IndexStore
from .tantivy_lexical import LEXICAL_DIR, TANTIVY, TantivyLexical

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
    """BM25 search over one generation's tantivy index or FTS5 table; thread-safe (FTS5 through
    the snapshot's lock)."""

    def __init__(self, store: IndexStore, analyzer: Analyzer, document_counts: Mapping[str, int],
                 lock: threading.Lock, delta: DeltaSearch | None = None) -> None:
        self.store, self.analyzer, self._lock, self.delta = store, analyzer, lock, delta
        kind = (store.manifest().get("lexical") or {}).get("kind")
        self.engine = TantivyLexical(store.path.parent / LEXICAL_DIR) if kind == TANTIVY else None
        self.formula = Bm25(*store.fts_stats(), document_counts, COLUMN_WEIGHTS) if self.engine else None
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
        terms = self.terms(query, extra)
        if self.engine is not None:  # a delta generation's tantivy index holds base and delta
            found = [chunk_id for chunk_id, _ in self.engine.search(terms, limit, excluded)]
            with self._lock:
                rows = self.store.fts_columns(found)
            scores = self.formula.scores(terms, rows)
            return LexicalHits(scores, len(found) < limit)
        expression = any_of(terms)
        if not expression:
            return LexicalHits({}, True)
        with self._lock:
            if self.delta is not None:  # a delta generation: base and delta FTS5 tables as one
                scores = self.delta.bm25(terms, limit, excluded)
            else:
                scores = dict(self.store.bm25(expression, COLUMN_WEIGHTS, excluded, limit))
        return LexicalHits(scores, len(scores) < limit)
