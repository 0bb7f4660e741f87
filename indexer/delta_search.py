"""Search over a delta generation: the base's and the delta's FTS5 tables and vectors as one index.

Lexical: each FTS5 table returns its best matches by its own bm25(); every candidate is then scored
again with the statistics of the merged index (rows, average row length, rows per term), exactly
as bm25() computes them for one table that holds the same rows. So scores from both tables compare,
and equal those of a full rebuild. Dense: each vector index returns its best (the base without its
withdrawn chunks); cosines compare as they are.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import faiss
import numpy as np

from .analysis import any_of
from .bm25 import Bm25
from .delta_store import BASE_VECTORS, MergedStore
from .vectors import load_vectors, search_vectors

# The base vectors last loaded, by file identity: every generation on one base shares them.
_LOADED: dict[tuple[int, ...], faiss.Index] = {}


def _base_vectors(path: Path, params: dict[str, Any]) -> faiss.Index:
    """The base's vector index, searched with the parameters of the base's manifest (`params`)."""
    stat = path.stat()
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load_vectors(path, params)
    return _LOADED[key]


class DeltaSearch:
    """The merged retrievers of one delta generation (checked before, see health.open_generation)."""

    def __init__(self, directory: Path, store: MergedStore, frequencies: dict[str, int], weights: Sequence[float]) -> None:
        self.store = store
        params = store.manifest()["base"].get("vectors") or {}
        self.base_vectors = _base_vectors(directory / BASE_VECTORS, params)
        center = params.get("center")
        self.base_center = np.asarray(center, dtype=np.float32) if center else None
        self.withdrawn = np.array(store.withdrawn_chunk_ids(), dtype=np.int64)
        self.weights = tuple(weights)
        self.formula = Bm25(*store.fts_stats(), frequencies, weights)

    def dense(self, delta_vectors: faiss.Index, query: np.ndarray, limit: int, excluded: np.ndarray) -> dict[int, float]:
        found = search_vectors(self.base_vectors, query, limit, np.concatenate([excluded, self.withdrawn]), self.base_center)
        found += search_vectors(delta_vectors, query, limit, excluded)
        return dict(sorted(found, key=lambda pair: -pair[1])[:limit])

    def bm25(self, terms: list[str], limit: int, excluded: np.ndarray) -> dict[int, float]:
        """The best `limit` chunks holding any of `terms`, by merged-index bm25."""
        rows = self.store.fts_candidates(any_of(terms) or "", self.weights, excluded.tolist(), limit)
        candidates = self.formula.scores(terms, rows)
        return dict(sorted(candidates.items(), key=lambda item: -item[1])[:limit])
