"""Redaction of contact data and personnel numbers in questions, on realistic German formats."""
from __future__ import annotations

import pytest

from bot.redaction import redact, stored_question


@pytest.mark.parametrize("text, expected", [
    ("Meine Nummer ist 0234 910-1234, bitte zurückrufen", "Meine Nummer ist [Telefon], bitte zurückrufen"),
    ("Erreichbar unter +49 234 9101234.", "Erreichbar unter [Telefon]."),
    ("Tel. +49 (0)234 910 1234 oder (0234) 9101234", "Tel. [Telefon] oder [Telefon]"),
    ("Handy: 0171/1234567", "Handy: [Telefon]"),
    ("Durchwahl 1234 geht nicht", "Durchwahl [Telefon] geht nicht"),
    ("Schreiben Sie an max.mustermann@bochum.de wegen VPN", "Schreiben Sie an [E-Mail] wegen VPN"),
    ("Personalnummer 123456 wurde falsch erfasst", "[Personalnummer] wurde falsch erfasst"),
    ("PNr. 123456 Urlaubsantrag", "[Personalnummer] Urlaubsantrag"),
    ("Meine Pers.-Nr.: 98765432 fehlt", "Meine [Personalnummer] fehlt"),
])
def test_contact_data_and_personnel_numbers_are_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Was gilt ab 01.02.2026?", "Zeitraum 01/2025-12/2025", "§ 35a SGB VIII Abs. 2", "44787 Bochum",
    "01067 Dresden", "Kostet das 1.000 Euro?", "Raum 0.12 im Rathaus", "Termin 2026-04-14",
    "Drucksache Nr. 123456", "Aktenzeichen 02-123/2025", "Wie erreiche ich die Kantine?",
])
def test_ordinary_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_the_storage_modes() -> None:
    question = "Bitte an lena@bochum.de weiterleiten"
    assert stored_question(question, "full") == question
    assert stored_question(question, "redacted") == "Bitte an [E-Mail] weiterleiten"
    assert stored_question(question, "none") is None
