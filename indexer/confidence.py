"""How sure the index is that its top hit answers the question, as a probability in [0, 1].

A logistic model over evidence that is comparable across queries (raw cosine, share of query terms
found, lead over the runner-up, agreement of both retrievers). Coefficients were fitted by
`benchmarks/calibrate_confidence.py` on answerable vs unanswerable XQuAD questions (see README).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

# Fitted coefficients: intercept, dense, coverage, margin, agreement.
COEFFICIENTS = (-8.3, 12.0, 8.0, 0.9, 0.7)


@dataclass
class Evidence:
    """Features of the top hit of one search."""

    dense: float
    coverage: float
    margin: float
    agreement: float

    def vector(self) -> tuple[float, float, float, float]:
        return (self.dense, self.coverage, self.margin, self.agreement)


def confidence(evidence: Evidence, coefficients: tuple[float, ...] = COEFFICIENTS) -> float:
    """Logistic confidence of the top hit."""
    intercept, *weights = coefficients
    value = intercept + sum(w * x for w, x in zip(weights, evidence.vector()))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, value))))
