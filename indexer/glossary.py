"""Abbreviations and synonyms that expand a query both ways ("OZG" ⇄ "Onlinezugangsgesetz").

Source: documents with `type: glossary` in their front matter, holding a Markdown table whose first
two columns are `Abkürzung | Bedeutung` (several meanings separated by ";"), plus `[search.synonyms]`
in the config.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from .analysis import Analyzer
from .records import ParsedDocument

HEADER_WORDS = {"abkürzung", "abkuerzung", "begriff", "kürzel", "term", "abbreviation"}


@dataclass(frozen=True)
class GlossaryEntry:
    """One meaning of an abbreviation, with the glossary's explanation if it has one."""

    term: str
    expansion: str
    note: str = ""


# "Was bedeutet OZG?", "Wofür steht CDO?", "Was ist die SCIU?", "What does OZG stand for?"
_DEFINITION = re.compile(
    r"^\s*(?:was\s+(?:bedeutet|heißt|heisst|meint|ist|sind)|wofür\s+steht|wofuer\s+steht|"
    r"what\s+(?:does|is|are)|erkläre?|erklären\s+sie)\s+(?:der|die|das|ein|eine|the|die\s+abkürzung|abkürzung)?\s*"
    r"[\"'„“»]?(?P<term>[\w.\-äöüÄÖÜß]+?)[\"'“”«]?\s*(?:eigentlich|genau|stand\s+for|mean)?\s*\??\s*$",
    re.IGNORECASE,
)


# Words that ask what an abbreviation means, wherever they stand in the question.
_MEANING = re.compile(
    r"\b(?:bedeutet|bedeutung|hei(?:ß|ss|s)t|steht\s+(?:\w+\s+)?f(?:ü|ue|u)r|wof(?:ü|ue|u)r\s+steht|gemeint|ausgeschrieben|"
    r"ausgeschriben|abk(?:ü|ue|u)rzung|was\s+ist\s+(?:ein|eine|der|die|das)?|versteh(?:t|en)\s+(?:man|wir)|"
    r"stands?\s+for|mean(?:s|ing)?)\b",
    re.IGNORECASE)


def _mentions(question: str, term: str) -> bool:
    """The term as a word of the question; abbreviations in capitals must be written so ("OZG", not "ozg")."""
    flags = 0 if term.isupper() and len(term) <= 4 else re.IGNORECASE
    return re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", question, flags) is not None


def is_glossary(document: ParsedDocument) -> bool:
    return str(document.meta.get("type", "")).strip().lower() in {"glossary", "glossar"}


def glossary_entries(document: ParsedDocument) -> list[GlossaryEntry]:
    """Entries from the glossary tables of a document: Abkürzung | Bedeutung [| Erläuterung]."""
    entries: list[GlossaryEntry] = []
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
            note = cells[2] if len(cells) > 2 else ""
            for expansion in cells[1].split(";"):
                if expansion.strip():
                    entries.append(GlossaryEntry(cells[0], expansion.strip(), note))
    return entries


def definition_text(entries: list[GlossaryEntry]) -> str:
    """The definitions as sentences, one per term: "UDP steht für Urbane Datenplattform oder User Datagram Protocol."."""
    terms: dict[str, list[GlossaryEntry]] = {}
    for entry in entries:
        terms.setdefault(entry.term, []).append(entry)
    lines = []
    for term, meanings in terms.items():
        notes = " ".join(dict.fromkeys(m.note for m in meanings if m.note))
        lines.append(f"{term} steht für {' oder '.join(m.expansion for m in meanings)}." + (f" {notes}" if notes else ""))
    return "\n".join(lines)


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase.lower()) + r"(?!\w)")


class Glossary:
    """Query expansion from glossary entries and configured synonyms, in both directions."""

    def __init__(self, entries: Iterable[GlossaryEntry] = (), synonyms: Mapping[str, Iterable[str]] | None = None):
        self.entries = list(entries)
        self.pairs: list[tuple[str, str]] = [(entry.term, entry.expansion) for entry in self.entries]
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

    def replacements(self, query: str, analyzer: Analyzer, visible: Callable[[str], bool]) -> dict[str, str]:
        """Question term no document the asker may see holds → the first such term of its other
        side ("phishing" → "sicherheitsvorfall", "smartphone" → "handy"): the word the documents
        use for what the question names, so it counts as known and as found in an answer."""
        text = query.lower()
        found: dict[str, str] = {}
        for term_re, expansion_re, term, expansion in self._patterns:
            for said_re, said, other in ((term_re, term, expansion), (expansion_re, expansion, term)):
                if not said_re.search(text):
                    continue
                known = [t for t in analyzer.terms(other) if visible(t)]
                for t in analyzer.terms(said) if known else ():
                    if not visible(t):
                        found.setdefault(t, known[0])
        return found

    def expand(self, query: str) -> str:
        """The query with its expansions appended in parentheses, for both retrievers."""
        extra = self.expansions(query)
        return f"{query} ({'; '.join(extra)})" if extra else query

    def mentioned(self, question: str) -> list[GlossaryEntry]:
        """The entries whose abbreviation the question uses ("Wann ist eine DSFA Pflicht?")."""
        return [entry for entry in self.entries if _mentions(question, entry.term)]

    def explaining(self, question: str, analyzer: Analyzer) -> list[GlossaryEntry]:
        """Entries of the question's abbreviations whose explanation speaks of what else it asks
        ("Wann ist eine DSFA Pflicht?" → "Pflichtprüfung … bei hohem Risiko"): where no document
        answers, that explanation is the best the knowledge base says."""
        asked = set(analyzer.question_terms(question))
        found = []
        for entry in self.mentioned(question):
            rest = [q for q in asked - set(analyzer.terms(entry.term)) if len(q) > 3]
            said = [t for t in analyzer.terms(f"{entry.expansion} {entry.note}") if len(t) > 3]
            if any(t.startswith(q) or q.startswith(t) for q in rest for t in said):
                found.append(entry)
        return found

    def definitions(self, question: str) -> list[GlossaryEntry]:
        """The entries a definition question asks for ("Was bedeutet OZG?", "EfA – was heißt das?",
        "Was ist ein AVV und wann …?", "UDP – ist damit … gemeint?", "Was versteht man im Datenschutz unter
        TOM?"); [] for other questions."""
        match = _DEFINITION.match(question)
        if match:
            term = match.group("term").strip(".").casefold()
            return [entry for entry in self.entries if entry.term.casefold() == term]
        return self.mentioned(question) if _MEANING.search(question) else []
