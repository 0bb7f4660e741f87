"""Abbreviations and synonyms that expand a query both ways ("OZG" ⇄ "Onlinezugangsgesetz").

Source: documents with `type: glossary` in their front matter, holding a Markdown table whose first
two columns are `Abkürzung | Bedeutung` (several meanings separated by ";"), plus `[search.synonyms]`
in the config.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from .records import ParsedDocument

HEADER_WORDS = {"abkürzung", "abkuerzung", "begriff", "kürzel", "term", "abbreviation"}


def is_glossary(document: ParsedDocument) -> bool:
    return str(document.meta.get("type", "")).strip().lower() in {"glossary", "glossar"}


def glossary_entries(document: ParsedDocument) -> list[tuple[str, str]]:
    """(term, expansion) pairs from the glossary tables of a document."""
    entries: list[tuple[str, str]] = []
    for block in document.blocks:
        if block.kind != "table":
            continue
        lines = block.text.splitlines()
        if not lines or lines[0].split("|")[0].strip().lower() not in HEADER_WORDS:
            continue
        for line in lines[1:]:
            cells = [cell.strip() for cell in line.split("|")]
            if len(cells) < 2 or not cells[0]:
                continue
            for expansion in cells[1].split(";"):
                if expansion.strip():
                    entries.append((cells[0], expansion.strip()))
    return entries


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase.lower()) + r"(?!\w)")


class Glossary:
    """Query expansion from glossary entries and configured synonyms, in both directions."""

    def __init__(self, entries: Iterable[tuple[str, str]] = (), synonyms: Mapping[str, Iterable[str]] | None = None):
        self.pairs: list[tuple[str, str]] = list(entries)
        for term, alternatives in (synonyms or {}).items():
            self.pairs.extend((term, alternative) for alternative in alternatives)
        self._patterns = [(_pattern(a), _pattern(b), a, b) for a, b in self.pairs]

    def __len__(self) -> int:
        return len(self.pairs)

    def expansions(self, query: str) -> list[str]:
        """Phrases to add to the query: the long form of each abbreviation in it, and vice versa."""
        text = query.lower()
        found: list[str] = []
        for term_re, expansion_re, term, expansion in self._patterns:
            if term_re.search(text) and not expansion_re.search(text):
                found.append(expansion)
            elif expansion_re.search(text) and not term_re.search(text):
                found.append(term)
        return list(dict.fromkeys(found))

    def expand(self, query: str) -> str:
        """The query with its expansions appended in parentheses, for both retrievers."""
        extra = self.expansions(query)
        return f"{query} ({'; '.join(extra)})" if extra else query
