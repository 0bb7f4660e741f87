"""Hybrid retrieval over one index generation: FTS5 (German analysis) + FAISS, fused by z-scores.

`Snapshot._search` is the one place where access, both retrievers, the answer unit and the
confidence meet; the rules it applies live beside it (`question_reading` for the words searched,
`fusion`, `asked_value`, `stated_values`, `answer`, `confidence`), which is why it stays one module
of ~500 lines; its SQL lives in `store`.
"""
from __future__ import annotations

import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

import numpy as np

from .access import groups_of
from .common_synonyms import CALL_QUESTION, COMMON_SYNONYMS
from .analysis import Analyzer
from .confidence import Evidence, confidence
from .document_state import SearchDocument, is_outdated
from .embedder import Embedder
from .fusion import collapse_duplicates, fuse
from .glossary import Glossary, GlossaryEntry, definition_text
from .question_reading import QuestionReader
from .asked_value import asks_for_stated_value, asks_for_value, date_missing
from .answer import WHOLE_DOCUMENT_WORDS, AnswerChoice, AnswerPicker, Candidate
from .question_form import (NAME_QUESTION, PERSON, SECRET_QUESTION, QuestionForm, name_missing, product_name_missing,
                            subject_of, unit_fits)
from .delta_search import DeltaSearch
from .delta_store import MergedStore
from .health import open_generation
from .lexical import COLUMN_WEIGHTS, Lexical, LexicalHits
from .records import Hit
from .sentences import split_sentences
from .thesaurus import shared_thesaurus
from .translations import shared_translations
from .spelling import Speller, proper_names, word_list
from .stated_values import StatedValues
from .settings import SearchSettings
from .supersede import resolve, target
from .unit_vectors import UnitVectors
from .vectors import search_vectors

# BM25 of glossary expansions counts this much of the question's own terms.
EXPANSION_WEIGHT = 0.5
# For English questions over German documents the lexical side matches little; the multilingual
# embeddings carry more of the ranking.
CROSS_LANGUAGE_DENSE_WEIGHT = 0.5
# The answer is chosen among this many top documents, from their best chunks.
ANSWER_DOCUMENTS = 3
ANSWER_CHUNKS_PER_DOCUMENT = 3
# Weight of a document's best unit similarity (z-scored over the hits) added to its fused score.
UNIT_WEIGHT = 1.0
# ... and for a "wer ist zuständig" question, half of it: the person stands in a table row or a contact
# line ("Presse, Kommunikation – Ansprechperson: Nora Schmidt"), which embeds far from any question,
# so the directory that answers sank below documents with a fluent sentence on the topic. Measured:
# held-out-3 source@1 0.845 → 0.879, the never-read held-out-2 and -5 one key fact more each; kb-dev,
# XQuAD unchanged; 0.25–0.7 alike, 0 loses a kb-dev answer.
PERSON_UNIT_WEIGHT = 0.5
UNIT_CHUNKS_PER_DOCUMENT = 50
UNIT_Z_LIMIT = 3.0
RERANKED_DOCUMENTS = 16  # documents reranked by their units, whatever k: a result must not depend on k


@dataclass
class SearchResult:
    """Ranked hits plus what the bot shows first: the answer passage and how sure the index is."""

    query: str
    hits: list[Hit]
    confidence: float
    answerable: bool  # confident enough to answer, at least with a caveat
    passage: str = ""
    expansions: list[str] = field(default_factory=list)
    generation: int = 0
    evidence: Evidence | None = None
    corrections: dict[str, str] = field(default_factory=dict)  # unknown term -> index term (or synonym) searched instead
    answer: AnswerChoice | None = None
    certain: bool = False  # confident enough to answer without a caveat

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class Snapshot:
    """A read-only view of one published generation; searched from any thread."""

    def __init__(self, directory: Path, embedder: Embedder, settings: SearchSettings):
        self.directory = directory
        # verified on open: a damaged generation is refused, never half served
        self.store, self.manifest, self.vectors = open_generation(directory)
        self.generation = int(self.manifest.get("generation", 0))
        self.embedder = embedder
        self.analyzer = Analyzer(self.store.vocabulary())
        frequency = self.store.term_frequencies()
        self.speller = Speller(frequency)
        word_list("de"), word_list("en")  # start loading the word lists while the rest opens
        self.thesaurus = shared_thesaurus(settings.thesaurus)
        self.translations = shared_translations(settings.dictionary)
        self.delta = (DeltaSearch(directory, self.store, frequency, COLUMN_WEIGHTS)
                      if isinstance(self.store, MergedStore) else None)
        self.settings = settings
        self._lock = threading.Lock()
        self._excluded_cache: dict[tuple[frozenset[str], bool, bool], np.ndarray] = {}
        self._fallback_cache: dict[frozenset[str], bool] = {}
        today = date.today()
        self.documents: dict[int, SearchDocument] = {
            doc_id: SearchDocument(title, path, meta, groups_of(access) or frozenset(), False)
            for doc_id, title, path, meta, access in self.store.search_documents()
        }
        ids = {doc.path: doc_id for doc_id, doc in self.documents.items()}
        links = {doc.path: target(doc.meta.get("superseded_by")) for doc in self.documents.values()}
        succession = resolve(links, set(ids))
        for doc in self.documents.values():
            doc.outdated = is_outdated(doc.meta, today, doc.path in succession.problems)
            successor = succession.successors.get(doc.path)
            doc.successor = ids[successor] if successor else None
        self.chunk_document = self.store.chunk_documents()
        self.document_chunks: dict[int, list[int]] = {}
        for chunk_id, document_id in sorted(self.chunk_document.items()):
            self.document_chunks.setdefault(document_id, []).append(chunk_id)
        self.units = UnitVectors.load(directory)
        self.short_documents = self.store.one_chunk_documents(WHOLE_DOCUMENT_WORDS)
        people = frozenset(name for doc in self.documents.values() if (name := _person(doc.meta.get("owner"))))
        self.picker = AnswerPicker(self.analyzer, frequency, len(self.chunk_document), people)
        self.values = StatedValues(self.analyzer, self._document_text, self.chunk_document)
        center = (self.manifest.get("vectors") or {}).get("center")
        self.vector_center = np.asarray(center, dtype=np.float32) if center else None
        self.bm25 = Lexical(self.store, self.analyzer, frequency, self._lock, self.delta)
        # Only glossaries open to everyone expand queries, so a restricted glossary never leaks.
        entries = [(GlossaryEntry(term, expansion, note or ""), document_id)
                   for document_id, term, expansion, note in self.store.glossary_rows()]
        self.glossary = Glossary([e for e, d in entries if not self.documents[d].access],
                                 {**COMMON_SYNONYMS, **settings.synonyms})
        self.reader = QuestionReader(self.analyzer, self.speller, self.glossary, self.thesaurus, self.translations)
        self.glossary_chunk = {d: c for c, d in sorted(self.chunk_document.items(), reverse=True) if self.documents[d].glossary}

    @property
    def chunk_count(self) -> int:
        return len(self.chunk_document)

    def close(self) -> None:
        self.store.close()
        if self.units is not None:
            self.units.close()  # the unit files are read by pread: an open handle each

    def lead(self, path: str, sentences: int) -> str:
        """The first sentences of a document's first paragraph (a heading or table may follow it)."""
        document_id = next((i for i, d in self.documents.items() if d.path == path), None)
        if document_id is None:
            return ""
        with self._lock:
            first_paragraph = self.store.first_chunk_text(document_id).split("\n")[0]
        return " ".join(split_sentences(first_paragraph)[:sentences])

    def _replaced(self, doc: SearchDocument, groups: frozenset[str]) -> bool:
        """Superseded by a document this caller can see. For everyone else the old one stays,
        flagged as outdated, so restricting a successor never takes the public version away."""
        return doc.successor is not None and self.documents[doc.successor].visible_to(groups)

    def _excluded(self, groups: frozenset[str], include_outdated: bool, access_only: bool = False) -> np.ndarray:
        """Chunk ids a caller must not see: other groups' documents, replaced ones, glossaries,
        outdated ones unless asked (`access_only`: only other groups' documents). Cached per
        caller kind, since a generation never changes."""
        key = (groups, include_outdated, access_only)
        cached = self._excluded_cache.get(key)
        if cached is None:
            banned = {
                doc_id for doc_id, doc in self.documents.items()
                if not doc.visible_to(groups) or (not access_only and (
                    self._replaced(doc, groups) or doc.glossary or (doc.outdated and not include_outdated)))
            }
            cached = np.array([c for c, d in self.chunk_document.items() if d in banned], dtype=np.int64)
            if len(self._excluded_cache) < 256:
                self._excluded_cache[key] = cached
        return cached

    def _sees_term(self, term: str, groups: frozenset[str], searchable: bool = False) -> bool:
        """Whether a document the caller may see holds `term` (`searchable`: one a search may return,
        not the glossary). A word only restricted documents use is as unknown to an outsider as one
        no document uses, and must not make their answer surer."""
        chunks = self.speller.frequency.get(term, 0)
        hidden = self._excluded(groups, include_outdated=True, access_only=not searchable)
        if chunks > len(hidden):
            return True  # more chunks hold it than the caller may not see
        return chunks > 0 and bool(self.bm25.search("", 1, hidden, [term]).scores)

    def _has_fallback(self, groups: frozenset[str]) -> bool:
        """Whether outdated documents this caller could fall back on exist; cached per caller kind,
        since the scan over all documents costs milliseconds in a large index."""
        cached = self._fallback_cache.get(groups)
        if cached is None:
            cached = any(doc.outdated and not self._replaced(doc, groups) for doc in self.documents.values())
            if len(self._fallback_cache) < 256:
                self._fallback_cache[groups] = cached
        return cached

    def lexical(self, query: str, expansions: list[str], limit: int, excluded: np.ndarray,
                corrections: Iterable[str] = (), synonyms: Iterable[str] = ()) -> LexicalHits:
        """BM25 of the question (with spelling corrections), plus a down-weighted BM25 of its
        glossary expansions and of its words' synonyms (search terms).

        Kept apart so that a document which merely spells out an abbreviation (the glossary itself)
        does not outrank the documents about the thing asked for.
        """
        found = self.bm25.search(query, limit, excluded, corrections)
        synonyms = list(synonyms)
        for text, terms in ((" ".join(expansions), ()), ("", synonyms)):
            if not text and not terms:
                continue
            expanded = self.bm25.search(text, limit, excluded, terms)
            for chunk_id, score in expanded.scores.items():
                found.scores[chunk_id] = found.scores.get(chunk_id, 0.0) + EXPANSION_WEIGHT * score
            found.complete = found.complete and expanded.complete
        return found

    def dense(self, vector: np.ndarray, limit: int, excluded: np.ndarray) -> dict[int, float]:
        if self.delta is not None:
            return self.delta.dense(self.vectors, vector, limit, excluded)
        return dict(search_vectors(self.vectors, vector, limit, excluded, self.vector_center))

    def hits(self, ranked: list[tuple[int, float]], lexical: dict, dense: dict) -> list[Hit]:
        ids = [chunk_id for chunk_id, _ in ranked]
        if not ids:
            return []
        with self._lock:
            rows = self.store.chunks_by_id(ids)
        result = []
        for chunk_id, score in ranked:
            document_id, text, heading_path = rows[chunk_id]
            doc = self.documents[document_id]
            scores = {"fused": score}
            if chunk_id in lexical:
                scores["lexical"] = lexical[chunk_id]
            if chunk_id in dense:
                scores["dense"] = dense[chunk_id]
            result.append(
                Hit(chunk_id=chunk_id, text=text, title=doc.title, heading_path=heading_path, source=doc.path,
                    meta=doc.meta, score=score, scores=scores, outdated=doc.outdated)
            )
        return result

    def search(self, query: str, k: int, groups: Iterable[str] = (), per_document: bool | None = None) -> SearchResult:
        """Hybrid search with access filtering before top-k; outdated documents only as a fallback."""
        groups = frozenset(groups)
        per_document = self.settings.one_chunk_per_document if per_document is None else per_document
        spelled_out = self.reader.unknown_abbreviations(query, functools.partial(self._sees_term, groups=groups))
        expansions = self.glossary.expansions(query) + [long_form for _, long_form in spelled_out]
        vectors = _QuestionVectors(self.embedder, query, expansions)
        result = self._search(query, expansions, spelled_out, vectors, k, groups, per_document, include_outdated=False)
        if not result.certain and self._has_fallback(groups):
            # An outdated document is the answer only where no current one answers as well (flagged).
            fallback = self._search(query, expansions, spelled_out, vectors, k, groups, per_document, include_outdated=True)
            if fallback.answerable and fallback.confidence > result.confidence:
                result = fallback
        result.expansions = expansions
        # "Wie heißt unser CDO?" asks for a person's name, not what the abbreviation stands for.
        asks_name = bool(NAME_QUESTION.search(query))
        definitions = [] if asks_name else self.glossary.definitions(query)
        if definitions:
            result = self._with_definitions(result, definitions, k)
        elif not result.answerable and not asks_for_value(query) and not asks_name and (
                notes := self.glossary.explaining(query, self.analyzer)):
            # Where no document answers, the glossary may explain (but never a sum, year, time or name).
            result = self._with_definitions(result, notes, k, confidence=self.settings.caveat_confidence)
        return result

    def _with_definitions(self, result: SearchResult, definitions: list[GlossaryEntry], k: int,
                          confidence: float = 1.0) -> SearchResult:
        """A definition question is answered from the glossary, with the glossary as first source
        (with `confidence` below 1 when the explanation only comes closest: answered with a caveat)."""
        text = definition_text(definitions)
        document_id = next((d for d, doc in self.documents.items() if doc.glossary and not doc.access), None)
        if document_id is None or document_id not in self.glossary_chunk:
            return result
        doc = self.documents[document_id]
        hit = Hit(chunk_id=self.glossary_chunk[document_id], text=text, title=doc.title, heading_path="",
                  source=doc.path, meta=doc.meta, score=1.0, scores={"glossary": 1.0})
        result.hits = [hit, *result.hits][:k]
        result.passage, result.confidence, result.answerable = text, confidence, True
        result.certain = confidence >= self.settings.min_confidence
        return result

    def _search(self, query: str, expansions: list[str], abbreviated: list[tuple[str, str]], vectors: _QuestionVectors,
                k: int, groups: frozenset[str], per_document: bool, include_outdated: bool) -> SearchResult:
        excluded = self._excluded(groups, include_outdated)
        limit = self.settings.candidates
        # The question's vector first: FAISS (which releases the GIL) then searches on a worker
        # thread while this one does the spelling and the lexical side. Encoding stays here: the
        # embedder's one-BLAS-thread limit holds only in the thread that sets it.
        query_vector = vectors.search
        dense_search = _dense_pool().submit(self.dense, query_vector, limit, excluded)
        question = self.reader.read(query, functools.partial(self._sees_term, groups=groups), abbreviated)
        english, form, nouns, explained = question.english, question.form, question.nouns, question.explained
        corrections, synonyms, translated = question.corrections, question.synonyms, question.translated
        # Synonyms and translations are searched like glossary expansions, at a lower weight: a guess at the meaning.
        found = self.lexical(query, expansions, limit, excluded, question.lexical_terms(), [*synonyms.values(), *translated])
        query_terms = question.searched_terms()
        lexical = found.scores
        dense = dense_search.result()
        dense_weight = max(self.settings.dense_weight, CROSS_LANGUAGE_DENSE_WEIGHT) if english else self.settings.dense_weight
        fused = fuse(lexical, dense, dense_weight, lexical_complete=found.complete and len(lexical) < limit)
        fused = sorted(fused.items(), key=lambda item: -item[1])
        ranked: list[tuple[int, float]] = []
        seen_documents: set[int] = set()
        for chunk_id, score in fused:
            document_id = self.chunk_document[chunk_id]
            if per_document and document_id in seen_documents:
                continue
            seen_documents.add(document_id)
            ranked.append((chunk_id, score))
            if len(ranked) >= max(k, RERANKED_DOCUMENTS):
                break
        hits = collapse_duplicates(self.hits(ranked, lexical, dense))
        if not hits:
            return SearchResult(query, [], 0.0, False, generation=self.generation)
        passage_vector = vectors.passage
        unit_similarities = self._unit_similarities(hits, passage_vector)
        hits = self._rerank_by_units(hits, unit_similarities, PERSON_UNIT_WEIGHT if form.person else UNIT_WEIGHT)[:k]
        if asks_for_stated_value(query) or CALL_QUESTION.search(query):
            hits = self.values.prefer(query, nouns, hits)
        # The question's verbs ("einreich" of "wie reiche ich … ein") may name the section that answers.
        actions = frozenset(question.asked - nouns) if form.steps and not english else frozenset()
        choice = self._choose_answer(form, question.unit_terms(), fused, hits, lexical, dense, passage_vector, unit_similarities,
                                     frozenset(translated), actions)
        if choice is not None and choice.document_id != self.chunk_document[hits[0].chunk_id]:
            # The document holding the best answer unit is cited first.
            first = next(i for i, hit in enumerate(hits) if self.chunk_document[hit.chunk_id] == choice.document_id)
            hits.insert(0, hits.pop(first))
        if choice is not None and choice.alternative is not None:
            choice.alternative.source = next((hit.source for hit in hits if self.chunk_document[hit.chunk_id]
                                              == choice.alternative.document_id), "")
        top = hits[0]
        evidence = Evidence(
            dense=top.scores.get("dense", 0.0),
            coverage=_coverage(query_terms | set(explained.values()),
                               set(self.analyzer.terms(f"{top.title} {top.heading_path} {top.text}"))),
            margin=max(0.0, top.score - (hits[1].score if len(hits) > 1 else min(s for _, s in fused))),
            agreement=float(bool(lexical) and bool(dense) and max(lexical, key=lexical.get) == max(dense, key=dense.get) == top.chunk_id),
            answer_coverage=choice.coverage if choice else 0.0,
            answer_similarity=choice.similarity if choice else 0.0,
            answer_fit=choice.fit if choice else 0.0,
            unknown=question.unknown,
        )
        score = confidence(evidence)
        answering = choice.document_id if choice else self.chunk_document[top.chunk_id]
        searched_nouns = {corrections.get(t, synonyms.get(t, t)) for t in nouns}
        answer_text = choice.text if choice else ""
        if score >= self.settings.caveat_confidence and (
                asks_for_value(query) and self.values.lacking(query, nouns, answering)
                or self.values.clock_off_topic(query, searched_nouns, self.picker.idf, answering)
                or not english and self._subject_unknown(query, groups, {**corrections, **synonyms})
                or date_missing(query, answer_text)
                or name_missing(query, answer_text, self.picker.people)
                or product_name_missing(query, answer_text)
                or SECRET_QUESTION.search(query)
                or self._count_unstated(form, choice)):
            score = min(score, self.settings.caveat_confidence / 2)
        elif (self.settings.caveat_confidence / 2 < score < self.settings.caveat_confidence and not english and (
                form.person and self._person_beside_topic(query, form, searched_nouns, answer_text, groups)
                or self._steps_under_topic(form, choice, {explained[t] for t in nouns if t in explained}))):
            # Unsure, but the answer is the person or the steps asked for, beside what was named: with the caveat.
            score = self.settings.caveat_confidence
        return SearchResult(
            query, hits, score, score >= self.settings.caveat_confidence, answer_text,
            generation=self.generation, evidence=evidence, corrections={**corrections, **synonyms}, answer=choice,
            certain=score >= self.settings.min_confidence,
        )

    def _document_text(self, document_id: int) -> str:
        with self._lock:
            return " ".join(self.store.document_texts(self.documents[document_id].path))

    def _person_beside_topic(self, query: str, form: QuestionForm, nouns: set[str], text: str,
                             groups: frozenset[str]) -> bool:
        """A line of the answer names a person beside the question's topic, its rarest noun but for
        the person words ("Haushalt, Fördermittel – Ansprechperson: Sabine Krämer" for "Wen kann ich
        wegen Fördermitteln ansprechen?"): it answers, however far apart the embedding puts the two."""
        asked = nouns - {t for word in PERSON.findall(query) for t in self.analyzer.terms(word)}
        if not asked:
            return False
        topic = max(sorted(asked), key=self.picker.idf)
        return self._sees_term(topic, groups) and any(
            unit_fits(form, line, self.picker.people) == 1.0 and topic in self.analyzer.terms(line) for line in text.splitlines())

    def _steps_under_topic(self, form: QuestionForm, choice: AnswerChoice | None, paired: set[str]) -> bool:
        """A how-to question is answered by a list of steps whose heading names what the glossary or a
        built-in synonym pairs one of its nouns with ("Phishing", "Trojaner" – "Was tun bei einem
        Sicherheitsvorfall?", "gesprungen" – "Verlust, Diebstahl, Defekt"): the procedure for what
        happened, however loosely the words embed. A plain word in a heading is no such sign ("Mail" of
        "Phishing-Mail" in "E-Mail-Knigge")."""
        return (form.steps and choice is not None and choice.kind in {"steps", "procedure"}
                and bool(paired & set(self.analyzer.terms(choice.section))))

    @staticmethod
    def _count_unstated(form: QuestionForm, choice: AnswerChoice | None) -> bool:
        """A single question for a count or a length of time ("Wie viele Personen passen in den
        Lernraum?") whose best answer unit states no number and no span: whatever it says, it does not
        say that (held-out sets: three unanswerable questions more declined, one answerable question
        lost whose fact stood in a side line of an answer from the wrong document; XQuAD: one of 612)."""
        return form.count and form.parts == 1 and choice is not None and choice.fit == 0

    def _subject_unknown(self, query: str, groups: frozenset[str], corrections: dict[str, str]) -> bool:
        """A "what is X" question whose X no document the caller may see names ("Worum geht es beim
        Projekt Nordlicht?"), or a question naming a place, person or project they never name
        ("Wie viele Einwohner hat Wattenscheid?"): nothing can answer it. Restricted-only words count
        as unknown, so the decline does not tell an outsider that such a document exists."""
        subject = subject_of(query)
        nouns = self.analyzer.noun_terms(subject) & set(self.analyzer.question_terms(subject)) if subject else set()
        nouns |= {t for name in proper_names(query) for t in self.analyzer.terms(name)}
        return any(not self._sees_term(corrections.get(t, t), groups) for t in nouns)

    def _unit_similarities(self, hits: list[Hit], query_vector: np.ndarray) -> dict[int, np.ndarray]:
        """Cosine of the question with every unit of the hits' documents, per chunk (empty without unit vectors)."""
        if self.units is None:
            return {}
        chunk_ids = [c for hit in hits for c in self.document_chunks[self.chunk_document[hit.chunk_id]][:UNIT_CHUNKS_PER_DOCUMENT]]
        return self.units.similarities(chunk_ids, query_vector)

    def _rerank_by_units(self, hits: list[Hit], similarities: dict[int, np.ndarray], weight: float) -> list[Hit]:
        """Each document's best unit similarity (z-scored over the hits, times `weight`) is added to its
        score: a document with one sentence that answers beats one that is merely about the topic."""
        if not similarities or len(hits) < 2:
            return hits
        best_of: dict[int, float] = {}  # document id -> its best unit's similarity
        for hit in hits:
            document_id = self.chunk_document[hit.chunk_id]
            if document_id not in best_of:
                # _unit_similarities read the document's first chunks only
                chunks = self.document_chunks[document_id][:UNIT_CHUNKS_PER_DOCUMENT]
                found = [similarities[c] for c in chunks if c in similarities]
                cosines = np.concatenate(found) if found else found  # one max, not one per chunk
                best_of[document_id] = float(cosines.max()) if len(cosines) else 0.0
        best = np.array([best_of[self.chunk_document[hit.chunk_id]] for hit in hits])
        spread = best.std() or 1.0
        for hit, value in zip(hits, best):
            hit.scores["unit"] = float(value)
            # Clipped: one sentence that merely quotes the question (a cross-reference such as
            # 'siehe FAQ „Wie beantrage ich …?“') must not outweigh everything else.
            hit.score += weight * float(np.clip((value - best.mean()) / spread, -UNIT_Z_LIMIT, UNIT_Z_LIMIT))
        return sorted(hits, key=lambda hit: -hit.score)

    def _choose_answer(self, form: QuestionForm, query_terms: set[str], fused: list[tuple[int, float]], hits: list[Hit],
                       lexical: dict, dense: dict, query_vector: np.ndarray,
                       unit_similarities: dict[int, np.ndarray], translated: frozenset[str] = frozenset(),
                       actions: frozenset[str] = frozenset()) -> AnswerChoice | None:
        """The best answer unit among the best chunks of the top documents.

        The question as asked, not its glossary expansions, chooses: expansions would favour
        sentences that merely spell out an abbreviation.
        """
        documents = {self.chunk_document[hit.chunk_id] for hit in hits[:ANSWER_DOCUMENTS]}
        chosen: list[tuple[int, float]] = []
        per_document: dict[int, int] = {}
        for chunk_id, score in fused:
            document_id = self.chunk_document[chunk_id]
            if document_id in documents and per_document.get(document_id, 0) < ANSWER_CHUNKS_PER_DOCUMENT:
                per_document[document_id] = per_document.get(document_id, 0) + 1
                chosen.append((chunk_id, score))
        if not chosen:
            return None
        leader = self.chunk_document[hits[0].chunk_id]
        chosen.sort(key=lambda item: self.chunk_document[item[0]] != leader)  # the first document's best chunk first
        best = chosen[0][1]
        beyond = [chunk_id for chunk_id, _ in chosen if chunk_id not in unit_similarities]
        if beyond and self.units is not None:  # past a long document's first UNIT_CHUNKS_PER_DOCUMENT chunks
            unit_similarities = {**unit_similarities, **self.units.similarities(beyond, query_vector)}
        candidates = [
            Candidate(hit.chunk_id, self.chunk_document[hit.chunk_id], hit.text, hit.heading_path, hit.title,
                      math.exp(min(0.0, hit.score - best)), self.chunk_document[hit.chunk_id] in self.short_documents,
                      hit.owner, unit_similarities.get(hit.chunk_id))
            for hit in self.hits(chosen, lexical, dense)
        ]
        return self.picker.choose(query_terms, form, candidates, query_vector, self.embedder.encode,
                                  translated, actions)


class _QuestionVectors:
    """A question's embeddings, each computed once per search (the fallback to outdated documents
    searches again): with its glossary expansions for the dense side, as asked for the answer."""

    def __init__(self, embedder: Embedder, query: str, expansions: list[str]) -> None:
        self.embedder, self.query, self.expansions = embedder, query, expansions

    @functools.cached_property
    def search(self) -> np.ndarray:
        expanded = f"{self.query} ({'; '.join(self.expansions)})" if self.expansions else self.query
        return self.embedder.encode([expanded])[0]

    @functools.cached_property
    def passage(self) -> np.ndarray:
        return self.embedder.encode([self.query])[0] if self.expansions else self.search


@functools.cache
def _dense_pool() -> ThreadPoolExecutor:
    """Worker threads for the dense side, one per core: concurrent questions each search on one."""
    return ThreadPoolExecutor(os.cpu_count() or 2, thread_name_prefix="dense-search")


os.register_at_fork(after_in_child=_dense_pool.cache_clear)  # a forked child has none of the threads


def _person(owner: object) -> str | None:
    """The name in an owner string such as "Lena Hoffmann (@lena_hoffmann)"."""
    name = str(owner or "").split("(")[0].split(",")[0].strip()
    return name if len(name.split()) >= 2 else None


def _coverage(query_terms: set[str], chunk_terms: set[str]) -> float:
    return len(query_terms & chunk_terms) / len(query_terms) if query_terms else 0.0
