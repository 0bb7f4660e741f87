"""How the two retrievers' candidates become one ranking: z-score fusion, near-copies dropped."""
from __future__ import annotations

import numpy as np

from .records import Hit


def standardise(scores: dict[int, float], missing: float) -> tuple[dict[int, float], float]:
    """Z-scores of one retriever's candidates, and the z-score of a chunk it did not return.

    The missing value joins the statistics, so a list of one or two candidates still spreads.
    """
    values = np.array([*scores.values(), missing], dtype=np.float64)
    mean, spread = values.mean(), values.std() or 1.0
    return {key: (value - mean) / spread for key, value in scores.items()}, (missing - mean) / spread


def fuse(lexical: dict[int, float], dense: dict[int, float], dense_weight: float, lexical_complete: bool) -> dict[int, float]:
    """Z-score fusion of both retrievers' candidates.

    A chunk one retriever did not return gets what that retriever would have given it: BM25 0 when
    the lexical list holds every match (`lexical_complete`), else the lowest score seen.
    """
    z_lex, floor_lex = standardise(lexical, 0.0 if lexical_complete or not lexical else min(lexical.values()))
    z_dense, floor_dense = standardise(dense, min(dense.values(), default=0.0))
    weight_lex = 1.0 - dense_weight if dense else 1.0
    weight_dense = dense_weight if lexical else 1.0
    return {
        chunk_id: weight_lex * z_lex.get(chunk_id, floor_lex) + weight_dense * z_dense.get(chunk_id, floor_dense)
        for chunk_id in set(z_lex) | set(z_dense)
    }


def collapse_duplicates(hits: list[Hit], threshold: float = 0.9) -> list[Hit]:
    """Drop hits whose text nearly repeats a better hit's text (copies of one document)."""
    kept: list[Hit] = []
    kept_words: list[tuple[set[str], int]] = []
    for hit in hits:
        words = set(hit.text.lower().split())
        if not any(_near_copy(words, other, size) >= threshold for other, size in kept_words
                   if min(len(words), size) >= threshold * max(len(words), size)):
            kept.append(hit)
            kept_words.append((words, len(words)))
    return kept


def _near_copy(words: set[str], other: set[str], other_size: int) -> float:
    """Jaccard similarity of two word sets, the union counted from the intersection (one set
    operation: chunks of similar length pass the size test above, 16 hits make 120 pairs)."""
    shared = len(words & other)
    return shared / max(1, len(words) + other_size - shared)
