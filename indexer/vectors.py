"""The dense side on FAISS: inner product over normalised vectors, keyed by chunk id.

The index type follows the size (`vector_kind`): exact search (IndexFlatIP) for small indexes;
HNSW above `approximate_above`, where exact search would cost too much per query; above
`compact_above`, where float32 vectors alone would take gigabytes of the serving process and HNSW
lost recall (0.74 at 1,000,000 chunks, see README), "pq-rerank": a 4-bit product-quantised fast
scan over all (rotated, OPQ) vectors picks candidates, which are re-ranked exactly on float16
vectors. Kind and parameters go into the manifest.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .private_files import private_file

HNSW_M = 32
# Measured on the synthetic 100k index (benchmarks/search_latency.py, vectors centred as in
# build_vectors), recall@10 against exact search for XQuAD / law questions. With efConstruction 80
# (before): efSearch 384 0.990 / 0.981, 512 0.992 / 0.991. With efConstruction 200 the graph is
# better: efSearch 256 0.9905 / 0.990, 320 0.9935 / 0.994 (FAISS a third faster than 512 at 80),
# 512 0.998 / 0.999; building the graph takes 44 s instead of 17 s (2 cores). efConstruction 400 gave
# no more (320: 0.9955 / 0.993). At 250,000 (the same vectors plus 150,000 mixtures of two of them),
# efConstruction 200: efSearch 320 0.988 / 0.972, 512 0.9945 / 0.984, 640 0.9955 / 0.986 – law
# questions stay below 0.99 there, so `compact_above` (settings) now switches to pq-rerank above 120,000
# (at 250,000: recall@10 0.997 / 1.000, FAISS 2.1 ms); 512 is for an index built with a larger compact_above.
# An index keeps the parameters it was built with (manifest).
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 512  # above the sizes in HNSW_EF_SEARCH_BY_SIZE, and for an index whose manifest has none
# (most vectors, efSearch): the smallest measured value with recall@10 ≥ 0.99 at that size.
HNSW_EF_SEARCH_BY_SIZE = ((120_000, 320),)
# pq-rerank: dimensions per 4-bit sub-quantiser, inverted lists (all probed: the neighbours of a
# question lie in many lists), training sample and candidates re-ranked per query. Re-ranking costs
# about 1 µs a candidate (a float16 row read from anywhere in memory), the scan ~10 ms at 1,000,000.
# Measured at 1,000,000 synthetic chunks, 300 questions, recall@10 against exact search (XQuAD /
# law questions) and FAISS ms p50 on one thread: PQ128x4fs alone, 2,000 candidates 0.959 / 0.989
# (13.0 ms), 5,000 0.983 / 0.996 (17.5), 10,000 0.996 / 1.000 (21.6); with an OPQ rotation trained
# first (OPQ128), 1,000 0.991 / 0.996 (12.2), 2,000 0.997 / 1.000 (13.2), 5,000 1.000 / 1.000 (16.5)
# – with faiss's 50 OPQ iterations, whose training took 290 s. With 20 iterations (about half the
# training) the index built: 2,000 0.984 / 0.996 (8.8 ms), 3,000 0.990 / 0.999, 4,000 0.993 / 0.999
# (10.4 ms), 6,000 0.997 / 0.999 (11.8 ms). PQ64x4fs alone scans in 4–5 ms but needs ~20,000
# candidates (0.954 / 0.993, 23 ms); PQ256x4fs scans in ~20 ms. Hence OPQ (20 iterations) +
# PQ128x4fs, 0.4 % of the vectors re-ranked, at least 4,000.
PQ_DIMENSIONS_PER_CODE = 4
PQ_LISTS = 1
PQ_TRAIN_SAMPLE = 65_536
OPQ_ITERATIONS = 20  # alternations of rotation and PQ training; the first costs about ten later ones
RERANK_SHARE = 0.004
RERANK_CANDIDATES = 4_000  # at least
# Built before the OPQ rotation (no rotation in the index): 1 % of the vectors, at least 5,000.
UNROTATED_RERANK_SHARE, UNROTATED_RERANK_CANDIDATES = 0.01, 5_000

KINDS = ("flat", "hnsw", "pq-rerank")


def vector_kind(count: int, approximate_above: float, compact_above: float = math.inf, dimension: int = 512) -> str:
    """Which index a generation of `count` vectors gets: "flat", "hnsw" or "pq-rerank".

    pq-rerank keeps a 4-bit code per 4 dimensions (64 bytes for 512) plus float16 vectors for
    re-ranking: 1,000,000 × 512 dims take 1.1 instead of 2.0 GB (float32), and float16 rounding
    moves a cosine by ~1e-4. It needs a dimension divisible by 8 (pairs of codes).
    """
    if count <= approximate_above:
        return "flat"
    return "pq-rerank" if count > compact_above and dimension % (2 * PQ_DIMENSIONS_PER_CODE) == 0 else "hnsw"


def hnsw_parameters(count: int) -> dict[str, int]:
    """M, efConstruction and efSearch of an HNSW index over `count` vectors: a larger graph needs a
    wider search for the same recall."""
    ef_search = next((ef for most, ef in HNSW_EF_SEARCH_BY_SIZE if count <= most), HNSW_EF_SEARCH)
    return {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION, "efSearch": ef_search}


def rerank_candidates(count: int, rotated: bool = True) -> int:
    """How many PQ candidates a pq-rerank index of `count` vectors re-ranks per query (`rotated`:
    built with the OPQ rotation; an older index without it needs 2.5 times as many)."""
    share, least = (RERANK_SHARE, RERANK_CANDIDATES) if rotated else (UNROTATED_RERANK_SHARE, UNROTATED_RERANK_CANDIDATES)
    return min(count, max(least, round(share * count)))


def build_vectors(ids: np.ndarray, vectors: np.ndarray, approximate_above: float,
                  compact_above: float = math.inf) -> tuple[faiss.Index, dict[str, Any]]:
    """An IndexIDMap2 over the index `vector_kind` chooses, and the parameters that describe it.

    HNSW stores the vectors minus their mean, `params["center"]`. Chunk embeddings share one
    strong direction (mean vector norm ≈ 0.7 for USE) that questions lack, and on such data HNSW
    misses true neighbours of a question. For inner product, centring shifts every score of one
    query by the same q·c, so rankings stay exact; `search_vectors` adds q·c back.
    """
    dimension = vectors.shape[1] if len(vectors) else 0
    kind = vector_kind(len(ids), approximate_above, compact_above, dimension)
    if kind != "flat":
        center = vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
        vectors = vectors - center
    if kind == "hnsw":
        chosen = hnsw_parameters(len(ids))
        inner = faiss.IndexHNSWFlat(dimension, chosen["M"], faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = chosen["efConstruction"]
        inner.hnsw.efSearch = chosen["efSearch"]
        params = {"kind": kind, **chosen, "center": [float(x) for x in center]}
    elif kind == "pq-rerank":
        inner, params = _pq_rerank(vectors, dimension, len(ids))
        params["center"] = [float(x) for x in center]
    else:
        inner = faiss.IndexFlatIP(dimension)
        params = {"kind": "flat"}
    index = faiss.IndexIDMap2(inner)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    params["count"] = int(index.ntotal)
    return index, params


def _pq_rerank(vectors: np.ndarray, dimension: int, count: int) -> tuple[faiss.Index, dict[str, Any]]:
    """A trained, empty IndexRefine: OPQ rotation, PQ fast scan (IVF, every list probed), re-ranked
    on float16 vectors. The rotation spreads the variance evenly over the sub-quantisers, so the
    codes rank well enough to re-rank 40 % of the candidates for the same recall (see above). The
    sample is drawn with a fixed seed (and OPQ starts from a fixed one), so a rebuild gives the
    same index."""
    codes = dimension // PQ_DIMENSIONS_PER_CODE
    factory = f"OPQ{codes}_{dimension},IVF{PQ_LISTS},PQ{codes}x4fs,Refine(SQfp16)"
    inner = faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT)
    rotation = faiss.downcast_VectorTransform(faiss.downcast_index(inner.base_index).chain.at(0))
    rotation.niter = OPQ_ITERATIONS
    sample = np.random.default_rng(0).choice(len(vectors), min(len(vectors), PQ_TRAIN_SAMPLE), replace=False)
    inner.train(np.ascontiguousarray(vectors[np.sort(sample)], dtype=np.float32))
    faiss.extract_index_ivf(inner).nprobe = PQ_LISTS
    return inner, {"kind": "pq-rerank", "factory": factory, "nprobe": PQ_LISTS,
                   "candidates": rerank_candidates(count)}


def save_vectors(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(private_file(path)))


def load_vectors(path: Path, params: dict[str, Any] | None = None) -> faiss.Index:
    """A saved vector index; an HNSW one searches with the efSearch its manifest `params` record
    (HNSW_EF_SEARCH for one that records none)."""
    index = faiss.read_index(str(path))
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = int((params or {}).get("efSearch") or HNSW_EF_SEARCH)
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
    # One query gains nothing from OpenMP workers; on a loaded machine they only wait for a core
    # (measured at 100,000 chunks under load 9: HNSW p50 52 ms with two threads, 31 ms with one).
    # The setting belongs to the calling thread, so index builds elsewhere keep their threads.
    faiss.omp_set_num_threads(1)
    params = None
    inner = faiss.downcast_index(index.index)
    selector = None
    if excluded is not None and len(excluded):
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(excluded.astype(np.int64)))
    if isinstance(inner, faiss.IndexRefine):
        # IndexRefine hands only base_index_params down, and its base sees positions, not chunk ids.
        ivf = faiss.extract_index_ivf(inner)
        translated = faiss.IDSelectorTranslated(index.id_map, selector) if selector is not None else None
        rotated = isinstance(faiss.downcast_index(inner.base_index), faiss.IndexPreTransform)
        params = faiss.IndexRefineSearchParameters(
            k_factor=max(1.0, rerank_candidates(index.ntotal, rotated) / k),
            base_index_params=faiss.SearchParametersIVF(nprobe=ivf.nprobe, sel=translated))
    elif selector is not None:
        if isinstance(inner, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(inner.hnsw.efSearch, k))
        else:
            params = faiss.SearchParameters(sel=selector)
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    offset = float(query[0] @ center) if center is not None else 0.0
    scores, ids = index.search(query, min(k, index.ntotal), params=params)
    return [(int(i), float(s) + offset) for i, s in zip(ids[0], scores[0]) if i != -1]
