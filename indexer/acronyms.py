"""Long forms of abbreviations that neither the documents nor the glossary spell out.

Staff write "ISB" where the contact list says "Informationssicherheitsbeauftragter" and "DSB" for
"Datenschutzbeauftragte". A German compound carries its abbreviation in the first letters of its
parts (Informations|sicherheits|beauftragter), so a word of the documents whose parts begin with the
abbreviation's letters, in order, is its long form: each part but the last a word of the documents
or of the language (with a linking "s", "n" or "en"), the last one such a word or an inflected form
of it. Letters that spell more than MAX_LONG_FORMS words abbreviate none of them.
"""
from __future__ import annotations

import functools
import re
from typing import Callable, Iterable

MIN_LETTERS = 3  # "KI", "IT": two letters begin too many compounds
MAX_LETTERS = 5
MIN_PART = 3
LINKS = ("", "s", "n", "en", "es")
ENDINGS = ("", "e", "n", "en", "er", "ern", "es", "s", "in", "innen")
MAX_LONG_FORMS = 3  # more matches than this: the letters are no abbreviation of the documents'
ABBREVIATION = re.compile(r"(?<![\w-])[A-ZÄÖÜ]{%d,%d}(?![\w-])" % (MIN_LETTERS, MAX_LETTERS))


class Acronyms:
    """The words of one index, searchable by the initials of their parts."""

    def __init__(self, words: Iterable[str], is_word: Callable[[str], bool] = lambda word: False):
        self.written = {w.lower(): w for w in words if w.isalpha() and len(w) >= MIN_PART}  # as the documents write it
        self.is_word = is_word  # a word of the language, where the documents never use it alone ("Schutz")
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(self.written):
            if len(word) >= 2 * MIN_PART:
                self._by_initial.setdefault(word[0], []).append(word)

    @functools.lru_cache(maxsize=1024)
    def long_forms(self, abbreviation: str) -> tuple[str, ...]:
        """The documents' words the abbreviation stands for ("isb" → "informationssicherheitsbeauftragter"),
        none when it matches no word or too many to be one."""
        letters = abbreviation.lower()
        if not MIN_LETTERS <= len(letters) <= MAX_LETTERS:
            return ()
        found = tuple(self.written[w] for w in self._by_initial.get(letters[0], ())
                      if _in_order(w, letters) and self._spells(w, letters))
        return found if len(found) <= MAX_LONG_FORMS else ()

    def _spells(self, word: str, letters: str) -> bool:
        """`word` splits into len(letters) parts that begin with those letters."""
        if len(letters) == 1:
            return word[0] == letters[0] and any(
                word.endswith(ending) and self._part(word[: len(word) - len(ending)]) for ending in ENDINGS
                if len(word) - len(ending) >= MIN_PART)
        if word[0] != letters[0]:
            return False
        for end in range(MIN_PART, len(word) - MIN_PART + 1):
            if not self._part(word[:end]):
                continue
            for link in LINKS:
                rest = word[end:]
                if rest.startswith(link) and len(rest) - len(link) >= MIN_PART and rest[len(link)] == letters[1] \
                        and self._spells(rest[len(link):], letters[1:]):
                    return True
        return False

    def _part(self, piece: str) -> bool:
        return piece in self.written or self.is_word(piece)


def _in_order(word: str, letters: str) -> bool:
    """Each later letter stands at least a part's length after the one before: a cheap test that
    rules out most words before they are split (over the 40,000 words of the 400 sample laws: 10–36 ms
    an abbreviation before, 1–11 ms with it)."""
    at = 0
    for letter in letters[1:]:
        at = word.find(letter, at + MIN_PART)
        if at < 0:
            return False
    return True


def abbreviations(question: str) -> list[str]:
    """The abbreviations a question uses: words of three to five capital letters ("ISB", "DSB")."""
    return ABBREVIATION.findall(question)
