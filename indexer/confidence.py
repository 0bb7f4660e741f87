"""How sure the index is that its top hit answers the question, as a probability in [0, 1].

A logistic model over evidence that is comparable across queries (raw cosine, share of query terms
found, lead over the runner-up, agreement of both retrievers, and how well the chosen answer unit
matches the question). Coefficients were fitted by `benchmarks/fit_answer_units.py` on realistic
staff questions (kb-dev) and on XQuAD with half of its articles held out (see README).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

# Fitted coefficients: intercept, dense, coverage, margin, agreement, answer coverage, answer similarity,
# answer fit (see benchmarks/fit_answer_units.py).
COEFFICIENTS = (-3.75, 1.38, 1.74, 0.26, 0.53, 1.67, 4.54, 0.13, -1.39)


@dataclass
class Evidence:
    """Features of the top hit of one search."""

    dense: float
    coverage: float
    margin: float
    agreement: float
    answer_coverage: float = 0.0  # rarity-weighted share of question terms in the chosen answer unit
    answer_similarity: float = 0.0  # cosine between question and answer unit
    answer_fit: float = 0.0  # the unit holds what the question form asks for (person, date, number)
    unknown: float = 0.0  # share of question terms the index does not hold at all, even after correction

    def vector(self) -> tuple[float, ...]:
        return (self.dense, self.coverage, self.margin, self.agreement, self.answer_coverage,
                self.answer_similarity, self.answer_fit, self.unknown)


def confidence(evidence: Evidence, coefficients: tuple[float, ...] = COEFFICIENTS) -> float:
    """Logistic confidence of the top hit."""
    intercept, *weights = coefficients
    value = intercept + sum(w * x for w, x in zip(weights, evidence.vector()))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, value))))
