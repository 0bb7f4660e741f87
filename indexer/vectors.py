"""The dense side on FAISS: inner product over normalised vectors, keyed by chunk id.

Exact search (IndexFlatIP) for small indexes; HNSW above a size threshold, where exact search
would cost too much per query. Parameters go into the manifest.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .private_files import private_file

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# Measured on a synthetic 100k index (benchmarks/search_latency.py), recall@10 against exact
# search for XQuAD / law questions: efSearch 96 0.74 / 0.79; 512 0.96 / 0.985; 512 over centred
# vectors (see build_vectors) 0.993 / 0.994, at ~2.5 ms per FAISS query.
HNSW_EF_SEARCH = 512


def build_vectors(ids: np.ndarray, vectors: np.ndarray, approximate_above: int) -> tuple[faiss.Index, dict[str, Any]]:
    """An IndexIDMap2 over exact or HNSW search, and the parameters that describe it.

    HNSW stores the vectors minus their mean, `params["center"]`. Chunk embeddings share one
    strong direction (mean vector norm ≈ 0.7 for USE) that questions lack, and on such data HNSW
    misses true neighbours of a question. For inner product, centring shifts every score of one
    query by the same q·c, so rankings stay exact; `search_vectors` adds q·c back.
    """
    dimension = vectors.shape[1] if len(vectors) else 0
    if len(ids) > approximate_above:
        center = vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
        vectors = vectors - center
        inner = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        inner.hnsw.efSearch = HNSW_EF_SEARCH
        params = {"kind": "hnsw", "M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION, "efSearch": HNSW_EF_SEARCH,
                  "center": [float(x) for x in center]}
    else:
        inner = faiss.IndexFlatIP(dimension)
        params = {"kind": "flat"}
    index = faiss.IndexIDMap2(inner)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    params["count"] = int(index.ntotal)
    return index, params


def save_vectors(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(private_file(path)))


def load_vectors(path: Path) -> faiss.Index:
    index = faiss.read_index(str(path))
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def search_vectors(
    index: faiss.Index, query: np.ndarray, k: int, excluded: np.ndarray | None = None,
    center: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Top-k (chunk id, cosine) pairs; excluded ids are filtered inside FAISS, before k is cut.

    `center` is the vector the index's vectors were shifted by (`build_vectors`), if any.
    """
    if index.ntotal == 0:
        return []
    params = None
    if excluded is not None and len(excluded):
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(excluded.astype(np.int64)))
        inner = faiss.downcast_index(index.index)
        if isinstance(inner, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
        else:
            params = faiss.SearchParameters(sel=selector)
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    offset = float(query[0] @ center) if center is not None else 0.0
    scores, ids = index.search(query, min(k, index.ntotal), params=params)
    return [(int(i), float(s) + offset) for i, s in zip(ids[0], scores[0]) if i != -1]
