"""Synonyms from OpenThesaurus for question words the knowledge base does not use.

Staff paraphrase: they ask about the "Notebook" where the documents say "Laptop", about
"Feierabend" where they say "Dienstschluss". A question word that no document holds is matched to
a synonym that one does; the search weighs it like a glossary expansion, lower than the question's
own words, since a word of several senses ("Sprung") may be matched to the wrong one. The word
lists come from OpenThesaurus (LGPL), which Debian ships as `openthesaurus-de-text` (one synonym set
per line, `;`-separated); without that file the search simply has no synonyms.

Only plain senses count: a word marked colloquial, vulgar, figurative or dated ("Nummer (ugs.)")
neither is looked up in that set nor offered from it, and only single words are kept.
"""
from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .analysis import Analyzer, fold

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("/usr/share/openthesaurus-de/openthesaurus.txt")

# Marks of a sense the bot should not guess at; "Hauptform", "fachspr." and "Amtsdeutsch" are fine.
_MARKED = re.compile(r"\((?:[^)]*\b(?:ugs|vulg|derb|fig|geh|veraltet|scherzhaft|abwertend|regional|schweiz|"
                     r"österr|norddeutsch|süddeutsch|jugendsprachlich|Jargon|salopp|Markenname|ironisch|"
                     r"verhüllend|selten|historisch|biblisch|poetisch)\b[^)]*)\)")
_NOTE = re.compile(r"\s*\([^)]*\)")
_SINGLE_WORD = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")
_WORD = re.compile(r"[^\W\d_]+")
# What an inflected form may add to a set member ("Notebook|s", "Geld|er", "absegn|et"), or lack of one
# ("brauche|n", "Kolleg|e", "Geld" of a set's "Geld|er").
_ADDED_ENDINGS = frozenset({"", "e", "n", "en", "s", "es", "er", "ern", "st", "t", "te", "ten", "et"})
_MISSING_ENDINGS = frozenset({"e", "n", "en", "er"})


def inflects(word: str, member: str) -> bool:
    """`word` is `member` plus an ending ("Notebooks", "Gelder") or less a final e/n/en/er ("brauche"
    of "brauchen", "Geld" of "Gelder"), not another word with the same stem: "Auslagen" is no form of
    "auslagern", "gesprungen" none of "Sprung". Conjugated verbs ("schneidet") meet no infinitive,
    whose senses are too many to guess one ("schneiden" → "kürzen")."""
    word, member = fold(word.casefold()), fold(member.casefold())
    if word.startswith(member):
        return word[len(member):] in _ADDED_ENDINGS
    return member.startswith(word) and member[len(word):] in _MISSING_ENDINGS


def question_forms(question: str, analyzer: Analyzer) -> dict[str, set[str]]:
    """Term → the question's words it is a search term of ("notebook" → {"Notebooks"}, "sprung" →
    {"gesprungen"}); a compound's parts are left out: each is a word of its own."""
    forms: dict[str, set[str]] = {}
    for word in _WORD.findall(question):
        parts = {term for part in analyzer.split_compound(word) for term in analyzer.terms(part)}
        for term in analyzer.question_terms(word):
            if term not in parts:
                forms.setdefault(term, set()).add(word)
    return forms


def parse_line(line: str) -> list[str]:
    """The plain single-word members of one synonym set ("Laptop;Notebook;Schlepptop (ugs.)" →
    ["Laptop", "Notebook"])."""
    words = []
    for entry in line.split(";"):
        if _MARKED.search(entry):
            continue
        word = _NOTE.sub("", entry).strip()
        if _SINGLE_WORD.match(word):
            words.append(word)
    return words


class Thesaurus:
    """Synonym sets keyed by the search term of each member, loaded on a thread at first use."""

    def __init__(self, path: Path | None = DEFAULT_PATH):
        self._sets: list[tuple[str, ...]] = []
        # search term -> (set, member word) for each set a word with that term is a plain member of
        self._senses: dict[str, tuple[tuple[int, str], ...]] = {}
        self._ready = threading.Event()
        if path is None or not path.is_file():
            self._ready.set()
            return
        threading.Thread(target=self._load, args=(path,), daemon=True, name="thesaurus").start()

    def _load(self, path: Path) -> None:
        try:
            # Without compound splitting: the key is the word's own stem, as a question's plain word gives it.
            analyzer = Analyzer(split_compounds=False, cache_size=0)
            sets: list[tuple[str, ...]] = []
            senses: dict[str, list[tuple[int, str]]] = {}
            for line in path.read_text(encoding="utf-8").splitlines():
                words = () if line.startswith("#") else tuple(parse_line(line))
                if len(words) < 2:
                    continue
                for word in words:
                    terms = analyzer.terms(word)
                    if len(terms) == 1:
                        senses.setdefault(terms[0], []).append((len(sets), word))
                sets.append(words)
            self._sets, self._senses = sets, {term: tuple(found) for term, found in senses.items()}
        except (OSError, UnicodeDecodeError) as error:
            log.warning("Thesaurus %s not readable (%s): searching without synonyms", path, error)
        finally:
            self._ready.set()

    def __len__(self) -> int:
        """The number of synonym sets."""
        self._ready.wait()
        return len(self._sets)

    def synonyms(self, term: str, forms: Iterable[str] = ()) -> tuple[str, ...]:
        """The words that share a set with the word whose search term is `term` (none if unknown);
        the word itself may be among them. With the question's `forms` of the term, only the sets
        of a word they inflect."""
        self._ready.wait()
        forms = tuple(forms)
        return tuple(dict.fromkeys(
            word for n, member in self._senses.get(term, ())
            if not forms or any(inflects(form, member) for form in forms) for word in self._sets[n]))

    def replacements(self, terms: Iterable[str], analyzer: Analyzer, frequency: Mapping[str, int],
                     visible: Callable[[str], bool] = lambda term: True,
                     forms: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
        """Term the index lacks → the search term of its synonym that most chunks hold ("notebook" →
        "laptop"), for every such term that has one. Only synonyms a document the asker may see
        holds (`visible`) are offered: the choice must not depend on restricted documents. A term
        that is only a part of the word is none of its synonyms: "Hamburg" shares its stem with
        "Hamburger", whose synonym "Burger" would search "burg". `forms`: term → the question's
        words it stems from (see `question_forms`); one of them must be a form of the set's word."""
        found = {}
        for term in dict.fromkeys(terms):
            if frequency.get(term, 0):
                continue
            known = [t[0] for t in map(analyzer.terms, self.synonyms(term, (forms or {}).get(term, ())))
                     if len(t) == 1 and t[0] not in term and frequency.get(t[0], 0) and visible(t[0])]
            if known:
                found[term] = max(known, key=lambda t: (frequency[t], t))
        return found


_SHARED: dict[Path | None, Thesaurus] = {}
_SHARED_LOCK = threading.Lock()


def shared_thesaurus(path: Path | None = DEFAULT_PATH) -> Thesaurus:
    """One thesaurus per file for the whole process (every index generation shares it)."""
    with _SHARED_LOCK:
        if path not in _SHARED:
            _SHARED[path] = Thesaurus(path)
        return _SHARED[path]
