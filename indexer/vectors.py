"""The dense side on FAISS: inner product over normalised vectors, keyed by chunk id.

The index type follows the size (`vector_kind`): exact search (IndexFlatIP) for small indexes;
HNSW above `approximate_above`, where exact search would cost too much per query; HNSW over
float16 vectors above `compact_above`, where float32 vectors alone would take gigabytes of the
serving process. Kind and parameters go into the manifest.
"""
from __future__ import annotations

import math
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


HNSW_KINDS = ("hnsw", "hnsw-fp16")


def vector_kind(count: int, approximate_above: float, compact_above: float = math.inf) -> str:
    """Which index a generation of `count` vectors gets: "flat", "hnsw" or "hnsw-fp16".

    float16 (IndexHNSWSQ, QT_fp16) halves the vectors' memory (1,000,000 × 512 dims: 1.0 instead of
    2.0 GB); rounding moves a cosine by ~1e-4, below the gaps between neighbours.
    """
    if count <= approximate_above:
        return "flat"
    return "hnsw-fp16" if count > compact_above else "hnsw"


def build_vectors(ids: np.ndarray, vectors: np.ndarray, approximate_above: float,
                  compact_above: float = math.inf) -> tuple[faiss.Index, dict[str, Any]]:
    """An IndexIDMap2 over the index `vector_kind` chooses, and the parameters that describe it.

    HNSW stores the vectors minus their mean, `params["center"]`. Chunk embeddings share one
    strong direction (mean vector norm ≈ 0.7 for USE) that questions lack, and on such data HNSW
    misses true neighbours of a question. For inner product, centring shifts every score of one
    query by the same q·c, so rankings stay exact; `search_vectors` adds q·c back.
    """
    dimension = vectors.shape[1] if len(vectors) else 0
    kind = vector_kind(len(ids), approximate_above, compact_above)
    if kind in HNSW_KINDS:
        center = vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
        vectors = vectors - center
        if kind == "hnsw":
            inner = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        else:
            inner = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_fp16, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        inner.hnsw.efSearch = HNSW_EF_SEARCH
        params = {"kind": kind, "M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION, "efSearch": HNSW_EF_SEARCH,
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
