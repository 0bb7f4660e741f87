"""Typo and spelling tolerance: a question term the index does not know is matched to close index terms.

Works on search terms (folded, stemmed), so "zustaendig", "zuständig" and "zustandig" meet, and a
misspelt "zwiling" finds "zwilling". Only terms that match nothing are corrected; the candidates
come from the index's own term list (FTS5 vocabulary), so a correction always finds something.
"""
from __future__ import annotations

from typing import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

MIN_LENGTH = 4  # shorter terms are too ambiguous to correct


def _max_edits(term: str) -> int:
    return 1 if len(term) <= 6 else 2


class Speller:
    """Finds the index terms closest to an unknown term, preferring frequent ones."""

    def __init__(self, document_frequency: dict[str, int]):
        self.frequency = document_frequency
        self._terms = [t for t in document_frequency if len(t) >= MIN_LENGTH - 1 and not t.isdigit()]

    def known(self, term: str) -> bool:
        return term in self.frequency

    def correct(self, term: str) -> str | None:
        """The best index term within 1–2 edits of `term`, or None (known, too short, or no match)."""
        if self.known(term) or len(term) < MIN_LENGTH or term.isdigit() or not self._terms:
            return None
        limit = _max_edits(term)
        # A cheap ratio filter first, then exact edit distance on the few that pass.
        candidates = process.extract(term, self._terms, scorer=fuzz.ratio, limit=12, score_cutoff=70)
        best: tuple[int, int, str] | None = None
        for candidate, _, _ in candidates:
            distance = Levenshtein.distance(term, candidate, score_cutoff=limit)
            if distance > limit:
                continue
            key = (distance, -self.frequency[candidate], candidate)
            if best is None or key < best:
                best = key
        return best[2] if best else None

    def corrections(self, terms: Iterable[str]) -> dict[str, str]:
        """Unknown term → its correction, for every term that has one."""
        found = {}
        for term in dict.fromkeys(terms):
            corrected = self.correct(term)
            if corrected:
                found[term] = corrected
        return found
