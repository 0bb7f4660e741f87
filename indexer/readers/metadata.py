"""One rule set for every format's metadata: which keys exist, which source wins, what is an error.

Readers hand over two kinds of metadata: `meta`, keys the author set on purpose (front matter, an
HTML `<meta name="access">`, a DOCX custom property, a PDF metadata key), and `properties`, what
the file format records anyway (author, modification date). The text's own "Stand:" and
"Verantwortlich:" lines sit between them: an explicit key beats the text, the text beats the file's
properties.
"""
from __future__ import annotations

import difflib
from typing import Any

from ..records import ParsedDocument
from .errors import UnreadableDocument
from .stated import normalise_date, same_person, stated_metadata

# Every key Wissenslotse reads from a document (README, "Adding documents"); others are reported.
KNOWN_KEYS = frozenset({
    "title", "owner", "department", "tags", "updated", "access", "valid_until", "superseded_by",
    "onboarding", "sample", "type", "language", "url",
    # written by the knowledge exchange for expert answers (bot/faq_writer.py)
    "question", "answer_author", "date", "source_question", "handoff", "reviewed",
})
DATE_KEYS = ("updated", "valid_until")
MAX_TITLE_CHARS = 300
MAX_HEADING_CHARS = 200
MAX_VALUE_CHARS = 500


def near_miss(key: str) -> str | None:
    """The known key an unknown one was probably meant to be (`acess` → `access`)."""
    close = difflib.get_close_matches(key.lower(), KNOWN_KEYS, n=1, cutoff=0.8)
    return close[0] if close else None


def unknown_keys(meta: dict[str, Any]) -> list[str]:
    return sorted(key for key in meta if key not in KNOWN_KEYS)


def picked_keys(values: dict[str, Any]) -> dict[str, Any]:
    """From a format's free-form key list (HTML meta names, DOCX custom properties, PDF keys):
    the known keys, plus near misses so that the run report can name them."""
    picked: dict[str, Any] = {}
    for name, value in values.items():
        key = str(name).strip().lower()
        if key in KNOWN_KEYS or near_miss(key):
            picked[key] = value
    return picked


def access_groups(value: Any) -> list[str]:
    """The groups in an `access` value ("a", "a, b" or a list); an empty value is an error.

    `access: []`, `access: ""` or a bare `access:` must never make a document public.
    """
    items = value if isinstance(value, (list, tuple)) else [value]
    groups: list[str] = []
    for item in items:
        if isinstance(item, (dict, list, tuple)):
            raise UnreadableDocument("ungültiger Wert für „access“ (erwartet: Gruppenname oder Liste von Gruppennamen)")
        if item is None or isinstance(item, bool):
            continue
        groups.extend(part.strip() for part in str(item).split(",") if part.strip())
    if not groups:
        raise UnreadableDocument("leerer Wert für „access“ – Dokument wird nicht öffentlich gemacht, bitte Gruppe eintragen")
    return list(dict.fromkeys(groups))


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _capped(value: Any) -> Any:
    if isinstance(value, str):
        return _cap(value, MAX_VALUE_CHARS)
    if isinstance(value, list):
        return [_capped(v) for v in value[:100]]
    return value


def complete_metadata(document: ParsedDocument) -> None:
    """Fill `updated` and `owner` from the text and the file's properties, normalise dates and
    `access`, cap title and heading lengths. Raises UnreadableDocument for an empty `access`."""
    meta = {key: _capped(value) for key, value in document.meta.items()}
    stated = stated_metadata(document.blocks)
    properties = document.properties
    owner_stated, owner_file = stated.get("owner"), str(properties.get("owner") or "").strip()
    if owner_stated and owner_file and "@" in owner_file and "@" not in owner_stated and same_person(owner_stated, owner_file):
        stated["owner"] = owner_file  # the same person, with the Telegram handle the file adds
    for key in ("updated", "owner"):
        if meta.get(key) in (None, ""):
            value = stated.get(key) or properties.get(key)
            if value:
                meta[key] = _cap(str(value), MAX_VALUE_CHARS)
    for key in DATE_KEYS:
        if isinstance(meta.get(key), str):
            meta[key] = normalise_date(meta[key]) or meta[key]
    if "access" in meta:
        meta["access"] = access_groups(meta["access"])
    document.meta = meta
    document.properties = {}
    document.title = _cap(" ".join(str(document.title).split()), MAX_TITLE_CHARS)
    for block in document.blocks:
        if any(len(heading) > MAX_HEADING_CHARS for heading in block.headings):
            block.headings = tuple(_cap(heading, MAX_HEADING_CHARS) for heading in block.headings)
