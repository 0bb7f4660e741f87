"""The sentence-by-sentence check of model answers (Belegpflicht), on hand-made passages."""
from __future__ import annotations

import pytest

from bot.grounded.check import GroundingCheck, sentences
from bot.grounded.facts import extract, number_key
from bot.grounded.prompt import Passage, build_messages, passages_from

PASSAGES = [
    Passage(1, "FAQ: Diensthandy beantragen", "2026-04-14",
            "Ein Diensthandy beantragen Sie über das IT-Serviceportal. Nach der Freigabe dauert die Bereitstellung "
            "etwa zwei Wochen. Ansprechpartner ist Jonas Becker (@jonas_becker), Durchwahl -4101. Anträge bis zum "
            "31. März 2026 werden noch mit 1.000 Euro aus dem Budget bezahlt; Abholung ab 12:15 Uhr."),
    Passage(2, "VPN-Anleitung", "2025-01-10",
            "Den VPN-Zugang schaltet der IT-Servicedesk frei. Schreiben Sie an servicedesk@bochum.de."),
]
GOOD = "Ein Diensthandy beantragen Sie über das IT-Serviceportal [1]."


@pytest.mark.parametrize("token, key", [
    ("1.000", "1000"), ("1000", "1000"), ("12:15", "12.15"), ("12.15", "12.15"), ("09:00", "9"),
    ("9", "9"), ("12,50", "12,5"), ("1.250,00", "1250"), ("0234", "234"),
])
def test_numbers_compare_however_written(token: str, key: str) -> None:
    assert number_key(token) == key


@pytest.mark.parametrize("text", ["am 31. März", "am 31.03.", "bis 31.3.", "March 31st", "31 March"])
def test_dates_compare_however_written(text: str) -> None:
    assert "31.3" in extract(text).numbers


def test_citation_after_the_full_stop_belongs_to_its_sentence() -> None:
    assert sentences("Erster Satz. [1] Zweiter Satz [2].") == ["Erster Satz [1].", "Zweiter Satz [2]."]


@pytest.mark.parametrize("sentence", [
    GOOD,
    "Ein Diensthandy beantragen Sie über das IT-Serviceportal. [1]",
    "Die Bereitstellung dauert nach der Freigabe etwa zwei Wochen [1].",
    "Ansprechpartner ist Jonas Becker (@jonas_becker), Durchwahl -4101 [1].",
    "Anträge bis zum 31.03.2026 werden mit 1000 Euro aus dem Budget bezahlt [1].",
    "Die Abholung ist ab 12.15 Uhr möglich [1].",
    "Den VPN-Zugang schaltet der IT-Servicedesk frei, erreichbar unter servicedesk@bochum.de [2].",
    "Ein Diensthandy beantragen Sie über das IT-Serviceportal, den VPN-Zugang schaltet der IT-Servicedesk frei [1, 2].",
])
def test_supported_sentences_pass(sentence: str) -> None:
    checked = GroundingCheck(PASSAGES).answer(sentence)
    assert [v.problem for v in checked.verdicts] == [None]
    assert not checked.core_lost


@pytest.mark.parametrize("sentence, problem", [
    ("Ein Diensthandy beantragen Sie über das IT-Serviceportal.", "keine Quellenangabe"),
    ("Ein Diensthandy beantragen Sie über das IT-Serviceportal [3].", "Quelle nicht vorhanden"),
    ("Ein Diensthandy beantragen Sie über das IT-Serviceportal [1][7].", "Quelle nicht vorhanden"),
    ("Nach der Freigabe dauert die Bereitstellung etwa 14 Tage [1].", "Zahl/Datum nicht belegt"),
    ("Ansprechpartner ist Jonas Becker, Durchwahl -4102 [1].", "Zahl/Datum nicht belegt"),
    ("Anträge bis zum 30. April 2026 werden aus dem Budget bezahlt [1].", "Zahl/Datum nicht belegt"),
    ("Anträge werden mit 1.500 Euro aus dem Budget bezahlt [1].", "Zahl/Datum nicht belegt"),
    ("Die Abholung ist ab 12:30 Uhr möglich [1].", "Zahl/Datum nicht belegt"),
    ("Nach der Freigabe dauert die Bereitstellung etwa drei Wochen [1].", "Zahl/Datum nicht belegt"),
    ("Ansprechpartnerin ist Lena Hoffmann [1].", "Name nicht belegt"),
    ("Ansprechpartner ist Jonas Becker (@jonas_b) [1].", "Adresse/Handle nicht belegt"),
    ("Schreiben Sie an it-hilfe@bochum.de, um den VPN-Zugang freizuschalten [2].", "Adresse/Handle nicht belegt"),
    ("Ansprechpartner ist Jonas Becker, Durchwahl -4101 [2].", "Zahl/Datum nicht belegt"),  # fact only in [1]
    ("Grundsätzlich gilt für Mobilgeräte die Dienstvereinbarung über mobile Endgeräte [1].", "Inhalt nicht belegt"),
])
def test_unsupported_sentences_are_dropped(sentence: str, problem: str) -> None:
    checked = GroundingCheck(PASSAGES).answer(f"{GOOD} {sentence}")
    assert [v.problem for v in checked.verdicts] == [None, problem]
    assert checked.text == GOOD  # the failing sentence is gone, the supported one stays
    assert not checked.core_lost


def test_answer_loses_its_core_when_the_first_sentence_fails() -> None:
    checked = GroundingCheck(PASSAGES).answer("Ansprechpartnerin ist Lena Hoffmann [1]. " + GOOD)
    assert checked.core_lost and checked.reason.startswith("erster Satz")


def test_answer_loses_its_core_when_most_sentences_fail() -> None:
    checked = GroundingCheck(PASSAGES).answer(f"{GOOD} Es dauert 9 Tage [1]. Es kostet 7 Euro [1].")
    assert checked.core_lost and checked.text == GOOD


def test_english_answer_to_a_german_question_loses_its_core() -> None:
    checked = GroundingCheck(PASSAGES, "de").answer("You can request a phone through the IT service portal [1].")
    assert checked.core_lost and checked.reason == "falsche Sprache"


def test_empty_answer_loses_its_core() -> None:
    assert GroundingCheck(PASSAGES).answer("  ").core_lost


def test_prompt_numbers_passages_with_title_and_stand() -> None:
    messages = build_messages("Wie beantrage ich ein Diensthandy?", PASSAGES, "de")
    assert "nicht mit eigenem Wissen" in messages[0]["content"] and "[1]" in messages[0]["content"]
    user = messages[1]["content"]
    assert "[1] FAQ: Diensthandy beantragen (Stand: 2026-04-14)" in user
    assert "[2] VPN-Anleitung (Stand: 2025-01-10)" in user
    assert user.endswith("Frage: Wie beantrage ich ein Diensthandy?")
    assert build_messages("How?", PASSAGES, "en")[0]["content"].startswith("You are")


def test_passage_one_opens_with_the_extractive_answer_when_its_chunk_lacks_it() -> None:
    from indexer import Hit
    hit = Hit(1, "Weitere Fragen zum Gerät.", "FAQ", "Rückfragen", "faq/x.md", {"updated": "2026-01-01"}, 1.0)
    assert passages_from([hit], "Die Kurzantwort.")[0].text == "Die Kurzantwort.\n…\nWeitere Fragen zum Gerät."
    assert passages_from([hit], "Weitere Fragen")[0].text == "Weitere Fragen zum Gerät."
