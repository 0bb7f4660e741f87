"""The answer passage: the one to three consecutive sentences of the best chunk that best answer.

Each sentence is scored by the share of query terms it holds plus, when no sentence holds clearly
more query terms than all others, its cosine to the question (both retrievers' views, as in the
search), so a sentence that says the same in other words still wins.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .analysis import Analyzer
from .sentences import split_sentences

Encoder = Callable[[Sequence[str]], np.ndarray]
MAX_EMBEDDED_SENTENCES = 4


def _is_label(sentence: str) -> bool:
    """Heading lines (" › " marks merged sections), questions and short stubs without final punctuation."""
    text = sentence.rstrip()
    return " › " in text or text.endswith("?") or (len(text.split()) < 6 and not text.endswith((".", "!", ":")))


def answer_passage(
    text: str,
    query_terms: set[str],
    analyzer: Analyzer,
    query_vector: np.ndarray | None = None,
    encode: Encoder | None = None,
    max_sentences: int = 3,
) -> str:
    """The best window of 1–`max_sentences` sentences; a sentence joins only if it adds a query term."""
    located = [(n, s) for n, line in enumerate(text.splitlines()) for s in split_sentences(line)]
    sentences = [sentence for _, sentence in located]
    if len(sentences) <= 1:
        return " ".join(sentences)
    terms = [set(analyzer.terms(sentence)) & query_terms for sentence in sentences]
    labels = [_is_label(sentence) for sentence in sentences]
    if all(labels):
        labels = [False] * len(sentences)
    similarity = np.zeros(len(sentences))
    counts = sorted((len(t) for t, label in zip(terms, labels) if not label), reverse=True)
    clear_winner = len(counts) < 2 or counts[0] > counts[1]
    if query_vector is not None and encode is not None and not clear_winner:
        # Embed only the sentences with the most query terms: the search's latency budget is small.
        chosen = sorted(range(len(sentences)), key=lambda i: (-len(terms[i]), i))[:MAX_EMBEDDED_SENTENCES]
        similarity[chosen] = encode([sentences[i] for i in chosen]) @ query_vector
    total = max(1, len(query_terms))
    best, best_score = (0, 1), -np.inf
    for start in range(len(sentences)):
        if labels[start]:
            continue  # a heading line or a question answers nothing; the sentences below it may
        covered: set[str] = set()
        for end in range(start + 1, min(start + max_sentences, len(sentences)) + 1):
            gained = terms[end - 1] - covered
            if end > start + 1 and (not gained or labels[end - 1]):
                break
            covered |= gained
            score = len(covered) / total + float(similarity[start:end].max()) - 0.1 * (end - start - 1)
            if score > best_score:
                best, best_score = (start, end), score
    start, end = best
    passage = sentences[start]
    for (line_before, _), (line, sentence) in zip(located[start : end - 1], located[start + 1 : end]):
        passage += ("\n" if line != line_before else " ") + sentence  # lists and tables keep their lines
    return passage
