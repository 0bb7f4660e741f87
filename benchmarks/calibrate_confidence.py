"""Fit the confidence model's coefficients on answerable vs unanswerable XQuAD questions.

Indexes every other article of the eval file (`run_eval(holdout=True)`): questions about indexed
articles should be answered, questions about the others should not. Fits a logistic regression
(P(top hit is right)) on the search evidence and prints coefficients and both rates.

    python benchmarks/calibrate_confidence.py ../shared/eval/xquad-de-dev.json
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from indexer.confidence import COEFFICIENTS, Evidence, confidence
from indexer.evaluation import run_eval
from indexer.settings import IndexSettings, SearchSettings


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 50) -> np.ndarray:
    """Newton–Raphson (IRLS) with a little L2 on the weights; returns [intercept, *weights]."""
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(len(beta)) * l2
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (y - p) - penalty @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        beta += np.linalg.solve(hessian, gradient)
    return beta


def rates(outcomes, coefficients, threshold: float) -> tuple[float, float, float]:
    answered = [confidence(o.evidence, coefficients) >= threshold for o in outcomes]
    good = [a for a, o in zip(answered, outcomes) if o.indexed]
    bad = [a for a, o in zip(answered, outcomes) if not o.indexed]
    right = [a for a, o in zip(answered, outcomes) if o.indexed and o.rank == 1]
    return sum(good) / len(good), 1 - sum(bad) / len(bad), sum(right) / max(1, len(right))


def main(path: str) -> None:
    report = run_eval(Path(path), IndexSettings(progress=False), SearchSettings(), holdout=True)
    outcomes = [o for o in report.outcomes if o.evidence is not None]
    x = np.array([o.evidence.vector() for o in outcomes])
    y = np.array([1.0 if o.indexed and o.rank == 1 else 0.0 for o in outcomes])
    # Fit on one half of the questions, report on the other, so the figures are not self-fulfilling.
    rng = np.random.default_rng(7)
    order = rng.permutation(len(outcomes))
    train, test = order[: len(order) // 2], order[len(order) // 2 :]
    beta = fit_logistic(x[train], y[train])
    print(f"questions: {len(outcomes)} (answerable {int(sum(o.indexed for o in outcomes))})")
    print(f"current coefficients: {tuple(round(c, 2) for c in COEFFICIENTS)}")
    print(f"fitted coefficients (intercept, dense, coverage, margin, agreement): {tuple(round(float(b), 2) for b in beta)}")
    held_out = [outcomes[i] for i in test]
    for name, coefficients in (("current", COEFFICIENTS), ("fitted", tuple(beta))):
        for threshold in (0.3, 0.4, 0.5, 0.6):
            above, below, right = rates(held_out, coefficients, threshold)
            print(f"{name:8s} threshold {threshold:.1f}: answerable above {above:.3f} · "
                  f"unanswerable below {below:.3f} · correct top hits above {right:.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/xquad-de-dev.json")
