"""Fit the answer-unit weights (indexer/answer.py UNIT_WEIGHTS) on realistic and on XQuAD questions.

For every question, every unit of the chunks the search offers as answer candidates is labelled
by whether it holds a key fact (kb-dev catalogue) or the answer text (XQuAD). A logistic regression
over the unit features gives the weights; the script prints them and the share of questions whose
top unit holds the fact, with the current and with the fitted weights.

    python benchmarks/fit_answer_units.py ../shared/eval/kb-dev.json ../shared/eval/xquad-de-dev.json
"""
from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.catalogue_eval import contains_fact
from calibrate_confidence import fit_logistic
from indexer import Index, IndexSettings, build_index
from indexer import answer as answer_module
from indexer.embedder import load_embedder
from indexer.evaluation import _write_documents, load_squad

REPO = Path(__file__).resolve().parent.parent


def collect(index: Index, questions: list[tuple[str, list[str], frozenset[str]]], evidence: list) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: the feature matrix of its candidate units and their labels. Appends to
    `evidence` each question's confidence evidence and whether its answer text holds the fact."""
    captured: dict = {}
    original = answer_module.AnswerPicker.choose

    def capture(self, query_terms, form, candidates, query_vector=None, encode=None):
        captured.update(picker=self, args=(query_terms, form, candidates, query_vector, encode))
        return original(self, query_terms, form, candidates, query_vector, encode)

    answer_module.AnswerPicker.choose = capture
    rows = []
    try:
        for question, facts, groups in questions:
            captured.clear()
            result = index.search(question, k=5, groups=groups)
            if result.evidence is not None:
                evidence.append((result.evidence.vector(), any(contains_fact(result.passage, f) for f in facts)))
            if not captured or not facts:
                continue
            picker, (terms, form, candidates, vector, encode) = captured["picker"], captured["args"]
            scored = picker.scored_units(terms, form, candidates, vector, encode, embed_all=True)
            if not scored:
                continue
            x = np.array([answer_module.unit_features(item, form) for item in scored])
            y = np.array([any(contains_fact(item.unit.text, fact) for fact in facts) for item in scored], dtype=float)
            rows.append((x, y))
    finally:
        answer_module.AnswerPicker.choose = original
    return rows


def fit_listwise(rows, start: np.ndarray, l2: float = 0.05, steps: int = 300, rate: float = 0.5) -> np.ndarray:
    """Conditional logit: maximise, per question, the probability mass of units that hold the fact
    (a softmax over that question's units), so weights rank units within a question."""
    weights = start.astype(float).copy()
    for _ in range(steps):
        gradient = -l2 * weights
        for x, y in rows:
            scores = x @ weights
            p = np.exp(scores - scores.max())
            p /= p.sum()
            q = p * y
            q /= q.sum()
            gradient += (q - p) @ x
        weights += rate * gradient / len(rows)
    return weights


def report_confidence(evidence: list, kb_count: int) -> None:
    """Fit P(the answer text holds the fact) on the evidence and print coefficients and rates."""
    x = np.array([e[0] for e in evidence])
    y = np.array([e[1] for e in evidence], dtype=float)
    beta = fit_logistic(x, y, l2=0.1)
    print("confidence coefficients (intercept first):", np.round(beta, 2).tolist())
    p = 1 / (1 + np.exp(-(beta[0] + x @ beta[1:])))
    for name, part in (("kb-dev", slice(0, kb_count)), ("xquad", slice(kb_count, None))):
        for threshold in (0.3, 0.4, 0.5):
            answered = p[part] >= threshold
            right = y[part] > 0
            print(f"  {name} threshold {threshold}: answered {answered.mean():.2f}; right answers kept "
                  f"{(answered & right).sum() / max(1, right.sum()):.2f}; wrong or unanswerable declined "
                  f"{(~answered & ~right).sum() / max(1, (~right).sum()):.2f}")


def top_hit_rate(rows, weights: np.ndarray, top: int = 1) -> float:
    """Share of questions where one of the `top` best-scored units holds the fact."""
    return sum(y[np.argsort(-(x @ weights))[:top]].any() for x, y in rows) / len(rows)


def main(catalogue: Path, squad: Path) -> None:
    embedder = load_embedder(IndexSettings().model)
    kb_questions = [(e["question"], e["key_facts"] if e["expected_source"] else [],
                     frozenset({e["group"]} if e["group"] else ())) for e in json.loads(catalogue.read_text())]
    with tempfile.TemporaryDirectory() as temp:
        settings = IndexSettings(knowledge_dir=REPO / "knowledge", data_dir=Path(temp) / "kb", progress=False)
        build_index(settings, embedder=embedder)
        evidence: list = []
        kb_rows = collect(Index(settings, embedder=embedder), kb_questions, evidence)
        paragraphs = load_squad(squad)
        # Every other article is indexed; questions about the others have no answer (label 0).
        articles = sorted({p.key.split("/")[0] for p in paragraphs})[::2]
        _write_documents([p for p in paragraphs if p.key.split("/")[0] in articles], Path(temp) / "squad" / "knowledge")
        squad_settings = replace(settings, knowledge_dir=Path(temp) / "squad" / "knowledge", data_dir=Path(temp) / "sq")
        build_index(squad_settings, embedder=embedder)
        squad_questions = [(q, answers if p.key.split("/")[0] in articles else [], frozenset())
                           for p in paragraphs for q, answers in p.questions][::2]
        squad_rows = collect(Index(squad_settings, embedder=embedder), squad_questions, evidence)
    report_confidence(evidence, len(kb_questions))
    rows = [r for r in kb_rows + squad_rows if r[1].any()]
    fitted = fit_listwise(rows, answer_module.UNIT_WEIGHTS)
    print("features:", ", ".join(answer_module.FEATURES))
    print("fitted weights:", np.round(fitted, 3).tolist())
    for name, data in (("kb-dev", kb_rows), ("xquad", squad_rows)):
        answerable = [r for r in data if r[1].any()]
        print(f"{name}: {len(data)} questions, {len(answerable)} with the fact among the units; top unit holds it: "
              f"current {top_hit_rate(data, answer_module.UNIT_WEIGHTS):.3f}, fitted {top_hit_rate(data, fitted):.3f}; "
              f"in the top 2: {top_hit_rate(data, answer_module.UNIT_WEIGHTS, 2):.3f}, top 3: "
              f"{top_hit_rate(data, answer_module.UNIT_WEIGHTS, 3):.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
