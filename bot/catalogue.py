"""Question catalogues: the questions a city expects its bot to answer, with expected sources and facts.

Read from JSON (a list of objects, as `../shared/eval/kb-dev.json`) or from CSV with the same
columns, `;`-separated, UTF-8 – what an admin writes in a spreadsheet. In CSV, alternatives in
`key_facts`, `alt_sources` and within one part of `facts_all` are separated by `|`, the parts of
`facts_all` by `||`.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COLUMNS = ("id", "question", "style", "expected_source", "alt_sources", "key_facts", "facts_all", "group",
           "forbidden_source")


class CatalogueError(Exception):
    """The catalogue cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class CatalogueQuestion:
    """One question of a catalogue and what a good answer to it looks like."""

    id: str
    question: str
    style: str = ""
    expected_source: str | None = None  # None: the user should get no answer
    alt_sources: tuple[str, ...] = ()
    key_facts: tuple[str, ...] = ()  # for restricted questions: facts that must NOT appear
    facts_all: tuple[tuple[str, ...], ...] = ()  # multi-part: every part needs one alternative
    group: str | None = None
    forbidden_source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def answerable(self) -> bool:
        return self.expected_source is not None

    @property
    def sources(self) -> set[str]:
        """Every source that counts as right."""
        return {s for s in (self.expected_source, *self.alt_sources) if s}


def is_catalogue(path: Path) -> bool:
    """True for a CSV file or a JSON list (a SQuAD file is a JSON object with `data`)."""
    if path.suffix.lower() == ".csv":
        return True
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(4096).lstrip("\ufeff \t\r\n")
    except (OSError, UnicodeDecodeError):
        return False
    return head.startswith("[")


def load_catalogue(path: Path) -> list[CatalogueQuestion]:
    """All questions of a JSON or CSV catalogue, validated; CatalogueError names what is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path} ist nicht lesbar ({error}).") from error
    rows = _csv_rows(text, path) if path.suffix.lower() == ".csv" else _json_rows(text, path)
    questions = [_question(row, n, path) for n, row in enumerate(rows, 1)]
    if not questions:
        raise CatalogueError(f"{path} enthält keine Fragen.")
    return questions


def _json_rows(text: str, path: Path) -> list[dict]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CatalogueError(f"{path} ist kein gültiges JSON: {error}") from error
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise CatalogueError(
            f"{path} ist kein Fragenkatalog: erwartet wird eine JSON-Liste von Objekten mit den Feldern "
            f"{', '.join(COLUMNS)}."
        )
    return data


def _csv_rows(text: str, path: Path) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    if not reader.fieldnames or "question" not in reader.fieldnames:
        raise CatalogueError(f"{path}: die erste Zeile muss die Spalten nennen (mindestens „question“), getrennt durch „;“.")
    rows = []
    for row in reader:
        facts_all = [part.split("|") for part in (row.get("facts_all") or "").split("||") if part.strip()]
        rows.append({
            **row,
            "alt_sources": (row.get("alt_sources") or "").split("|"),
            "key_facts": (row.get("key_facts") or "").split("|"),
            "facts_all": facts_all,
        })
    return rows


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogueError(f"{where}: erwartet wird eine Liste von Texten, gefunden: {value!r}")
    return tuple(item.strip() for item in value if item.strip())


def _optional(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _question(row: dict, number: int, path: Path) -> CatalogueQuestion:
    where = f"{path}, Eintrag {number}"
    question = str(row.get("question") or "").strip()
    if not question:
        raise CatalogueError(f"{where}: das Feld „question“ ist leer.")
    facts_all = row.get("facts_all") or []
    if not isinstance(facts_all, list):
        raise CatalogueError(f"{where}: „facts_all“ muss eine Liste von Listen sein.")
    parts = tuple(p for p in (_strings(part, f"{where} (facts_all)") for part in facts_all) if p)
    known = {key: value for key, value in row.items() if key not in COLUMNS}
    return CatalogueQuestion(
        id=str(row.get("id") or f"Q{number:03d}"),
        question=question,
        style=str(row.get("style") or "").strip(),
        expected_source=_optional(row.get("expected_source")),
        alt_sources=_strings(row.get("alt_sources"), f"{where} (alt_sources)"),
        key_facts=_strings(row.get("key_facts"), f"{where} (key_facts)"),
        facts_all=parts,
        group=_optional(row.get("group")),
        forbidden_source=_optional(row.get("forbidden_source")),
        extra=known,
    )
