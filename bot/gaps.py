"""Knowledge gaps: the questions the bot could not answer well, grouped by meaning, most frequent first.

A question counts when its confidence was below the threshold, someone pressed 👎, or it was
handed to an expert. Paraphrases are grouped by average-linkage clustering of their embeddings
with a cosine threshold, so "Gibt es eine Kantine?" and "Wo kann ich mittags essen?" land together.
Redacted questions ("[Telefon]" instead of a number) group like the originals; questions logged without
text (`[chat] store_questions = "none"`) are only counted.
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from textwrap import shorten
from typing import Callable, Sequence

import numpy as np

from .interactions import Interactions

Encode = Callable[[Sequence[str]], np.ndarray]
REASONS = {"unsure": "unsicher", "down": "👎", "handoff": "weitergeleitet"}
MAX_DISTINCT = 3000  # distinct questions clustered at most (the most recent), to keep this quick


@dataclass
class GapQuestion:
    """One logged question that the bot could not answer well, and why it counts (text None: not stored)."""

    text: str | None
    asked_at: str
    reasons: frozenset[str]


@dataclass
class GapCluster:
    """Questions that mean the same: how often, one example, and why they count."""

    example: str
    count: int
    questions: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    last_asked: str = ""


@dataclass
class GapReport:
    """The grouped questions, and how many more counted but had no stored text to group by."""

    clusters: list[GapCluster]
    without_text: int = 0


def gap_questions(interactions: Interactions, days: int | None = None) -> list[GapQuestion]:
    """Questions of the last `days` days (all when None) that were unsure, got 👎 or were handed off."""
    since = "" if days is None else (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
    found = []
    for text, asked_at, unsure, down, handed in interactions.doubtful_questions(since):
        reasons = frozenset(r for r, flag in (("unsure", unsure), ("down", down), ("handoff", handed)) if flag)
        if reasons:
            found.append(GapQuestion(text, asked_at, reasons))
    return found


def _average_linkage(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Merge the two most similar groups while their average cosine similarity reaches `threshold`."""
    groups = [[i] for i in range(len(vectors))]
    if len(groups) < 2:
        return groups
    similarity = (vectors @ vectors.T).astype(np.float64)
    np.fill_diagonal(similarity, -np.inf)
    alive = np.ones(len(groups), dtype=bool)
    while True:
        flat = int(np.argmax(similarity))
        a, b = divmod(flat, len(groups))
        if similarity[a, b] < threshold:
            break
        size_a, size_b = len(groups[a]), len(groups[b])
        merged = (size_a * similarity[a] + size_b * similarity[b]) / (size_a + size_b)  # Lance–Williams
        similarity[a], similarity[:, a] = merged, merged
        similarity[a, a] = -np.inf
        similarity[b, :], similarity[:, b] = -np.inf, -np.inf
        groups[a] += groups[b]
        groups[b], alive[b] = [], False
    return [g for g, keep in zip(groups, alive) if keep]


def cluster_questions(questions: list[GapQuestion], encode: Encode, threshold: float = 0.6) -> list[GapCluster]:
    """Group questions by meaning; the example is the question most like the others in its group."""
    by_text: dict[str, list[GapQuestion]] = {}
    for question in questions:
        if question.text is None:
            continue
        by_text.setdefault(" ".join(question.text.lower().split()), []).append(question)
    keys = list(by_text)[-MAX_DISTINCT:]
    if not keys:
        return []
    vectors = np.asarray(encode([by_text[k][0].text for k in keys]), dtype=np.float32)
    clusters = []
    for members in _average_linkage(vectors, threshold):
        weights = np.array([len(by_text[keys[m]]) for m in members], dtype=np.float32)
        centre = (vectors[members] * weights[:, None]).sum(axis=0)
        example = members[int(np.argmax(vectors[members] @ centre))]
        asked = [q for m in members for q in by_text[keys[m]]]
        clusters.append(GapCluster(
            example=by_text[keys[example]][0].text, count=len(asked),
            questions=sorted({q.text for q in asked}), reasons=Counter(r for q in asked for r in q.reasons),
            last_asked=max(q.asked_at for q in asked),
        ))
    clusters.sort(key=lambda c: c.last_asked, reverse=True)  # ties: the most recently asked first
    return sorted(clusters, key=lambda c: -c.count)


def knowledge_gaps(interactions: Interactions, encode: Encode, days: int | None = 90,
                   threshold: float = 0.6) -> GapReport:
    """The gap report: questions not answered well in the last `days` days, grouped, most frequent first."""
    questions = gap_questions(interactions, days)
    return GapReport(cluster_questions(questions, encode, threshold), sum(q.text is None for q in questions))


def reasons_text(reasons: Counter) -> str:
    """E.g. "3 × unsicher, 1 × 👎"."""
    order = list(REASONS)
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], order.index(kv[0])))
    return ", ".join(f"{n} × {REASONS[r]}" for r, n in ranked)


def gaps_text(report: GapReport, limit: int = 10, width: int = 120) -> str:
    """The report as plain German text (for `lotse gaps` and /luecken)."""
    clusters, lines = report.clusters, []
    if report.without_text:
        lines.append(f"{report.without_text} offene Fragen ohne gespeicherten Text (Einstellung "
                     "[chat] store_questions = \"none\"): Sie werden gezählt, lassen sich aber nicht nach Themen ordnen.")
    if not clusters:
        return "\n".join(lines) or "Keine Wissenslücken: Alle Fragen im Zeitraum wurden sicher beantwortet."
    lines.append(f"{len(clusters)} Themen mit offenen Fragen (häufigste zuerst):")
    for number, cluster in enumerate(clusters[:limit], start=1):
        lines.append(f"{number}. {cluster.count} × „{shorten(cluster.example, width, placeholder=' …')}“"
                     f" ({reasons_text(cluster.reasons)}; zuletzt {cluster.last_asked[:10]})")
        others = [q for q in cluster.questions if q != cluster.example]
        if others:
            lines.append(f"   ähnlich: {shorten(' · '.join(others), width, placeholder=' …')}")
    if len(clusters) > limit:
        lines.append(f"… und {len(clusters) - limit} weitere.")
    return "\n".join(lines)


def write_csv(clusters: list[GapCluster], path: Path) -> None:
    """One row per group: rank, count, example, reasons, last asked, all questions (UTF-8 with BOM for Excel)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Rang", "Anzahl", "Beispiel", "Gründe", "Zuletzt gefragt", "Alle Fragen"])
        for rank, cluster in enumerate(clusters, start=1):
            writer.writerow([rank, cluster.count, cluster.example, reasons_text(cluster.reasons),
                             cluster.last_asked, " | ".join(cluster.questions)])
