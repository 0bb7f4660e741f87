"""How a question is read into search terms: its own words, the words the glossary and the built-in
synonyms pair them with, spelled-out abbreviations, thesaurus guesses, spelling corrections and
translations – and how much of what it names the asker's documents do not hold.

One reader per index snapshot; `read` is called once per search with what the asker may see.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from .acronyms import Acronyms, abbreviations
from .analysis import Analyzer
from .common_synonyms import phone_words
from .glossary import Glossary
from .question_form import CONTACT_NOUN, QuestionForm, is_english, question_form
from .spelling import Speller, common_word_terms, real_word_terms, word_list
from .thesaurus import Thesaurus, question_forms
from .translations import Translations

# Whether a document the asker may see holds a term (`searchable`: one a search may return, not the glossary).
Sees = Callable[..., bool]


@dataclass
class ReadQuestion:
    """A question as the search reads it, for one asker."""

    asked: set[str]  # its own terms, separated verbs put back together (not to be changed)
    form: QuestionForm
    english: bool
    nouns: set[str]
    explained: dict[str, str]  # term → the document word the glossary or a built-in synonym pairs it with
    spelled_out: frozenset[tuple[str, str]]  # unknown abbreviation's term → a long form's term
    synonyms: dict[str, str]  # term → the thesaurus' (or the phone list's) word for it: a guess
    corrections: dict[str, str]  # misspelt or unknown term → index term
    translated: list[str]  # an English question's German search terms
    unknown: float  # share of question terms that are nouns no visible document holds
    contact: frozenset[str] = frozenset()  # a person question's "Ansprechpartner", "Kontakt": the answer's kind

    def lexical_terms(self) -> list[str]:
        """The terms the lexical side searches at full weight: corrections first."""
        return [*self.corrections.values(), *self._corrected()]

    def _corrected(self) -> set[str]:
        terms = set(self.asked)
        terms |= set(self.corrections.values())
        return terms

    def unit_terms(self) -> set[str]:
        """The terms that choose the answer unit: the searched ones but a person question's contact
        nouns, which the unit's fit weighs instead ("Wer ist Ansprechpartner für Entsendungen?" chose
        "Sie bleibt Ansprechpartnerin für Weiterentwicklungen." by that word)."""
        terms = self.searched_terms()
        return terms - self.contact or terms

    def searched_terms(self) -> set[str]:
        """The question's terms as searched: a misspelt word as its correction (its own form is no
        word to look for), a guessed synonym beside the word, an unknown abbreviation as its long forms."""
        terms = self._corrected()
        terms |= set(self.synonyms.values())
        terms -= self.corrections.keys()
        return terms - {a for a, _ in self.spelled_out} | {f for _, f in self.spelled_out}


class QuestionReader:
    """Reads questions against one index's words."""

    def __init__(self, analyzer: Analyzer, speller: Speller, glossary: Glossary, thesaurus: Thesaurus,
                 translations: Translations):
        self.analyzer, self.speller, self.glossary = analyzer, speller, glossary
        self.thesaurus, self.translations = thesaurus, translations

    @functools.cached_property
    def acronyms(self) -> Acronyms:
        """The index's words by the initials of their parts, made at the first unknown abbreviation."""
        return Acronyms(self.analyzer.vocabulary, word_list("de").__contains__)

    def unknown_abbreviations(self, query: str, sees: Sees) -> list[tuple[str, str]]:
        """(abbreviation, long form) for each abbreviation of the question that no document the asker
        may see uses and the glossary does not explain ("ISB" – "Informationssicherheitsbeauftragter")."""
        found = []
        for abbreviation in abbreviations(query):
            term = self.analyzer.terms(abbreviation)
            if not term or sees(term[0]) or self.glossary.expansions(abbreviation):
                continue
            found.extend((abbreviation, form) for form in self.acronyms.long_forms(abbreviation)
                         if sees(self.analyzer.terms(form)[0]))
        return found

    def read(self, query: str, sees: Sees, abbreviated: list[tuple[str, str]]) -> ReadQuestion:
        """The question's terms and what they came from, for an asker who sees what `sees` says;
        `abbreviated`: its `unknown_abbreviations`, which the search needs earlier, for the embedding."""
        analyzer = self.analyzer
        asked = set(analyzer.question_terms(query))
        english = is_english(query)
        form = question_form(query)
        # A word the glossary or the built-in synonyms pair with one the documents use is known by that
        # one, which counts in the top hit's coverage. Not in choosing the answer unit: "Smartphone" →
        # "Handy" chose a sentence on the Diensthandy for a question on private phones.
        explained = self.glossary.replacements(query, analyzer, sees)
        # An abbreviation no document uses stands for the words its letters begin ("ISB"): it is known
        # by them, and they choose the answer unit as the abbreviation would.
        spelled_out = frozenset((analyzer.terms(abbreviation)[0], analyzer.terms(long_form)[0])
                                for abbreviation, long_form in abbreviated)
        for abbreviation, long_form in sorted(spelled_out):
            explained.setdefault(abbreviation, long_form)
        # English words meet their German index terms by letters added or dropped ("program" → "Programm").
        # A word the documents do not use may have a synonym they do ("Notebook" → "Laptop"); an
        # everyday word ("gehen", "gerade") has too many senses to guess one, and one the documents
        # begin compounds with ("ansprechen" – "Ansprechpersonen") is theirs, not a guess's ("richten").
        completing = set() if english else {
            t for t in asked if (compound := self.speller.compound(t)) and sees(compound, searchable=True)}
        synonyms = {} if english else self.thesaurus.replacements(
            asked - common_word_terms(query, analyzer) - completing - explained.keys(), analyzer,
            self.speller.frequency, sees, question_forms(query, analyzer))
        synonyms.update(phone_words(query, analyzer, sees))
        # In a question for a person, "ansprechen" and "anrufen" are how to reach them: "sprechen" and
        # "rufen" are other verbs, and "Sprechen Sie Jonas Becker an" answered a question on funding.
        corrections = self.speller.corrections(asked - synonyms.keys() - explained.keys(),
                                               real_word_terms(query, analyzer, "en" if english else "de"),
                                               whole_verbs=form.person)
        # English words are unknown to a German index by nature: that says nothing about an answer.
        # Nor does a verb the documents happen not to use ("kümmert"): only unknown nouns and names count.
        nouns = analyzer.noun_terms(query)
        unknown = 0.0 if english else sum(
            not sees(corrections.get(t, synonyms.get(t, explained.get(t, t)))) for t in asked & nouns) / max(1, len(asked))
        # An English question meets German documents through translations of its words, searched
        # like synonyms; they choose documents, not answer units (those would crowd out English ones).
        translated = self.translations.search_terms(query, analyzer, sees) if english else []
        contact = frozenset(t for word in CONTACT_NOUN.findall(query) for t in analyzer.terms(word)) if form.person else frozenset()
        return ReadQuestion(asked, form, english, nouns, explained, spelled_out, synonyms, corrections, translated, unknown,
                            contact)
