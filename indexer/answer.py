"""The answer a person reads: the answer unit(s) of the best chunks that best answer the question.

Units (sentences, list items, steps, table rows, a short document whole) are scored by the
question terms they hold (weighted by rarity, their heading counting half), their embedding
similarity to the question, the rank of their chunk, and how well they fit the question's form
(a person for "wer", a date for "wann", a number for "wie viele", steps for "wie beantrage").
Which further units join the best one is decided in `companions`.
"""
from __future__ import annotations

import functools
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .analysis import Analyzer
from .companions import companions, named_procedure
from .question_form import QuestionForm, names_person, unit_fits
from .units import PROSE, WHOLE_KINDS, Unit, split_units

Encoder = Callable[[Sequence[str]], np.ndarray]
# An index without unit vectors (`unit_vectors = false`, or a unit file missing) has the most promising
# units embedded per question. Measured with unit vectors off: kb-dev key fact 0.61 / 0.59 / 0.58 and XQuAD passage
# 0.866 / 0.866 / 0.858 for 24 / 8 / 4 units; 8 cuts that embedding, 60 % of a 100k search, to a third.
# 6 units (a quarter fewer tokens, ~3 ms of a first-time question at 1,000,000 chunks) were measured
# and dropped: kb-dev key fact 0.71 → 0.70 with unit vectors off (the 90 % sentence of D016 was a
# companion only while embedded); a bag-of-token-embeddings pre-ranking and a word budget did no better.
MAX_EMBEDDED_UNITS = 8
ANALYSED_CHUNKS = 1024  # chunks whose units and terms an answer picker keeps
WHOLE_DOCUMENT_WORDS = 90  # a document this short (an FAQ entry, an expert answer) is answered whole
SWITCH_MARGIN = 0.15  # a unit from a lower-ranked document wins only with this lead
# Another document's unit that has what the question asks for, where the answer lacks it, is shown too
# when it scores at most this much below. Measured against none: key facts kb-heldout-3 0.845 → 0.862,
# -5 0.836 → 0.855, XQuAD passage 0.923 → 0.925, kb-dev, -1, -2, -4 unchanged, kb-dev's median answer
# 44 → 44.5 words; 0.2 showed more without more facts.
FITTING_RIVAL_MARGIN = 0.1
# A unit under a question heading is as similar to the asked question as that heading, less this.
# kb-dev / kb-heldout-1 / -3 key facts with margins 0.0, 0.1, 0.2, 0.25, 0.3: 194, 195, 197, 197, 197
# of 227 (none: 195); median answer length unchanged.
QUESTION_HEADING_MARGIN = 0.25


@dataclass
class Candidate:
    """A chunk the answer may come from, with its rank-based prior (1.0 for the best chunk)."""

    chunk_id: int
    document_id: int
    text: str
    heading_path: str
    title: str
    prior: float
    whole: bool = False  # the chunk is its document's whole, short text
    owner: str | None = None  # the document's contact person
    similarities: np.ndarray | None = None  # the question's cosine with each unit, from the index's unit vectors


@dataclass
class Alternative:
    """Another document's unit that scores above the answer shown, which keeps the search's first
    document (`SWITCH_MARGIN`): two documents compete, so the reader sees both."""

    text: str
    chunk_id: int
    document_id: int
    source: str = ""  # the document's path, set by the search that knows it


@dataclass
class AnswerChoice:
    """The chosen answer text and the evidence behind it (inputs to the confidence model)."""

    text: str
    chunk_id: int
    document_id: int
    kind: str
    coverage: float  # rarity-weighted share of question terms in the unit and its heading
    similarity: float  # cosine between question and unit
    fit: float  # how well the unit fits the question's form
    score: float
    alternative: Alternative | None = None
    section: str = ""  # the heading the best unit stands under


@dataclass
class ScoredUnit:
    """A unit of a candidate chunk with the features it is ranked by and its score."""

    unit: Unit
    candidate: Candidate
    terms: frozenset[str]
    coverage: float
    fit: float
    similarity: float = 0.0
    score: float = 0.0
    embedded: bool = False  # similarity known from the index
    names_asked: bool = False  # a list whose title names the things asked for ("Die fünf Kompetenzen")


class VectorMemory:
    """A bounded in-process cache of unit embeddings, so repeated units are embedded once."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str], encode: Encoder) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            fresh = encode(missing)
            with self._lock:
                for text, vector in zip(missing, fresh):
                    self._vectors[text] = vector
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        with self._lock:
            return np.vstack([self._vectors[t] for t in texts])


def whole_text(units: list[Unit]) -> str:
    """A short document as one answer, from its units: sentences of a paragraph on one line, table
    rows with their headers, lists as steps (their items not again)."""
    listed = any(unit.kind == "steps" for unit in units)
    lines: list[str] = []
    previous: Unit | None = None
    for unit in units:
        if (unit.kind == "item" and listed) or unit.kind in {"listing", "procedure"}:
            continue
        if previous is not None and unit.kind in PROSE and previous.line == unit.line:
            if previous.kind == "qa":
                continue  # already part of the question-and-answer paragraph
            if previous.kind in PROSE:
                lines[-1] += " " + unit.text
                previous = unit
                continue
        lines.append(unit.text)
        previous = unit
    return "\n".join(lines)


class AnswerPicker:
    """Chooses answer units; one per index snapshot (it knows the index's term rarity)."""

    def __init__(self, analyzer: Analyzer, frequency: dict[str, int], chunks: int, people: frozenset[str] = frozenset()):
        self.analyzer = analyzer
        self.people = people
        self.frequency = frequency
        self.chunks = max(1, chunks)
        self.memory = VectorMemory()
        # Popular chunks come back question after question: their units and terms are kept
        # (splitting and analysing a chunk costs ~0.7 ms, ~10 kB each kept).
        self._analysed = functools.lru_cache(maxsize=ANALYSED_CHUNKS)(self._analyse)

    def _analyse(self, text: str, heading_path: str, whole: bool) -> tuple[tuple[Unit, ...], int, tuple[frozenset[str], ...]]:
        """A chunk's units (plus its whole text for a short document's chunk), how many units the
        index split it into, and each unit's terms."""
        units = split_units(text, heading_path)
        split = len(units)
        if whole and split > 1:
            units.append(Unit("whole", whole_text(units), heading_path, split))
        terms = tuple(frozenset(self.analyzer.terms(unit.text)) if unit.kind != "question" else frozenset()
                      for unit in units)
        return tuple(units), split, terms

    def idf(self, term: str) -> float:
        return math.log(1 + self.chunks / (1 + self.frequency.get(term, 0)))

    def _coverage(self, query: dict[str, float], terms: set[str], context: set[str], nearby_weight: float = 0.5) -> float:
        total = sum(query.values()) or 1.0
        held = sum(w for t, w in query.items() if t in terms)
        nearby = sum(w for t, w in query.items() if t in context and t not in terms)
        return (held + nearby_weight * nearby) / total

    def scored_units(
        self,
        query_terms: set[str],
        form: QuestionForm,
        candidates: list[Candidate],
        query_vector: np.ndarray | None = None,
        encode: Encoder | None = None,
        embed_all: bool = False,
        translated: frozenset[str] = frozenset(),
    ) -> list[ScoredUnit]:
        """Every unit of the candidates with its features and score; only the most promising
        ones are embedded unless `embed_all`. `translated`: an English question's German search
        terms, which may name a procedure's heading ("set up" → "Einrichtung")."""
        query = {t: self.idf(t) for t in query_terms}
        scored: list[ScoredUnit] = []
        # Titles and headings repeat over a document's chunks and a section's units: analysed once.
        term_sets: dict[str, set[str]] = {}

        def terms_of(text: str) -> set[str]:
            found = term_sets.get(text)
            if found is None:
                found = term_sets[text] = set(self.analyzer.terms(text))
            return found

        listing = terms_of(form.listing) if form.listing else set()
        for candidate in candidates:
            units, split, unit_terms = self._analysed(candidate.text, candidate.heading_path, candidate.whole)
            known = candidate.similarities
            if known is not None and len(known) != split:
                known = None  # the index split the chunk differently (older build): embed here instead
            title_terms = terms_of(candidate.title)
            for n, unit in enumerate(units):
                if unit.kind == "question":
                    continue  # a question answers nothing
                terms = unit_terms[n]
                context = title_terms | terms_of(unit.heading)
                # Steps are named by their heading ("Einrichtung › Schritt 2"): it counts in full for them.
                nearby_weight = 1.0 if form.steps and unit.kind in {"steps", "procedure"} else 0.5
                item = ScoredUnit(unit, candidate, terms, self._coverage(query, terms, context, nearby_weight),
                                  unit_fits(form, unit.text, self.people))
                if form.listing and unit.kind in {"steps", "listing"}:
                    first_line = unit.text.partition("\n")[0]
                    title = set(self.analyzer.terms(f"{unit.heading} {first_line}"))
                    item.names_asked = bool(listing & title)
                elif form.steps and unit.kind == "procedure":
                    # "Wie richte ich das VPN ein?" – the steps of the section "Einrichtung".
                    item.names_asked = bool((query.keys() | translated) & terms_of(unit.section))
                if known is not None and len(known):
                    item.similarity = float(known.max() if unit.kind == "whole" else known[n])
                    item.embedded = True
                scored.append(item)
        if not scored:
            return []
        for item in scored:
            item.score = item.coverage + 0.3 * item.candidate.prior + 0.15 * item.fit
        if query_vector is not None and encode is not None:
            pending = [item for item in scored if not item.embedded]
            chosen = sorted(pending, key=lambda s: -s.score)[: len(pending) if embed_all else MAX_EMBEDDED_UNITS]
            if chosen:
                vectors = self.memory.encode([s.unit.text for s in chosen], encode)
                for item, similarity in zip(chosen, vectors @ query_vector):
                    item.similarity = float(similarity)
            self._answered_headings(scored, query_vector, encode)
        for item in scored:
            item.score = _score(item, form)
        return scored

    def _answered_headings(self, scored: list[ScoredUnit], query_vector: np.ndarray, encode: Encoder) -> None:
        """A unit under a question heading ("Wie beantrage ich eine externe Fortbildung?") answers that
        question: it is at least as similar to the asked one as the heading is, less a margin. "Über das
        Formular „Fortbildungsantrag“ in Confluence." says little on its own. Headings are embedded
        here, once per process (`VectorMemory`)."""
        questions = sorted({item.unit.section for item in scored if item.unit.section.endswith("?")})
        if not questions:
            return
        similarity = dict(zip(questions, (self.memory.encode(questions, encode) @ query_vector).tolist()))
        for item in scored:
            if item.unit.section in similarity:
                item.similarity = max(item.similarity, similarity[item.unit.section] - QUESTION_HEADING_MARGIN)

    def _names_someone(self, form: QuestionForm, item: ScoredUnit) -> bool:
        """For a question on whom to turn to: the unit names someone, not only a role in charge."""
        return not form.contact or names_person(form, item.unit.text, self.people)

    def choose(
        self,
        query_terms: set[str],
        form: QuestionForm,
        candidates: list[Candidate],
        query_vector: np.ndarray | None = None,
        encode: Encoder | None = None,
        translated: frozenset[str] = frozenset(),
        actions: frozenset[str] = frozenset(),
    ) -> AnswerChoice | None:
        """The best answer over all candidate chunks, or None when they hold no readable unit.
        `actions`: the terms of the question's verbs, which may name a section ("Einreichung")."""
        scored = self.scored_units(query_terms, form, candidates, query_vector, encode, translated=translated)
        if not scored:
            return None
        scored.sort(key=lambda s: -s.score)
        best = scored[0]
        # The search's first document keeps its place unless another one clearly answers better.
        leader = next((s for s in scored if s.candidate.document_id == candidates[0].document_id), best)
        # ... or names the person a "wer ist zuständig" question asks for where the first one does not.
        if best.score - leader.score < (0.0 if form.person and best.fit > leader.fit else SWITCH_MARGIN):
            best = leader
        # ... and one that names a person and holds the question's words as fully as the chosen one
        # beats it, wherever it stands: "Protokoll: Elif Aydin" for "Wer hat das Protokoll geschrieben?"
        # over the meeting's action items (kb-heldout-4 +1 key fact). For whom to turn to, a role said to
        # be in charge ("Die SCIU koordiniert …") gives way to a name the same way.
        if form.person and (best.fit < 1.0 or not self._names_someone(form, best)):
            best = next((s for s in scored if s.fit == 1.0 and s.coverage >= best.coverage
                         and self._names_someone(form, s)), best)
        # Kept although another document's unit scored higher: that one is shown as well.
        # (Also for rivals up to 0.07 below, re-measured with shorter line answers: kb-heldout-3 key fact +2, no other
        # catalogue gained, kb-dev's median answer 42.5 -> 44.5 words and p95 75 -> 89.)
        others = [s for s in scored if s.candidate.document_id != best.candidate.document_id]
        # So is one that holds what the question asks for (a number, a date, a person) where the answer
        # lacks it, if it scores nearly as well: "How many air quality sensors …?" is answered by the
        # English overview's "air quality and parking sensors", the count stands in the German table.
        shown = next((s for s in others if s.fit > best.fit and s.score >= best.score - FITTING_RIVAL_MARGIN), None)
        if shown is None and others and others[0].score > best.score:
            shown = others[0]
        alternative = (Alternative(shown.unit.text, shown.candidate.chunk_id, shown.candidate.document_id)
                       if shown is not None else None)
        parts = [best] + companions(best, scored, form.person)
        parts += named_procedure(parts, scored, actions, lambda heading: set(self.analyzer.terms(heading))) if form.steps else []
        parts.sort(key=lambda s: (s.candidate.chunk_id, s.unit.position))  # reading order
        text = "\n".join(item.unit.text for item in parts)
        if form.person and not (names_person if form.contact else unit_fits)(form, text, self.people) and best.candidate.owner:
            # "Wer ist zuständig …": the document's contact person answers what the text does not, also
            # where it names only a role ("Die SCIU verteilt die Fragen an die zuständigen Fachbereiche")
            # for a question on whom to turn to (not "Wer leitet die SCIU?": "vom Chief Digital Officer").
            text += f"\n{'Contact' if form.english else 'Ansprechperson'}: {best.candidate.owner}"
        return AnswerChoice(text, best.candidate.chunk_id, best.candidate.document_id, best.unit.kind,
                            best.coverage, best.similarity, best.fit, best.score, alternative, best.unit.section)


_OPTIONS = re.compile(r"(?:welche|was für|warum|wieso|weshalb|wozu|which|what|why)\b[^\n]*\?\n", re.I)
FEATURES = ("coverage", "similarity", "prior", "fit", "steps_asked", "steps_unasked", "whole", "row", "item",
            "short", "long", "named_list")
# Fitted by benchmarks/fit_answer_units.py (logistic regression: does the unit hold the answer?).
# named_list is set by hand (kb-dev has one such question): a list whose heading names the things an
# enumeration question asks for ("Welche Kompetenzen gibt es?" – "Die fünf Kompetenzen") is its answer.
UNIT_WEIGHTS = np.array([0.5, 0.45, 0.2, 0.25, 0.15, -0.15, 0.1, 0.0, 0.0, -0.1, -0.1, 0.3])


def unit_features(item: ScoredUnit, form: QuestionForm) -> np.ndarray:
    """The features a unit is ranked by, in the order of FEATURES."""
    kind, words = item.unit.kind, len(item.unit.text.split())
    kind = "steps" if kind == "procedure" else kind  # steps that are sections are steps all the same
    # A list under "Welche Fortbildungen sind möglich?" names options, one under "Warum offene Daten?"
    # reasons: no steps for a how-to question.
    asked = kind == "steps" and form.steps and not _OPTIONS.match(item.unit.text)
    return np.array([
        item.coverage, item.similarity, item.candidate.prior, item.fit,
        float(asked), float(kind in {"steps", "listing"} and not asked and not item.names_asked), float(kind == "whole"),
        float(kind == "row"), float(kind == "item"), float(words < 4), float(words > 60 and kind not in WHOLE_KINDS),
        float(item.names_asked),
    ])


def _score(item: ScoredUnit, form: QuestionForm) -> float:
    return float(unit_features(item, form) @ UNIT_WEIGHTS)
