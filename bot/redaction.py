"""What of a question is stored: as typed, without contact data and personnel numbers, or nothing.

People paste e-mail addresses, phone numbers and personnel numbers into questions; none of that
helps to find knowledge gaps, so `[chat] store_questions = "redacted"` (the default) replaces them
with a placeholder before the question is logged.
"""
from __future__ import annotations

import re
from typing import Literal

StoreQuestions = Literal["full", "redacted", "none"]

EMAIL, PHONE, PERSONNEL = "[E-Mail]", "[Telefon]", "[Personalnummer]"

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A number as written in Germany: +49 234 9101234, +49 (0)234 910 1234, 0234 910-1234, (0234) 9101234,
# 0151 12345678. The area code needs three digits or more, so dates such as 01/2025 do not match.
_PHONE = re.compile(
    r"(?<![\w+@])"
    r"(?:\+\d{1,3}[ ]?(?:\(0\)[ ]?)?\d{2,5}|\(0\d{2,5}\)|0[1-9]\d{1,4})"
    r"(?:[ /-]{0,2}\d{2,})+"
    r"(?!\w)"
)
# A short number after a telephone word: "Durchwahl 1234", "Tel.: -1234".
_EXTENSION = re.compile(
    r"\b(?P<word>Tel(?:efon)?\.?|Telefonnummer|Rufnummer|Durchwahl|Nebenstelle|Mobil(?:nummer)?|Handy(?:nummer)?|Fax)"
    r"(?P<gap>\s*:?\s*)[-+]?\d[\d /-]*\d",
    re.IGNORECASE,
)
_PERSONNEL = re.compile(
    r"\b(?:(?:Personal|Mitarbeiter|Dienst)[- ]?(?:nummer|nr\.?)|Pers\.?[- ]?Nr\.?|P\.?[- ]?Nr\.?)"
    r"\s*(?::|ist|lautet)?\s*\d{4,10}\b",
    re.IGNORECASE,
)
_MIN_PHONE_DIGITS = 6


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return PHONE if digits >= _MIN_PHONE_DIGITS else match.group(0)


def redact(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and personnel numbers replaced by placeholders."""
    text = _EMAIL.sub(EMAIL, text)
    text = _PERSONNEL.sub(PERSONNEL, text)
    text = _PHONE.sub(_phone, text)
    return _EXTENSION.sub(lambda m: f"{m.group('word')}{m.group('gap')}{PHONE}", text)


def stored_question(text: str, mode: StoreQuestions) -> str | None:
    """The question as the log keeps it under `[chat] store_questions`."""
    if mode == "none":
        return None
    return redact(text) if mode == "redacted" else text
