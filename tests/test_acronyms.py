"""Abbreviations the documents never spell out are read from the initials of their compounds' parts."""
from __future__ import annotations

from indexer.acronyms import Acronyms, abbreviations

WORDS = ["Informationssicherheitsbeauftragter", "Information", "Sicherheit", "beauftragt",
         "Datenschutzbeauftragte", "Daten", "Onlinezugangsgesetz", "online", "Zugang", "Gesetz"]


def test_the_initials_of_a_compound_s_parts_spell_its_abbreviation():
    acronyms = Acronyms(WORDS)
    assert acronyms.long_forms("ISB") == ("Informationssicherheitsbeauftragter",)
    assert acronyms.long_forms("OZG") == ("Onlinezugangsgesetz",)
    assert acronyms.long_forms("XYZ") == ()


def test_a_part_the_documents_never_use_alone_may_be_a_word_of_the_language():
    assert Acronyms(WORDS).long_forms("DSB") == ()  # "Schutz" stands in no document on its own
    assert Acronyms(WORDS, {"schutz"}.__contains__).long_forms("DSB") == ("Datenschutzbeauftragte",)


def test_letters_that_spell_many_words_abbreviate_none_and_two_letters_are_too_few():
    parts = ["Bau", "Bahn", "Amt", "Anlage", "Leitung", "Lager", "Leiter"]
    three = ["Bauamtsleitung", "Bahnanlagenleiter", "Bauamtslager"]
    assert set(Acronyms(parts + three).long_forms("BAL")) == set(three)
    assert Acronyms(parts + three + ["Bahnamtsleiter"]).long_forms("BAL") == ()
    assert Acronyms(parts + three).long_forms("BA") == ()


def test_a_question_s_abbreviations_are_words_of_three_to_five_capitals():
    assert abbreviations("Wofür ist der ISB zuständig, und was macht die IT oder die DSGVO-Stelle?") == ["ISB"]
    assert abbreviations("Was macht der DSB?") == ["DSB"]
