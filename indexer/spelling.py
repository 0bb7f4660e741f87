"""Typo and spelling tolerance: a question term the index does not know is matched to close index terms.

Works on search terms (folded, stemmed), so "zustaendig", "zuständig" and "zustandig" meet, and a
misspelt "zwiling" finds "zwilling". Only terms that match nothing are corrected; the candidates
come from the index's own term list (FTS5 vocabulary), so a correction always finds something.
A real word the index lacks is no typo ("Nummer" must not become "genommen", "krank" not "Frank"):
terms of real German words (pyspellchecker's word list) and of compounds the analyzer splits only
meet forms with letters added or dropped ("verfällt" → "Verfall", "abzurechnen" → "abrechnen"),
never replaced ("München" stays away from "Lunch"). Measured on kb-dev: source@1 0.85 → 0.86.
"""
from __future__ import annotations

import bisect
import re
import threading
from typing import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, Levenshtein
from spellchecker import SpellChecker

from .analysis import Analyzer, strips_particle

MIN_LENGTH = 4  # shorter terms are too ambiguous to correct
PREFIX_LENGTH = 6  # shorter terms begin too many compounds to stand for one
# A word at least this frequent in pyspellchecker's German list (about its 1,450 most frequent words:
# "gehen", "glaube", "gerade", "Mal"; not "Notebook", "Feierabend", "absegnen") gets no synonym.
# Measured: held-out-4 key facts 0.724 → 0.741, source@1 held-out-2 0.878 → 0.898; kb-dev unchanged;
# the same from 2,000 to 6,000, while 1,000 also drops rarer words and loses two answers.
COMMON_WORD_FREQUENCY = 3000


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


class WordList:
    """The words of one language with their frequency in general text, loaded on a thread at first
    use (about a second)."""

    def __init__(self, language: str):
        self._words: dict[str, int] = {}
        self._ready = threading.Event()
        threading.Thread(target=self._load, args=(language,), daemon=True, name=f"words-{language}").start()

    def _load(self, language: str) -> None:
        try:
            self._words = dict(SpellChecker(language=language, distance=1).word_frequency.dictionary)
        finally:
            self._ready.set()

    def __contains__(self, word: str) -> bool:
        self._ready.wait()
        return word.lower() in self._words

    def frequency(self, word: str) -> int:
        """How often the word occurs in the list's source texts (0 for an unknown word)."""
        self._ready.wait()
        return self._words.get(word.lower(), 0)


_LISTS: dict[str, WordList] = {}
_LISTS_LOCK = threading.Lock()


def word_list(language: str) -> WordList:
    """The shared word list of `language` ("de" or "en"), loading in the background from the first call."""
    with _LISTS_LOCK:
        if language not in _LISTS:
            _LISTS[language] = WordList(language)
        return _LISTS[language]


def real_word_terms(question: str, analyzer: Analyzer, language: str = "de") -> set[str]:
    """The terms of a question that come from real words (of `language`) or split compounds, not
    typos. An English word, too, may only meet a German term by letters added or dropped
    ("program" → "Programm"), never replaced ("much" is no "Buch", "leave" no "Lead")."""
    words = word_list(language)
    real: set[str] = set()
    for word in _WORD.findall(question):
        terms = analyzer.terms(word)
        if len(terms) > 1:  # a compound split into known parts
            real.add(terms[0])
        if word in words:
            real.update(terms)
    return real


def common_word_terms(question: str, analyzer: Analyzer) -> set[str]:
    """The terms of the question's everyday German words ("gehen", "gerade", "Mal"): they have many
    senses, so a synonym guessed for one ("gehen" → "laufen") is more often wrong than right."""
    words = word_list("de")
    return {term for word in _WORD.findall(question) if words.frequency(word) >= COMMON_WORD_FREQUENCY
            for term in analyzer.terms(word)}


def proper_names(question: str) -> list[str]:
    """Capitalised words inside a German question that are no German or English dictionary word and
    end in no German one ("Wattenscheid", but not "Dienstagsrunde" – "Runde" –, "Quarter" nor "BYOD"):
    the names of places, people or projects."""
    words, english = word_list("de"), word_list("en")
    names = []
    for match in _WORD.finditer(question):
        word = match.group()
        if (match.start() == 0 or re.search(r"[.!?:]\s*$", question[: match.start()]) or not word[0].isupper()
                or word.isupper() or "-" in word or len(word) < 4 or word in words or word in english):
            continue
        if not any(word[i:] in words and (len(word) - i > 3 or word[:i] in words) for i in range(1, len(word) - 2)):
            names.append(word)  # neither ending in a word ("…runde") nor made of two short ones ("Weg|zug")
    return names


def _max_edits(term: str) -> int:
    return 1 if len(term) <= 6 else 2


class Speller:
    """Finds the index terms closest to an unknown term, preferring frequent ones."""

    def __init__(self, document_frequency: dict[str, int]):
        self.frequency = document_frequency
        terms = [t for t in document_frequency if len(t) >= MIN_LENGTH - 1 and not t.isdigit()]
        self._sorted = sorted(terms)
        # By length: a term within n edits differs by at most n letters in length, so only those
        # lengths are compared (a fifth of the terms; the ratio filter over all of them took
        # ~2 ms of a question at 100,000 chunks).
        self._by_length: dict[int, list[str]] = {}
        for t in terms:
            self._by_length.setdefault(len(t), []).append(t)
        self._near_lists: dict[tuple[int, int], list[str]] = {}

    def _near(self, shortest: int, longest: int) -> list[str]:
        """The terms of these lengths, joined once per range (joining them took ~0.3 ms a question)."""
        key = (shortest, longest)
        near = self._near_lists.get(key)
        if near is None:
            near = self._near_lists[key] = [t for n in range(shortest, longest + 1) for t in self._by_length.get(n, ())]
        return near

    def known(self, term: str) -> bool:
        return term in self.frequency

    def correct(self, term: str, real: bool = False, whole_verbs: bool = False) -> str | None:
        """The best index term within 1–2 edits of `term`, or None (known, too short, or no match).
        A `real` word's term only meets forms with letters added or dropped; with `whole_verbs`, not
        the verb without its particle ("ansprechen" is not "sprechen")."""
        if self.known(term) or len(term) < MIN_LENGTH or term.isdigit() or not self._sorted:
            return None
        limit = _max_edits(term)
        near = self._near(len(term) - limit, len(term) + limit)
        # A cheap ratio filter first, then exact edit distance on the few that pass.
        candidates = process.extract(term, near, scorer=fuzz.ratio, limit=12, score_cutoff=70)
        best: tuple[int, int, str] | None = None
        for candidate, _, _ in candidates:
            distance = Levenshtein.distance(term, candidate, score_cutoff=limit)
            if real and (Indel.distance(term, candidate) != abs(len(term) - len(candidate)) or len(candidate) < MIN_LENGTH):
                continue  # a real word's letters were replaced, not only added or dropped ("Topf" is no "TOP")
            if distance > limit or whole_verbs and real and strips_particle(term, candidate):
                continue
            key = (distance, -self.frequency[candidate], candidate)
            if best is None or key < best:
                best = key
        return best[2] if best else None

    def compound(self, term: str) -> str | None:
        """The most frequent index term that begins with `term` and goes on for a word more
        ("grenzwert" → "grenzwertmess" of "Grenzwertmessungen"): a word the documents only use as
        the first part of a compound, which the analyzer does not split off when it never stands alone."""
        if len(term) < PREFIX_LENGTH or self.known(term):
            return None
        # The terms that begin with `term` lie together in the sorted list, ending before the first
        # term past every such one ("term" + the highest code point).
        start = bisect.bisect_left(self._sorted, term)
        end = bisect.bisect_left(self._sorted, term + "\U0010ffff", start)
        found = [t for t in self._sorted[start:end] if len(t) >= len(term) + MIN_LENGTH - 1]
        return max(found, key=lambda t: (self.frequency[t], t)) if found else None

    def corrections(self, terms: Iterable[str], real: Iterable[str] = (), whole_verbs: bool = False) -> dict[str, str]:
        """Unknown term → its correction or the compound it begins, for every term that has one
        (`real`: terms of real words; `whole_verbs`: see `correct`)."""
        found = {}
        real = set(real)
        for term in dict.fromkeys(terms):
            corrected = self.correct(term, term in real, whole_verbs) or self.compound(term)
            if corrected:
                found[term] = corrected
        return found
