"""Answer units: the pieces of a chunk a reply may consist of.

A chunk's text keeps its document's layout line by line (see `chunking`): paragraphs, list items
("- …"), table rows ("a | b | c", the first row of a table being its header) and the headings of
merged sections. From that layout come the units a person can read on their own: a sentence, a
question with its answer ("**Kostet das etwas?** Nein, …"), a list item, the whole list of steps
under a heading, a table row rendered with its column headers, a table's first column as a listing.
Never a bare heading, a raw `|` row or a rule line; a question inside a paragraph ("Wo gibt es den
besten Kaffee?") is kept as kind "question", which is never an answer on its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .readers.stated import is_masthead
from .records import TABLE_CELL
from .sentences import split_sentences

_ITEM = re.compile(r"^(?:[-*•]\s+(?:\[[ xX]\]\s+)?|\d{1,2}[.)]\s+)")
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+")
_RULE = re.compile(r"\s*[-=_~*#]{4,}\s*")
_FINAL = (".", "!", ":", ";", "…", "“", "\"", "»")  # a heading may end in ")": "Kompetenzen (Profilbereiche)"
MAX_STEPS = 10  # items of one list shown as steps (or first cells of a table shown as a listing)
# "Einrichtung › Schritt 2: Erstanmeldung": one step of a procedure whose steps are sections.
_STEP_HEADING = re.compile(r"^(?:Schritt|Step|Phase|Stufe)\s*\d{1,2}\b", re.I)
MAX_HEADING_WORDS = 12
WHOLE_KINDS = frozenset({"whole", "steps", "procedure", "listing"})  # units that answer alone, without companions
PROSE = frozenset({"sentence", "question"})  # sentences of a paragraph, joined on one line in a whole text
LINE_KINDS = frozenset({"row", "item"})  # a table row or a list item: an answer of one line


@dataclass(frozen=True)
class Unit:
    """One readable piece of a chunk, with the heading it stands under."""

    kind: str  # sentence | qa | question | item | steps | procedure | row | listing
    text: str
    heading: str
    position: int  # order within the chunk
    line: int = -1  # the chunk line a sentence comes from: sentences of one paragraph share it

    @property
    def section(self) -> str:
        """The heading the unit stands directly under ("Wie beantrage ich …?" of "FAQ › Wie beantrage ich …?")."""
        return last_heading(self.heading)


def last_heading(heading_path: str) -> str:
    """The innermost heading of a heading path ("Urlaub › Wie viele Urlaubstage habe ich?")."""
    return heading_path.split(" › ")[-1].strip()


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split(TABLE_CELL)]


def _is_table(line: str) -> bool:
    return TABLE_CELL in line


def is_heading(line: str, following: str | None) -> bool:
    """A section title inside a chunk: short, without final punctuation, with text after it."""
    text = line.strip()
    if " › " in text:
        return True
    if following is None or _ITEM.match(text) or _is_table(text):
        return False
    words = len(text.split())
    if text.endswith("?"):
        return words <= 15 and not following.rstrip().endswith("?")
    return words <= MAX_HEADING_WORDS and not text.endswith(_FINAL)


def _is_numbered_heading(line: str, following: str | None) -> bool:
    """ "1. Zweck dieses Merkblatts" above a paragraph or a bulleted list: a section title (PDF and
    plain-text layouts number their sections), not the first of numbered steps."""
    if not _NUMBERED.match(line) or following is None or _NUMBERED.match(following):
        return False
    return is_heading(_NUMBERED.sub("", line), following)


def render_row(header: list[str] | None, cells: list[str]) -> str:
    """A table row as a sentence-like line: "Funktionszeit: 9:00–15:00 Uhr",
    "Lunch & Learn – Rhythmus: donnerstags; Uhrzeit: 12:15 Uhr"."""
    cells = [c for c in cells]
    if not header or len(header) != len(cells):
        return " · ".join(c for c in cells if c)
    if len(cells) == 2:
        return f"{cells[0]}: {cells[1]}"
    rest = "; ".join(f"{name}: {value}" for name, value in zip(header[1:], cells[1:]) if value)
    return f"{cells[0]} – {rest}" if cells[0] else rest


def clean_line(line: str) -> str:
    """A line without rule runs ("-------", "=====") left over from plain-text layouts."""
    return " ".join(_RULE.sub(" ", line).split())


class _Procedure:
    """Sections headed "Schritt 1 …", "Schritt 2 …" under one parent heading, collected into one
    unit: each step's heading with its list items or its paragraph's first sentence."""

    def __init__(self) -> None:
        self.parent = ""
        self.steps: list[tuple[str, list[str]]] = []

    def heading(self, heading: str, position: int) -> Unit | None:
        """A new section starts: a further step of the same parent, or the end of the procedure
        (returned as a unit if it had two steps or more)."""
        parent, _, last = heading.rpartition(" › ")
        step = bool(parent) and bool(_STEP_HEADING.match(last))
        if step and parent == self.parent:
            self.steps.append((last, []))
            return None
        done = self.unit(position)
        self.parent, self.steps = (parent, [(last, [])]) if step else ("", [])
        return done

    def add(self, texts: list[str]) -> None:
        """What the current step says: list items whole, a paragraph by its first sentence."""
        if self.steps:
            self.steps[-1][1].extend(texts)

    def unit(self, position: int) -> Unit | None:
        if len(self.steps) < 2:
            return None
        lines = [f"- {title} – {' '.join(body)}" if body else f"- {title}" for title, body in self.steps[:MAX_STEPS]]
        return Unit("procedure", "\n".join([last_heading(self.parent), *lines]), self.parent, position)


def split_units(text: str, heading_path: str = "") -> list[Unit]:
    """All answer units of a chunk's text, in reading order."""
    lines = [clean_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line and not is_masthead(line)]
    units: list[Unit] = []
    heading = heading_path
    lead = ""  # a paragraph ending in ":" introduces the list below it
    procedure = _Procedure()
    n = 0
    while n < len(lines):
        line = lines[n]
        following = lines[n + 1] if n + 1 < len(lines) else None
        if _is_numbered_heading(line, following):
            heading = " › ".join(p for p in (heading_path, line.strip()) if p)
            lead = ""
            n += 1
            continue
        if _is_table(line):
            run = [line]
            while n + 1 < len(lines) and _is_table(lines[n + 1]):
                n += 1
                run.append(lines[n])
            header = _cells(run[0]) if len(run) > 1 else None
            firsts = []
            for row in run[1:] if header else run:
                cells = _cells(row)
                if cells != header and not all(set(c) <= set("-: ") for c in cells):
                    units.append(Unit("row", render_row(header, cells), heading, len(units)))
                    firsts.append(cells[0])
            if header and len(header) > 1 and len(firsts) > 1 and all(firsts):
                # "Welche Kompetenzen gibt es?": the table's first column is the answer.
                title = lead or last_heading(heading) or header[0]
                listing = "\n".join(f"- {cell}" for cell in firsts[:MAX_STEPS])
                units.append(Unit("listing", f"{title}\n{listing}", heading, len(units)))
        elif _ITEM.match(line):
            run = [line]
            while n + 1 < len(lines) and _ITEM.match(lines[n + 1]):
                n += 1
                run.append(lines[n])
            items = [_ITEM.sub("", item, count=1).strip() for item in run]
            procedure.add(items)
            units.extend(Unit("item", item, heading, len(units)) for item in items if item)
            if len(items) > 1:
                title = lead or last_heading(heading)
                steps = "\n".join(f"- {item}" for item in items[:MAX_STEPS])
                units.append(Unit("steps", f"{title}\n{steps}" if title else steps, heading, len(units)))
        elif is_heading(line, following):
            heading = " › ".join(p for p in (heading_path, line.strip()) if p) if " › " not in line else line.strip()
            if (done := procedure.heading(heading, len(units))) is not None:
                units.append(done)
            lead = ""
            n += 1
            continue
        else:
            sentences = split_sentences(line)
            if len(sentences) > 1 and sentences[0].endswith("?") and ":" not in sentences[0]:
                # "**Kostet das etwas?** Nein, …": the question is read with its answer.
                units.append(Unit("qa", " ".join(sentences), heading, len(units), n))
                sentences = sentences[1:]
            first = len(units)
            units.extend(Unit("question" if s.endswith("?") else "sentence", s, heading, first + i, n)
                         for i, s in enumerate(sentences))
            procedure.add(sentences[:1])
            lead = sentences[-1] if sentences and sentences[-1].endswith(":") else ""
            n += 1
            continue
        lead = ""
        n += 1
    if (done := procedure.unit(len(units))) is not None:
        units.append(done)
    return units
