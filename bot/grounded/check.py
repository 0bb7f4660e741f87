"""Belegpflicht in code: every sentence of a model's answer is checked against the passages it cites.

A sentence passes when it cites only passages that were given, every number, date, e-mail address,
link, @handle and name in it occurs in a cited passage, and enough of its content words do too.
Failing sentences are dropped; when the answer loses its core the caller uses the extractive answer.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from indexer.analysis import Analyzer
from indexer.question_form import is_english
from indexer.sentences import split_sentences

from .facts import Facts, extract, words_of
from .prompt import Passage

MIN_OVERLAP = 0.5  # share of a sentence's content terms that must occur in its cited passages
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_CITATIONS_AFTER_STOP = re.compile(r"([.!?…])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")
_ANALYZER = Analyzer()  # stemming and stop words as in the index; no compound splitting needed here


@dataclass(frozen=True)
class Verdict:
    """One sentence and why it was dropped (None: kept)."""

    sentence: str
    citations: tuple[int, ...]
    problem: str | None = None


@dataclass
class Checked:
    """The checked answer: the kept sentences, the verdicts, and whether the core survived."""

    text: str
    verdicts: list[Verdict] = field(default_factory=list)
    core_lost: bool = False
    reason: str = ""

    @property
    def dropped(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.problem]


@dataclass(frozen=True)
class _Source:
    facts: Facts
    words: frozenset[str]
    terms: frozenset[str]


def lines(answer: str) -> list[list[str]]:
    """The answer's lines (list items, paragraphs) as sentences, each with its citations
    ("… gilt. [1]" becomes "… gilt [1]."); list markers are kept with their sentence."""
    moved = _CITATIONS_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)}", answer)
    return [found for line in moved.splitlines() if (found := split_sentences(line))]


@functools.lru_cache(maxsize=512)
def passage_source(text: str) -> _Source:
    """What a passage supports, extracted once per passage text (popular passages recur)."""
    return _Source(extract(text, names=False), words_of(text), frozenset(_ANALYZER.terms(text)))


def sentences(answer: str) -> list[str]:
    """The answer's sentences in order (see `lines`)."""
    return [sentence for line in lines(answer) for sentence in line]


class GroundingCheck:
    """Checks answers against one question's passages; build once per question (the passages'
    facts are extracted once), then `sentence` for streamed sentences or `answer` for the whole."""

    def __init__(self, passages: list[Passage], language: str = "de") -> None:
        self.language = language
        self._texts = {p.number: f"{p.title}\n{p.text}" for p in passages}  # prepared when first cited
        self._verdicts: dict[str, Verdict] = {}

    def sentence(self, sentence: str) -> Verdict:
        """The verdict on one sentence (remembered, so a streamed sentence is checked once)."""
        verdict = self._verdicts.get(sentence)
        if verdict is None:
            verdict = self._verdicts[sentence] = self._judge(sentence)
        return verdict

    def _judge(self, sentence: str) -> Verdict:
        numbers = [int(n) for group in _CITATION.findall(sentence) for n in group.split(",")]
        cited = tuple(dict.fromkeys(numbers))
        if not cited:
            return Verdict(sentence, cited, "keine Quellenangabe")
        if any(n not in self._texts for n in cited):
            return Verdict(sentence, cited, "Quelle nicht vorhanden")
        plain = _CITATION.sub(" ", sentence)
        sources = [passage_source(self._texts[n]) for n in cited]
        facts = extract(plain, english=self.language == "en")
        missing_number = facts.numbers - set().union(*(s.facts.numbers for s in sources))
        if missing_number:
            return Verdict(sentence, cited, "Zahl/Datum nicht belegt")
        if facts.links - set().union(*(s.facts.links for s in sources)):
            return Verdict(sentence, cited, "Adresse/Handle nicht belegt")
        words = frozenset().union(*(s.words for s in sources))
        terms = frozenset().union(*(s.terms for s in sources))
        if any(not _name_supported(name, words, terms) for name in facts.names):
            return Verdict(sentence, cited, "Name nicht belegt")
        content = set(_ANALYZER.terms(plain))
        if content and len(content & terms) < MIN_OVERLAP * len(content):
            return Verdict(sentence, cited, "Inhalt nicht belegt")
        return Verdict(sentence, cited)

    def kept(self, found: list[list[str]]) -> str:
        """The sentences that pass, in their lines."""
        return "\n".join(joined for line in found if (joined := " ".join(s for s in line if not self.sentence(s).problem)))

    def answer(self, answer: str) -> Checked:
        """Check every sentence; the core is lost when the answer is in the wrong language, the
        first sentence fails, or fewer than half of the sentences pass."""
        found = lines(answer)
        verdicts = [self.sentence(s) for line in found for s in line]
        kept = [v.sentence for v in verdicts if not v.problem]
        checked = Checked(self.kept(found), verdicts)
        if not verdicts:
            checked.core_lost, checked.reason = True, "leere Antwort"
        elif is_english(answer) != (self.language == "en"):
            checked.core_lost, checked.reason = True, "falsche Sprache"
        elif verdicts[0].problem:
            checked.core_lost, checked.reason = True, f"erster Satz: {verdicts[0].problem}"
        elif 2 * len(kept) < len(verdicts):
            checked.core_lost, checked.reason = True, "zu viele Sätze ohne Beleg"
        return checked


def _name_supported(name: str, words: frozenset[str], terms: frozenset[str]) -> bool:
    """A name occurs in the passages as written, in all its hyphenated parts, or as the same stem."""
    if name in words or all(part in words for part in name.split("-") if part):
        return True
    stems = _ANALYZER.terms(name)
    return bool(stems) and all(stem in terms for stem in stems)
