"""The checkable facts in a text, normalised so that equal facts compare equal however written:
numbers (1.000 = 1000, 12:15 = 12.15, 9:00 = 9 Uhr), dates (31. März = 31.03.), e-mail addresses,
web links, @handles and name-like words."""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import fold, load_stopwords

MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "febr": 2, "märz": 3, "mär": 3, "april": 4,
    "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "october": 10, "december": 12,
}
NUMBER_WORDS = {
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "elf": 11, "zwölf": 12, "zwanzig": 20, "dreißig": 30, "hundert": 100, "tausend": 1000,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "hundred": 100, "thousand": 1000,
}
HONORIFICS = frozenset("frau herr herrn dr prof mr mrs ms".split())
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_CAPITALISED = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s<>\]\)]+")
_HANDLE = re.compile(r"(?<![\w.])@\w{3,}")
_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4}|\d{2})(?!\d))?")
_NAMED_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?({_MONTH})\b\.?(?:\s+(\d{{4}}))?", re.I)
_ENGLISH_DATE = re.compile(rf"\b({_MONTH_CAPITALISED})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}}))?")
_NUMBER = re.compile(r"\d+(?:(?:[.,:]|[\u00a0\u202f])\d+)*")
_WORDS = re.compile(r"[^\W\d_][\w-]*")
_TWO_CAPITALS = re.compile(r"[A-ZÄÖÜ].*[A-ZÄÖÜ]")
_STOP = load_stopwords()


@dataclass(frozen=True)
class Facts:
    """What a text states that a reader could act on wrongly if it were invented."""

    numbers: frozenset[str]
    links: frozenset[str]  # e-mail addresses, URLs, @handles (lower case)
    names: frozenset[str]  # name-like words, folded


def number_key(token: str) -> str:
    """One spelling per number: thousands separators dropped, decimals with a comma, leading zeros
    and zero minutes dropped from times and dates ("09:00" = "9", "31.03" = "31.3")."""
    groups = re.split(r"[.,:\u00a0\u202f]", token)
    separators = re.findall(r"[.,:\u00a0\u202f]", token)
    if not separators:
        return str(int(token))
    if set(separators) <= {".", "\u00a0", "\u202f"} and all(len(g) == 3 for g in groups[1:]):
        return str(int("".join(groups)))
    if separators[-1] == "," and set(separators[:-1]) <= {"."}:
        whole, fraction = str(int("".join(groups[:-1]))), groups[-1].rstrip("0")
        return f"{whole},{fraction}" if fraction else whole
    values = [str(int(g)) for g in groups]
    while len(values) > 1 and values[-1] == "0":
        values.pop()
    return ".".join(values)


def _date_key(day: str, month: int | str) -> str:
    return f"{int(day)}.{int(month)}"


def extract(text: str, english: bool = False, names: bool = True) -> Facts:
    """The facts in `text`; `english` treats every capitalised word after the first as a name.
    Passages need no names of their own (`names=False`): a sentence's names are looked up in all their words."""
    links: set[str] = set()
    for pattern, marker in ((_EMAIL, "@"), (_URL, "http"), (_HANDLE, "@")):
        if marker in text:
            links.update(m.group(0).rstrip(".,;:!?").lower() for m in pattern.finditer(text))
            text = pattern.sub(" ", text)
    numbers: set[str] = set()

    def date(match: re.Match, day: int, month: int, year: int) -> str:
        month_value = match.group(month)
        numbers.add(_date_key(match.group(day), MONTHS.get(month_value.lower().rstrip("."), 0)
                              if not month_value.isdigit() else month_value))
        if match.group(year):
            numbers.add(str(int(match.group(year))))
        return " "

    text = _NUMERIC_DATE.sub(lambda m: date(m, 1, 2, 3), text)
    text = _NAMED_DATE.sub(lambda m: date(m, 1, 2, 3), text)
    text = _ENGLISH_DATE.sub(lambda m: date(m, 2, 1, 3), text)
    numbers.update(number_key(m.group(0)) for m in _NUMBER.finditer(text))
    words = _WORDS.findall(text)
    numbers.update(str(value) for w in words if (value := NUMBER_WORDS.get(w.lower())) is not None)
    return Facts(frozenset(numbers), frozenset(links), frozenset(_names(words, english) if names else ()))


def _names(words: list[str], english: bool) -> set[str]:
    """Name-like words: acronyms (SCIU), inner capitals (OpenData), runs of two or more capitalised
    words that are not function words (Lena Hoffmann), words after Frau/Herr/Dr.; in English
    text every capitalised word but the first."""
    names: set[str] = set()
    capitalised = [w[:1].isupper() and w.lower() not in _STOP and w.lower() not in HONORIFICS for w in words]
    for i, word in enumerate(words):
        acronym = _TWO_CAPITALS.search(word) is not None
        after_title = i > 0 and words[i - 1].lower() in HONORIFICS and capitalised[i]
        in_run = capitalised[i] and ((i > 0 and capitalised[i - 1]) or (i + 1 < len(words) and capitalised[i + 1]))
        plain_english = english and i > 0 and capitalised[i]
        if acronym or after_title or in_run or plain_english:
            names.add(fold(word.casefold()))
    return names


def words_of(text: str) -> frozenset[str]:
    """Every word of `text`, folded, with hyphenated words also in parts: where names are looked up."""
    found: set[str] = set()
    for word in set(_WORDS.findall(text.casefold())):
        folded = fold(word)
        found.add(folded)
        found.update(part for part in folded.split("-") if part)
    return frozenset(found)
