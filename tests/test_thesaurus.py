"""Synonyms for question words the documents do not use: "Notebook" finds the "Laptop" page."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer import Index, IndexSettings, SearchSettings, build_index
from indexer.analysis import Analyzer
from indexer.thesaurus import Thesaurus, inflects, parse_line, question_forms
from tests.fakes import FakeEmbedder

LINES = """# OpenThesaurus - German Thesaurus in text format
Klapprechner (ugs.);Laptop;Mobilrechner;Schlepptop (ugs., scherzhaft);Notebook;tragbarer Computer
Menge;Ziffer;Nr.;Nummer;Zahl
Akt;Nummer (ugs.);Verkehr (geh.)
Hamburger;Burger
Riss;Sprung;Spalt
verlagern;auslagern;räumen
ansprechen;richten
"""


@pytest.fixture
def thesaurus_file(tmp_path: Path) -> Path:
    path = tmp_path / "openthesaurus.txt"
    path.write_text(LINES, encoding="utf-8")
    return path


def test_a_line_gives_its_plain_single_words():
    assert parse_line("Klapprechner (ugs.);Laptop;Schlepptop (ugs., scherzhaft);Notebook;tragbarer Computer") == [
        "Laptop", "Notebook"]
    assert parse_line("Mobiltelefon (Hauptform);Handy (Hauptform)") == ["Mobiltelefon", "Handy"]


def test_a_marked_sense_is_neither_looked_up_nor_offered(thesaurus_file: Path):
    thesaurus = Thesaurus(thesaurus_file)
    assert "Akt" not in thesaurus.synonyms("numm") and "Zahl" in thesaurus.synonyms("numm")
    assert thesaurus.synonyms("klapprechn") == ()


def test_only_terms_the_index_lacks_are_replaced_by_a_synonym_it_holds(thesaurus_file: Path):
    thesaurus, analyzer = Thesaurus(thesaurus_file), Analyzer()
    frequency = {"laptop": 3, "zahl": 1}
    assert thesaurus.replacements(["notebook", "zahl", "numm"], analyzer, frequency) == {"notebook": "laptop", "numm": "zahl"}
    assert thesaurus.replacements(["mobilrechn"], analyzer, {}) == {}
    # a synonym only restricted documents hold is not offered to someone who may not see them
    assert thesaurus.replacements(["notebook"], analyzer, frequency, visible=lambda term: term != "laptop") == {}


def test_a_part_of_the_word_is_no_synonym(thesaurus_file: Path):
    # "Hamburg" has the stem of "Hamburger", whose synonym "Burger" is only a part of the word
    thesaurus, analyzer = Thesaurus(thesaurus_file), Analyzer()
    assert "Burger" in thesaurus.synonyms("hamburg")
    assert thesaurus.replacements(["hamburg"], analyzer, {"burg": 4}) == {}


def test_a_word_gets_the_synonyms_of_the_set_word_it_is_a_form_of():
    assert inflects("Notebooks", "Notebook") and inflects("Gelder", "Geld") and inflects("Geld", "Gelder")
    assert inflects("brauche", "brauchen") and inflects("Bürgerbüros", "Bürgerbüro")
    # same stem, other word
    assert not inflects("gesprungen", "Sprung") and not inflects("Auslagen", "auslagern")
    assert not inflects("schneidet", "schneiden")


def test_a_question_word_only_meets_the_sets_of_words_it_is_a_form_of(thesaurus_file: Path):
    thesaurus, analyzer = Thesaurus(thesaurus_file), Analyzer()
    frequency = {"riss": 2, "raum": 5, "laptop": 3}
    question = "Handy gesprungen, und wohin mit meinen Auslagen und dem Notebook?"
    forms = question_forms(question, analyzer)
    assert forms["notebook"] == {"Notebook"}
    terms = set(analyzer.question_terms(question))
    # "gesprungen" is no crack ("Riss") and "Auslagen" nothing to clear away ("räumen")
    assert thesaurus.replacements(terms, analyzer, frequency, forms=forms) == {"notebook": "laptop"}
    assert {"notebook": "laptop"} != thesaurus.replacements(terms, analyzer, frequency)  # by stem alone


def test_without_the_file_there_are_no_synonyms(tmp_path: Path):
    assert len(Thesaurus(tmp_path / "missing.txt")) == 0 and len(Thesaurus(None)) == 0


def indexed(tmp_path: Path, documents: dict[str, tuple[str, str]]) -> IndexSettings:
    """Settings of an index built from {file name: (title, text)} with the fake embedder."""
    root = tmp_path / "knowledge"
    root.mkdir()
    for name, (title, text) in documents.items():
        (root / name).write_text(f"---\ntitle: {title}\n---\n\n{text}\n", encoding="utf-8")
    settings = IndexSettings(knowledge_dir=root, data_dir=tmp_path / "var", model="fake", progress=False,
                             unit_vectors=False)
    build_index(settings, embedder=FakeEmbedder("fake"))
    return settings


def searching(settings: IndexSettings, thesaurus: Path | None) -> Index:
    return Index(settings, SearchSettings(thesaurus=thesaurus), embedder=FakeEmbedder("fake"))


def test_a_question_with_a_synonym_finds_the_document_and_knows_its_words(tmp_path: Path, thesaurus_file: Path):
    settings = indexed(tmp_path, {"geraete.md": ("Geräte", "Der Laptop startet nach Updates automatisch neu."),
                                  "parken.md": ("Parken", "Sensoren melden freie Stellplätze.")})
    with_synonyms, without = searching(settings, thesaurus_file), searching(settings, None)
    found = with_synonyms.search("Startet mein Notebook von selbst neu?")
    assert found.best.source == "geraete.md" and found.corrections == {"notebook": "laptop"}
    assert found.evidence.unknown == 0 < without.search("Startet mein Notebook von selbst neu?").evidence.unknown


def test_a_word_the_documents_begin_compounds_with_gets_no_synonym(tmp_path: Path, thesaurus_file: Path):
    settings = indexed(tmp_path, {"kontakte.md": ("Kontakte", "Die Ansprechpersonen stehen in der Liste."),
                                  "antraege.md": ("Anträge", "Richten Sie Anträge an die Koordination.")})
    found = searching(settings, thesaurus_file).search("Wen kann ich ansprechen?")
    # "ansprechen" – "Ansprechpersonen": the documents' own compound, not the thesaurus' "richten"
    assert found.corrections.get("ansprech") == "ansprechperson" and found.best.source == "kontakte.md"


def test_in_a_phone_question_nummer_means_the_phone_lists_durchwahl(tmp_path: Path, thesaurus_file: Path):
    settings = indexed(tmp_path, {"telefon.md": ("Telefonliste", "Personalrat · Durchwahl -3200\n\nPforte · Durchwahl -1000"),
                                  "statistik.md": ("Statistik", "Die Zahl der Anträge stieg um 12 Prozent.")})
    index = searching(settings, thesaurus_file)
    phone = index.search("Unter welcher Nummer erreiche ich den Personalrat?")
    assert phone.corrections == {"numm": "durchwahl"} and phone.best.source == "telefon.md"
    english = index.search("What is the phone extension of the Personalrat?")
    assert english.corrections["extension"] == "durchwahl" and english.best.source == "telefon.md"
    # Without a phone context the thesaurus sense stays: "Nummer" → "Zahl".
    assert index.search("Wie hoch ist die Nummer der Anträge?").corrections == {"numm": "zahl"}
