"""Whether a document can hold the value a question asks for: a year it names, a sum of money.

A plausible question on a document's topic ("Wie hoch ist die Kilometerpauschale?" on the travel
FAQ) otherwise gets a confident answer from a document that never states such a value.
"""
from __future__ import annotations

import re

YEAR = re.compile(r"\b(?:19|20)\d\d\b")

# Asks for an amount of money: "was kostet", "wie viel zahlt", "wie hoch ist die Pauschale", "how much … cost".
_MONEY_WORDS = (r"(?:kost\w*|zahlt|zahlen|zahle|bezahl\w*|erstatt\w*|zuschuss\w*|\w*pauschale|\w*betrag|beträge|"
                r"\w*gebühr\w*|\w*preis|euro|geld|\w*budget|etat\w*|cost\w*|pay\w*|per diem|price|fee\w*|"
                r"allowance)")
MONEY_QUESTION = re.compile(
    rf"\b(?:wie ?viel\w*|wie hoch|ab welche\w*|how much)\b[^?]{{0,60}}?\b{_MONEY_WORDS}\b"
    r"|\bwas kostet\b|\bwelche\w* (?:betrag|beträge|summe\w*|kosten)\b|\bhow much\b[^?]{0,40}\b(?:cost|pay|get|charge)",
    re.I)
# A stated sum, or a statement that something costs nothing.
MONEY = re.compile(
    r"\d[\d.,]*\s*(?:(?:mio|mrd|tsd)\.?\s*|millionen?\s+|milliarden?\s+)?(?:[€$£]|(?:euros?|eur|dollars?|usd|gbp|pfund|franken|chf)\b)|"
    r"[€$£]\s*\d|"
    r"\b(?:kostenlos|kostenfrei|gebührenfrei|unentgeltlich|gratis|ohne kosten|keine kosten|free of charge)\b", re.I)


def years_missing(question: str, document_text: str) -> bool:
    """The question names a year that the document, which speaks of other years, never mentions
    ("Platz im Smart-City-Index 2024" against the 2022 ranking; kb-dev: one such question, no
    answerable one; XQuAD: 1 of 40 questions with a year). A document without any year may take
    the question's year as its context."""
    years = set(YEAR.findall(question))
    said = set(YEAR.findall(document_text))
    return bool(years) and bool(said) and not years <= said


def asks_for_sum(question: str) -> bool:
    """The question asks how much something costs or pays."""
    return bool(MONEY_QUESTION.search(question))


def money_missing(question: str, document_text: str, on_topic: bool = True) -> bool:
    """The question asks for a sum, and the document never states one – or does not speak of the
    question's topic (`on_topic` False), so a sum in it is another one (a form's pilot budget is
    no Kilometerpauschale)."""
    return asks_for_sum(question) and (not on_topic or not MONEY.search(document_text))


def asks_for_value(question: str) -> bool:
    """The question names a year or asks for a sum: only then is the answering document read whole."""
    return bool(YEAR.search(question)) or asks_for_sum(question)


def lacks_asked_value(question: str, document_text: str, on_topic: bool = True) -> bool:
    """The document cannot answer the question: the year or the sum it asks for is not in it."""
    return years_missing(question, document_text) or money_missing(question, document_text, on_topic)
