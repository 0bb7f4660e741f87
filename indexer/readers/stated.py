"""What a document says about itself in its text: "Stand: 03.11.2025", "Verantwortlich: Lena Hoffmann".

Word, PDF, HTML and text files rarely carry structured metadata, but most state their date and
contact near the top. This is the one place those lines are read, for every format.
"""
from __future__ import annotations

import re
from datetime import date

from ..records import Block

# Only the start and the end of a document are searched: "über den Stand" deep in the body is no Stand.
HEAD_CHARS = 2000
TAIL_CHARS = 600
MAX_OWNER_CHARS = 120

MONTHS = {
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5, "juni": 6,
    "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "october": 10, "december": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?!\d)")
_DOTTED = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?!\d)")
_SPELLED = re.compile(rf"(?:(\d{{1,2}})\.?\s+)?({_MONTH})\s+(\d{{4}})(?!\d)", re.IGNORECASE)

_STAND_LABEL = re.compile(
    r"(?<![\w-])(?:stand|zuletzt\s+(?:geändert|aktualisiert)|letzte\s+(?:änderung|aktualisierung)|aktualisiert(?:\s+am)?)"
    r"\s*(?::|vom|am)?\s*",
    re.IGNORECASE,
)
_OWNER_LABEL = re.compile(
    r"(?<![\w-])(?:(?:[\w-]*verantwortlich(?:e|er|en)?|ansprech(?:person|partner)(?:in|innen|en)?|kontakt(?:person)?"
    r"|zuständig(?:e|er)?)\s*:|(?:gepflegt|betreut|verantwortet)\s+von\s*:?)\s*",
    re.IGNORECASE,
)
# Where a stated contact ends: the next "Label:", a separator, a sentence end, a column gap.
_NEXT_LABEL = re.compile(r"\s[A-ZÄÖÜ][\w.-]*\s?:(?:\s|$)")
_SEPARATOR = re.compile(r"\s[·|•–—-]\s|[;\n\t]|\s{2,}")
_SENTENCE_END = re.compile(r"(?<!\b[Dd]r)(?<!\bProf)(?<!\b[HF]r)(?<!\bDipl)(?<!\bIng)\.(?:\s+(?=[A-ZÄÖÜ])|$)")


def normalise_date(text: str) -> str | None:
    """The date at the start of `text` as ISO (`2025-11-03`, or `2026-10` for a month); None if none."""
    text = text.strip()
    for pattern in (_ISO, _DOTTED, _SPELLED):
        match = pattern.match(text)
        if match is None:
            continue
        if pattern is _ISO:
            year, month, day = int(match[1]), int(match[2]), match[3]
        elif pattern is _DOTTED:
            day, month, year = match[1], int(match[2]), int(match[3])
            year = year + 2000 if year < 100 else year
        else:
            day, month, year = match[1], MONTHS[match[2].lower()], int(match[3])
        try:
            if day is None:
                date(year, month, 1)
                return f"{year:04d}-{month:02d}"
            return date(year, month, int(day)).isoformat()
        except ValueError:
            return None
    return None


def _owner_value(text: str) -> str | None:
    """The contact named right after a label, cut where the statement ends."""
    text = text[: MAX_OWNER_CHARS * 2]
    for pattern in (_NEXT_LABEL, _SEPARATOR, _SENTENCE_END):
        match = pattern.search(text)
        if match is not None:
            text = text[: match.start()]
    handle = re.search(r"\(@\w+\)", text)
    if handle is not None:
        text = text[: handle.end()]
    value = text.strip(" ,.:()")
    if value.count("(") > value.count(")"):
        value += ")"
    if not re.search(r"[A-Za-zÄÖÜäöüß]{2}", value) or len(value) > MAX_OWNER_CHARS:
        return None
    return value


def _gather(texts, limit: int) -> list[str]:
    taken, size = [], 0
    for text in texts:
        taken.append(text)
        size += len(text) + 1
        if size >= limit:
            break
    return taken


def _window(blocks: list[Block]) -> list[str]:
    """The start of the document and, if it is longer, its end (where footers state a Stand)."""
    head = "\n".join(_gather((block.text for block in blocks), HEAD_CHARS))
    if len(head) <= HEAD_CHARS and len(head) + 1 >= sum(len(block.text) + 1 for block in blocks):
        return [head]
    tail = "\n".join(reversed(_gather((block.text for block in reversed(blocks)), TAIL_CHARS)))
    return [head[:HEAD_CHARS], tail[-TAIL_CHARS:]]


def stated_metadata(blocks: list[Block]) -> dict[str, str]:
    """`updated` and `owner` as the document states them near its start (or end), if it does."""
    found: dict[str, str] = {}
    for text in _window(blocks):
        if "updated" not in found:
            for match in _STAND_LABEL.finditer(text):
                if (value := normalise_date(text[match.end():match.end() + 40])) is not None:
                    found["updated"] = value
                    break
        if "owner" not in found:
            for match in _OWNER_LABEL.finditer(text):
                if (value := _owner_value(text[match.end():])) is not None:
                    found["owner"] = value
                    break
    return found


def is_masthead(line: str) -> bool:
    """A line that states the document's Stand and its contact ("Stand: 03.11.2025 · Verantwortlich: …"):
    every source shows both already, so it is never an answer."""
    return bool(_OWNER_LABEL.search(line)) and any(
        normalise_date(line[match.end():match.end() + 40]) for match in _STAND_LABEL.finditer(line))


def same_person(stated: str, described: str) -> bool:
    """Whether `described` (e.g. a file's author "Lena Hoffmann (@lena_hoffmann)") names the person
    the text states ("Lena Hoffmann, SCIU")."""
    name = re.split(r"[,(]", stated, maxsplit=1)[0].strip().lower()
    return len(name) >= 3 and name in described.lower()
