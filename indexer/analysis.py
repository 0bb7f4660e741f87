"""German lexical analysis for the full-text (SQLite FTS5) side of the hybrid search.

One :class:`Analyzer` turns indexed text and user questions into the same kind of terms:

* lower-casing with ``ß`` → ``ss`` (``str.casefold``), umlauts folded to the base vowel
  (``ä`` → ``a``, exactly what the Snowball German stemmer does itself, and it also reads
  ``ae``/``oe``/``ue`` as umlauts, so "Buerger" and "Bürger" meet), other accents removed;
* words are runs of letters and digits; a hyphenated compound ("Bürgerservice-Portal")
  yields its parts and the joined word;
* German and basic English stop words (``stopwords_de.txt``) are dropped;
* Snowball German stemming (PyStemmer);
* German compound splitting against a vocabulary: a capitalised word (a noun) is split into
  the fewest known parts of at least four letters, allowing the linking morphemes
  (Fugenelemente) s/es/n/en/er/e/ens, where the last part must be a known noun. The parts'
  stems are added as extra terms, so a question about "Strategie" finds
  "Digitalisierungsstrategie". Build the vocabulary from the indexed corpus with
  :meth:`Analyzer.build_vocabulary` (the index keeps :meth:`Analyzer.count_words` counts, so
  each run can update them), and give the same one to the analyzer that serves queries.

Terms are lowercase ASCII letters and digits (other scripts stay letters of their own), so
FTS5's ``unicode61`` tokenizer keeps them as they are. Analysis is cached per word and token.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import Stemmer

ANALYSIS_VERSION = 8
"""Bump whenever the terms produced for the same text and vocabulary change (forces a rebuild)."""
STOPWORDS_FILE = Path(__file__).with_name("stopwords_de.txt")

_TOKEN = re.compile(r"[^\W_]+(?:[-‐‑][^\W_]+)*")  # a word, or words joined by hyphens
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;–]\s*)\W*$")
_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
_UMLAUT_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
LINKERS = ("", "s", "es", "n", "en", "er", "e", "ens")  # Fugenelemente, "" first
INFLECTIONS = ("", "s", "es", "n", "en", "e", "er", "ern")  # noun endings a last part may carry
MIN_PART = 4  # shortest compound part; shorter ones ("amt", "bau") split too eagerly
MAX_QUERY_TERMS = 64
MAX_COMPOUND_CHARS = 80
"""Longer words are not split: real compounds are shorter, and splitting costs O(length²)."""


# "Wie reiche ich … ein", "melde ich mich … an": a finite verb after the question word, its particle
# at the end of the clause.
_SEPARATED_VERB = re.compile(
    r"^\s*(?:wie|wo|wann|was|wohin|womit|warum|wozu|wieso)?\s*(?:\w+\s+)??(?P<verb>[a-zäöüß]+e|[a-zäöüß]+en|[a-zäöüß]+[^e\s]t)\s+"
    r"(?:ich|wir|man|sie|du|er)\b.*?\b(?P<particle>an|ab|auf|aus|ein|mit|nach|vor|zu|zurück|fest|weg|um|her|hin|los|"
    r"zusammen|frei|bereit|durch|hoch|weiter)\s*$", re.IGNORECASE)


# Where a clause ends: a punctuation mark, or a dash between spaces (not the hyphen of "Open-Data").
_CLAUSE_END = re.compile(r"[,;?!.]| [–—-] ")


def fold(word: str) -> str:
    """Fold a lower-cased word to its search form: umlauts to base vowels, accents removed."""
    word = word.translate(_UMLAUTS)
    if word.isascii():
        return word
    # NFKD splits "é" into "e" + accent and "ﬁ" into "fi"; keeping only letters and digits
    # drops the accents and anything unicode61 would not keep inside a token.
    return "".join(c for c in unicodedata.normalize("NFKD", word) if c.isalnum())


@functools.cache
def load_stopwords(path: Path = STOPWORDS_FILE) -> frozenset[str]:
    """Stop words from ``path`` (``#`` starts a comment), with ae/oe/ue spellings added."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(w.casefold() for w in line.split())
    return frozenset(words | {w.translate(_UMLAUT_SPELLINGS) for w in words})


def _is_participle(word: str) -> bool:
    """A past participle such as "geleitet", "gemeldet", "gehalten" (lower-case, ge-…-t/-en)."""
    return len(word) >= 7 and word.startswith("ge") and word.endswith(("t", "en")) and word.isalpha()


# The particles of separable verbs, folded ("zurück" → "zuruck"): "an" of "ansprechen", "ein" of "einreichen".
PARTICLES = ("an", "ab", "auf", "aus", "ein", "mit", "nach", "vor", "zu", "zuruck", "fest", "weg", "her", "hin", "los",
             "zusammen", "frei", "bereit", "hoch", "weiter", "teil", "bei", "fort")
# "ausgelastet", "eingereichte", "ausgefallen": a separable verb's participle, its "ge" inside.
_SEPARABLE_PARTICIPLE = re.compile(rf"^(?P<particle>{'|'.join(PARTICLES)})ge(?P<verb>[a-z]{{3,}}?)(?:e?t|en)(?:e|en|er|es|em)?$")


def strips_particle(term: str, other: str) -> bool:
    """`other` is `term` without its separable verb's particle ("ansprech" → "sprech"): another
    verb, however close in letters ("ansprechen" is not "sprechen")."""
    return len(other) < len(term) and term.endswith(other) and term[: len(term) - len(other)] in PARTICLES


# "mitlesen", "nachmelden": a particle glued to an infinitive (lower-case, as written in a question).
_PARTICLE_VERB = re.compile(r"^(?:an|ab|auf|aus|ein|mit|nach|vor|zu|zurück|fest|weg|her|hin|los|zusammen|"
                            r"hoch|weiter|teil|bei|fort)(?!ge)(?P<verb>[a-zäöüß]{3,}en)$")


def _separable_infinitive(word: str) -> str | None:
    """The infinitive of a separable verb's participle ("ausgelastet" → "auslasten"), so that it meets
    the verb and its noun ("Auslastung") in the index; None for other words (folded, lower-case)."""
    match = _SEPARABLE_PARTICIPLE.match(word) if len(word) >= 9 and not word.endswith(("heit", "keit")) else None
    return match["particle"] + match["verb"] + "en" if match else None


def quote(term: str) -> str:
    """Quote a term as an FTS5 string, so that it can never be read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


def any_of(terms: Iterable[str]) -> str | None:
    """An FTS5 MATCH expression for rows holding any of ``terms``: each quoted, so quotes,
    brackets, ``AND``/``OR``/``NOT``/``NEAR``, ``*``, ``:`` and ``^`` in a question are plain
    text. None without terms."""
    return " OR ".join(quote(t) for t in terms) or None


class Analyzer:
    """Turns text into search terms for FTS5 and questions into FTS5 MATCH expressions.

    Construct once and reuse: the per-word analysis is cached, and reading is thread-safe.
    ``vocabulary`` (from :meth:`build_vocabulary`) enables compound splitting; without it,
    compounds are only indexed whole. ``stem``, ``stopwords`` and ``split_compounds`` exist
    to measure the pipeline's steps; the defaults are the chosen configuration.
    """

    def __init__(
        self,
        vocabulary: Iterable[str] | None = None,
        *,
        stem: bool = True,
        stopwords: bool = True,
        split_compounds: bool = True,
        cache_size: int = 262_144,
    ) -> None:
        self.vocabulary: frozenset[str] = frozenset(vocabulary or ())
        self._stopwords = load_stopwords() if stopwords else frozenset()
        folded_stop = {fold(w) for w in self._stopwords}
        usable = {w for w in self.vocabulary if len(w) >= MIN_PART and w.isalpha()}
        parts = {fold(w.casefold()) for w in usable} - folded_stop
        heads = {fold(w.casefold()) for w in usable if w[0].isupper()} - folded_stop
        self._parts, self._heads = frozenset(parts), frozenset(heads)
        self._longest_part = max(map(len, parts), default=0) + 1  # + 1: a part may have lost its "e"
        self._split = split_compounds and bool(heads)
        self._stem = stem
        self._local = threading.local()  # a PyStemmer object must not be shared by threads
        self._word_terms = functools.lru_cache(maxsize=cache_size)(self._analyze_word)
        self._token_terms = functools.lru_cache(maxsize=cache_size)(self._analyze_token)

    def changed_parts(self, other: "Analyzer") -> set[str]:
        """Compound parts and heads known to only one of the two analyzers: a word's terms can
        differ between them only if it contains one of these (or one without its final "e")."""
        changed = (self._parts ^ other._parts) | (self._heads ^ other._heads)
        return changed | {part[:-1] for part in changed if part.endswith("e") and len(part) > MIN_PART}

    def affected_words(self, words: Iterable[str], changed: set[str]) -> set[str]:
        """The splittable words among ``words`` that contain a part of ``changed``."""
        lengths = sorted({len(part) for part in changed})
        affected = set()
        for word in words:
            folded = fold(word.casefold())
            n = len(folded)
            if n < 2 * MIN_PART or not folded.isalpha():
                continue
            if any(folded[i : i + size] in changed for size in lengths if size <= n for i in range(n - size + 1)):
                affected.add(folded)
        return affected

    @staticmethod
    def count_words(texts: Iterable[str]) -> Counter[tuple[str, bool]]:
        """How often each word (case-folded) is written capitalised (True) or not, in ``texts``.

        Counts add up, so an index can keep them and update them per document.
        """
        counts: Counter[tuple[str, bool]] = Counter()
        # each spelling is looked at once (a word never spans the joining line break): a third of
        # the time of checking every occurrence, in the parse worker beside the model
        for word, n in Counter(_WORD.findall("\n".join(texts))).items():
            if len(word) >= MIN_PART and word.isalpha():
                counts[word.casefold(), word[0].isupper()] += n
        return counts

    @staticmethod
    def vocabulary_from_counts(counts: Counter[tuple[str, bool]], min_count: int = 1) -> set[str]:
        """The words in their usual spelling: capitalised if mostly written so.

        Capitalisation marks German nouns, and only nouns may end a compound.
        """
        words = {word for word, _ in counts}
        return {
            word.capitalize() if counts[word, True] > counts[word, False] else word
            for word in words
            if counts[word, True] + counts[word, False] >= min_count
        }

    @staticmethod
    def build_vocabulary(texts: Iterable[str], min_count: int = 1) -> set[str]:
        """The vocabulary of ``texts`` (see :meth:`vocabulary_from_counts`): a plain set of words,
        easy to store (one per line, or a table) and to extend."""
        return Analyzer.vocabulary_from_counts(Analyzer.count_words(texts), min_count)

    def terms(self, text: str) -> list[str]:
        """All search terms of ``text`` in order, repeated as often as they occur."""
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)  # "u" + combining diaeresis -> "ü"
        # German capitalises nouns; text without any capital letter carries no such hint.
        nouns_marked = not text.islower()
        token_terms = self._token_terms
        terms: list[str] = []
        for token in _TOKEN.findall(text):
            terms.extend(token_terms(token, nouns_marked))
        return terms

    def question_terms(self, question: str) -> list[str]:
        """The terms of a question plus those of its separable verbs put back together: "Wie reiche
        ich die Idee ein?" also searches "einreichen" (and so finds "Einreichung"), in any clause
        ("Ich habe eine Idee – wie reiche ich die ein?")."""
        terms = self.terms(question)
        for clause in _CLAUSE_END.split(question):
            match = _SEPARATED_VERB.search(clause)
            if match:
                terms.extend(t for t in self.terms(match.group("particle") + match.group("verb")) if t not in terms)
        for word in _WORD.findall(question):
            verb = self._particle_verb_base(word)
            if verb:
                terms.extend(t for t in self.terms(verb) if t not in terms)
        return terms

    def _particle_verb_base(self, word: str) -> str | None:
        """The known verb inside an unknown separable verb ("mitlesen" → "lesen", "nachmelden" →
        "melden"), so that a question meets the documents' plain verb; None otherwise."""
        match = _PARTICLE_VERB.match(word)
        if not match or not self.vocabulary or word in self.vocabulary:
            return None
        base = match["verb"]
        return base if base in self.vocabulary else None

    def noun_terms(self, question: str) -> set[str]:
        """The terms of the words a question capitalises, but for a sentence's first word: its nouns
        and names. A question in lower case gives no such hint: then all its terms."""
        if question.islower():
            return set(self.terms(question))
        nouns = (match.group() for match in _TOKEN.finditer(question)
                 if match.group()[0].isupper() and not _SENTENCE_START.search(question[: match.start()]))
        return {term for word in nouns for term in self.terms(word)}

    def index_text(self, text: str) -> str:
        """The terms of ``text`` joined by spaces: the value of an FTS5 column."""
        return " ".join(self.terms(text))

    def query_terms(self, query: str, extra: Iterable[str] = ()) -> list[str]:
        """A question's distinct terms in order (at most MAX_QUERY_TERMS), then ``extra`` ones as
        they are (e.g. spelling corrections, already analysed)."""
        return list(dict.fromkeys([*self.terms(query), *extra]))[:MAX_QUERY_TERMS]

    def split_compound(self, word: str) -> list[str]:
        """The parts of a compound (folded, unstemmed), or ``[]`` if it is not one we know.

        Chooses the segmentation into the fewest known parts, then the longest first part;
        every part but the last may be followed by a linking morpheme or have lost a final
        "e" (Schul-gebäude); the last part must be a noun of the vocabulary, possibly inflected.
        """
        word = fold(word.casefold())
        n = len(word)
        if not self._split or n < 2 * MIN_PART or n > MAX_COMPOUND_CHARS or not word.isalpha():
            return []
        # best[i]: the fewest modifier parts (each with its linker) that spell word[:i]
        best: dict[int, tuple[str, ...]] = {0: ()}
        for start in range(n - MIN_PART + 1):
            if start not in best:
                continue
            for end in range(start + MIN_PART, min(n - MIN_PART, start + self._longest_part) + 1):
                part = word[start:end]
                if part not in self._parts and part + "e" not in self._parts:
                    continue
                for linker in LINKERS:
                    nxt = end + len(linker)
                    if word.startswith(linker, end) and n - nxt >= MIN_PART:
                        candidate = best[start] + (part,)
                        if nxt not in best or len(candidate) < len(best[nxt]):
                            best[nxt] = candidate
        found: tuple[str, ...] = ()
        for start, modifiers in best.items():
            if start and self._is_noun(word[start:]):
                candidate = (*modifiers, word[start:])
                if not found or (len(candidate), -len(candidate[0])) < (len(found), -len(found[0])):
                    found = candidate
        return list(found or self._split_at_head(word))

    def _split_at_head(self, word: str) -> tuple[str, ...]:
        """Fallback: the longest known noun at the end of a word whose modifier is unknown.

        "Digitalisierungsstrategie" yields "strategie" even if "Digitalisierung" never occurs alone:
        the head carries the meaning short queries ask for. The unknown modifier is not a term.
        """
        for start in range(MIN_PART, len(word) - MIN_PART + 1):
            if self._is_noun(word[start:]):
                return (word[start:],)
        return ()

    def _is_noun(self, word: str) -> bool:
        """Whether ``word`` is a vocabulary noun, or one with an inflection ending added."""
        return any(
            word.endswith(ending) and len(word) - len(ending) >= MIN_PART
            and word[: len(word) - len(ending)] in self._heads
            for ending in INFLECTIONS
        )

    def _stem_word(self, word: str) -> str:
        if not self._stem:
            return word
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer("german")
        return stemmer.stemWord(word)

    def _analyze_token(self, token: str, nouns_marked: bool) -> tuple[str, ...]:
        """Terms of one token as written: a word, or words joined by hyphens."""
        words = _WORD.findall(token) if not token.isalnum() else [token]
        terms: list[str] = []
        for word in words:
            terms.extend(self._word_terms(word.casefold(), word[0].isupper() or not nouns_marked))
        if len(words) > 1 and not all(w.isdigit() for w in words):
            terms.extend(self._word_terms("".join(words).casefold(), False))
        return tuple(terms)

    def _analyze_word(self, word: str, may_split: bool) -> tuple[str, ...]:
        """Terms of one lower-cased word: its stem, then the stems of its compound parts."""
        if word in self._stopwords:
            return ()
        folded = fold(word)
        if len(folded) < 2 and not folded.isdigit():
            return ()
        terms = [self._stem_word(folded)]
        if _is_participle(folded):  # "geleitet" also means "leitet": Snowball keeps the ge- prefix
            terms.append(self._stem_word(folded[2:]))
        infinitive = _separable_infinitive(folded)
        if infinitive and self._stem_word(infinitive) not in terms:
            terms.append(self._stem_word(infinitive))
        if may_split:
            for part in self.split_compound(folded):
                stem = self._stem_word(part)
                if stem not in terms:
                    terms.append(stem)
        return tuple(terms)
