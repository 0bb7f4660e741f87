"""Records that cross module boundaries: parsed documents, chunks, search hits, run reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable


TABLE_CELL = " | "  # joins the cells of a table row: a table block is one row per line, its header first


@dataclass
class Block:
    """A piece of a document's body under one heading path: a paragraph, list or table."""

    text: str
    headings: tuple[str, ...] = ()
    kind: str = "paragraph"  # paragraph | list | table | code


@dataclass
class ParsedDocument:
    """What a reader extracts from one file: title, metadata and structured body blocks.

    `meta` holds keys set on purpose (front matter, `<meta name="access">`, custom properties);
    `properties` what the format records anyway (author, modification date), used only as a fallback.
    """

    title: str
    meta: dict[str, Any]
    blocks: list[Block]
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class Chunk:
    """A retrievable passage: heading-aware, sized to fit the embedding model."""

    text: str
    headings: tuple[str, ...]
    position: int

    @property
    def heading_path(self) -> str:
        return " › ".join(self.headings)


@dataclass
class Hit:
    """One search result with everything a front end needs to show and cite it."""

    chunk_id: int
    text: str
    title: str
    heading_path: str
    source: str
    meta: dict[str, Any]
    score: float
    scores: dict[str, float] = field(default_factory=dict)
    outdated: bool = False

    @property
    def updated(self) -> str | None:
        value = self.meta.get("updated")
        return str(value) if value is not None else None

    @property
    def owner(self) -> str | None:
        value = self.meta.get("owner")
        return str(value) if value is not None else None


@dataclass(frozen=True)
class DocumentInfo:
    """An indexed document as readers see it: path under the knowledge folder, title, front matter,
    and the groups it is restricted to (empty: everyone)."""

    path: str
    title: str
    meta: dict[str, Any]
    access: frozenset[str] = frozenset()  # groups that may read it; empty: everyone

    def visible_to(self, groups: Iterable[str]) -> bool:
        return not self.access or bool(self.access & frozenset(groups))


@dataclass
class Skipped:
    """A file the indexer left out, with a one-line reason for the run report."""

    path: str
    reason: str


@dataclass
class IndexWarning:
    """Something about an indexed file an admin should fix; the file is indexed all the same."""

    path: str
    message: str


@dataclass
class IndexReport:
    """Summary of one indexing run."""

    seen: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    renamed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # previous versions taken out: they would widen access
    warnings: list[IndexWarning] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    generation: int = 0
    rebuilt: bool = False
    repairs: list[str] = field(default_factory=list)  # damage found and what the run did about it

    @property
    def indexed(self) -> int:
        return self.added + self.changed + self.renamed + self.unchanged
