"""FTS5's bm25() in Python, for rows scored outside one FTS5 table: the candidates a tantivy index
found, or the rows of a delta generation's two tables, scored with one index's statistics.

Weighted term frequency over the columns, one length per row (all columns), idf clamped as FTS5
clamps it (fts5_aux.c): the same number bm25() gives a row of a table that holds these statistics.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

# FTS5's bm25() constants (fts5_aux.c).
K1, B = 1.2, 0.75


class Bm25:
    """Scores FTS rows (title, headings, body terms) by FTS5's bm25() under given corpus statistics."""

    def __init__(self, rows: int, tokens: int, frequencies: Mapping[str, int], weights: Sequence[float]) -> None:
        self.rows, self.frequencies = rows, frequencies
        self.title, self.headings, self.body = weights
        self.average_length = tokens / rows if rows else 0.0

    def idf(self, term: str) -> float:
        rows = self.frequencies.get(term, 0)
        idf = math.log((self.rows - rows + 0.5) / (rows + 0.5))
        return idf if idf > 0 else 1e-6

    def scores(self, terms: Iterable[str], rows: Iterable[tuple[int, str | None, str | None, str | None]]) -> dict[int, float]:
        """bm25() of each row (rowid, title, headings, body), positive: higher is better. Written
        out for speed: a search scores a hundred rows per question."""
        idf = {term: self.idf(term) for term in dict.fromkeys(terms)}
        base, per_token = K1 * (1 - B), K1 * B / (self.average_length or 1.0)
        found = {}
        for rowid, title, headings, body in rows:
            title, headings, body = title or "", headings or "", body or ""
            title_terms, heading_terms, body_terms = title.split(), headings.split(), body.split()
            norm = base + per_token * (len(title_terms) + len(heading_terms) + len(body_terms))
            score = 0.0
            for term, weight in idf.items():
                if term not in body and term not in title and term not in headings:
                    continue  # a substring test first: most rows hold few of a question's terms
                frequency = (self.title * title_terms.count(term) + self.headings * heading_terms.count(term)
                             + self.body * body_terms.count(term))
                if frequency:
                    score += weight * frequency * (K1 + 1) / (frequency + norm)
            found[rowid] = score
        return found
