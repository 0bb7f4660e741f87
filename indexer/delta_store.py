"""A generation as an immutable base plus a small delta: the delta's tables and the merged view.

Files of a delta generation: `base.db` and `base.faiss` are hard links to the `index.db` and
`vectors.faiss` of the generation the base was built as (never written again); `index.db` holds
the documents added or changed since, in the same schema with its own FTS5 table, plus
- `withdrawn`: base documents that no longer count (deleted, changed or moved);
- `vocabulary`: signed changes to the base's word counts;
- `withdrawn_terms`: in how many withdrawn base FTS rows each term occurs (corpus statistics);
and `vectors.faiss` the delta's vectors; the base's answer-unit files are linked as `base_units.npy`
etc. beside the delta's own (unit_files.py), so unchanged chunks keep their unit vectors. Each run links the base and copies the previous delta
(small), so a published generation is self-contained and never changes.

Compound splitting keeps the base's vocabulary while deltas pile up: the delta's documents and every
question are analysed with it, so base and delta rows match the same terms. Re-analysing the base
chunks whose compounds would split differently can touch tens of thousands of chunks for one
document (one word whose usual capitalisation flips); the fold into a new base does it once
(see `fold`), and from then on the index equals a fresh build again.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

from .generations import DB_NAME, VECTORS_NAME
from .store import IndexStore, fts_totals
from .unit_files import BASE_PREFIX, link_base

BASE_DB = "base.db"
BASE_VECTORS = "base.faiss"

_KEPT = "document_id NOT IN (SELECT document_id FROM main.withdrawn)"
_MERGED = {
    "documents": "SELECT * FROM base.documents WHERE id NOT IN (SELECT document_id FROM main.withdrawn) "
                 "UNION ALL SELECT * FROM main.documents",
    "chunks": f"SELECT * FROM base.chunks WHERE {_KEPT} UNION ALL SELECT * FROM main.chunks",
    "glossary": f"SELECT * FROM base.glossary WHERE {_KEPT} UNION ALL SELECT * FROM main.glossary",
}
_WITHDRAWN_CHUNKS = "SELECT id FROM base.chunks WHERE document_id IN (SELECT document_id FROM main.withdrawn)"


def has_base(directory: Path) -> bool:
    """Whether a generation is a base plus a delta (else it is one self-contained index)."""
    return (directory / BASE_DB).exists()


def read_only_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"


def _attach_base(db: sqlite3.Connection, directory: Path, prefix: str) -> None:
    db.execute("ATTACH DATABASE ? AS base", [read_only_uri(directory / BASE_DB)])
    for name, sql in _MERGED.items():
        db.execute(f"CREATE TEMP VIEW {prefix}{name} AS {sql}")


def row_terms(columns: Iterable[str | None]) -> list[str]:
    """The FTS5 tokens of one row: analysed text is folded terms separated by spaces."""
    return [term for column in columns for term in (column or "").split()]


def withdrawn_chunk_ids(db: sqlite3.Connection) -> list[int]:
    """Ids of the base's chunks that no longer count (their documents are withdrawn)."""
    return [row[0] for row in db.execute(_WITHDRAWN_CHUNKS)]


def merged_counts(db: sqlite3.Connection, base: dict) -> dict[str, int]:
    """Documents, chunks and glossary entries of base + delta, from the base's checked manifest
    counts and the (indexed) withdrawn rows: no scan over a million chunks."""
    def count(sql: str) -> int:
        return db.execute(f"SELECT COUNT(*) FROM {sql}").fetchone()[0]
    return {
        "documents": base["documents"] - count("main.withdrawn") + count("main.documents"),
        "chunks": base["chunks"] - count(f"({_WITHDRAWN_CHUNKS})") + count("main.chunks"),
        "glossary": count("base.glossary WHERE " + _KEPT) + count("main.glossary"),
    }


class MergedStore(IndexStore):
    """A delta generation read as one index, read-only. Temporary views named like the tables
    show the base without its withdrawn documents plus the delta, so the read side's queries work
    unchanged; what FTS5 keeps per table (term statistics, row and token totals) is merged here."""

    VOCABULARY = "base.vocabulary"  # compounds split as in the base until the next fold

    def __init__(self, directory: Path) -> None:
        super().__init__(directory / DB_NAME, readonly=True)
        _attach_base(self.db.conn, directory, prefix="")
        self._frequencies: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        return merged_counts(self.db.conn, self.manifest()["base"])

    def withdrawn_chunk_ids(self) -> list[int]:
        return withdrawn_chunk_ids(self.db.conn)

    def fts_count(self) -> int:
        base_rows, _ = fts_totals(self.db.conn, "base")
        withdrawn = self.db.execute(f"SELECT COUNT(*) FROM ({_WITHDRAWN_CHUNKS})").fetchone()[0]
        return base_rows - withdrawn + self.db.execute("SELECT COUNT(*) FROM main.chunks_fts").fetchone()[0]

    def fts_columns(self, ids: list[int]) -> list[tuple[int, str, str, str]]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self.db.execute(
            f"SELECT id, c0, c1, c2 FROM base.chunks_fts_content WHERE id IN ({marks}) "
            f"AND id NOT IN ({_WITHDRAWN_CHUNKS}) UNION ALL "
            f"SELECT id, c0, c1, c2 FROM main.chunks_fts_content WHERE id IN ({marks})", [*ids, *ids],
        ).fetchall()

    def fts_candidates(self, expression: str, weights: tuple[float, ...], excluded: list[int],
                       limit: int) -> list[tuple[int, str, str, str]]:
        """(rowid, title, headings, body terms) of each table's best `limit` rows for an FTS5 MATCH
        expression, by that table's own bm25(); withdrawn base rows and `excluded` never appear."""
        skip = json.dumps(excluded)
        rows = []
        for schema, withdrawn in (("base", f"AND rowid NOT IN ({_WITHDRAWN_CHUNKS}) "), ("main", "")):
            rows += self.db.execute(
                f"SELECT rowid, title, headings, body FROM {schema}.chunks_fts WHERE chunks_fts MATCH ? "
                f"AND rowid NOT IN (SELECT value FROM json_each(?)) {withdrawn}"
                "ORDER BY bm25(chunks_fts, ?, ?, ?) LIMIT ?", [expression, skip, *weights, limit]).fetchall()
        return rows

    def fts_stats(self) -> tuple[int, int]:
        """(rows, tokens) of the merged full-text index, as one FTS5 table of the same rows would count them."""
        base_rows, base_tokens = fts_totals(self.db.conn, "base")
        rows, tokens = fts_totals(self.db.conn, "main")
        withdrawn = self.manifest().get("withdrawn", {"rows": 0, "tokens": 0})
        return base_rows - withdrawn["rows"] + rows, base_tokens - withdrawn["tokens"] + tokens

    def delta_size(self) -> int:
        """Chunks the delta holds or withdraws: what a full rebuild would fold into a new base."""
        return self.vector_count() + self.manifest().get("withdrawn", {"rows": 0})["rows"]

    def term_frequencies(self) -> dict[str, int]:
        if self._frequencies is None:
            counts: Counter[str] = Counter(dict(self.db.execute("SELECT term, doc FROM base.chunks_terms")))
            counts.update(dict(self.db.execute("SELECT term, doc FROM main.chunks_terms")))
            counts.subtract(dict(self.db.execute("SELECT term, docs FROM main.withdrawn_terms")))
            self._frequencies = {term: n for term, n in counts.items() if n > 0}
        return self._frequencies


class DeltaStore(IndexStore):
    """The next delta generation's `index.db`, written by one run. Writes go to the delta's own
    tables; whole-index reads (counts, documents) go to `merged_*` views. The vocabulary that
    analyses text is the base's (see the module's docstring); word counts change in the delta."""

    DOCUMENTS, CHUNKS, GLOSSARY, VOCABULARY = "merged_documents", "merged_chunks", "merged_glossary", "base.vocabulary"
    UNUSED_WORDS = "lower = 0 AND upper = 0"  # signed changes: negative counts are kept

    def __init__(self, directory: Path) -> None:
        super().__init__(directory / DB_NAME)
        _attach_base(self.db.conn, directory, prefix="merged_")
        base = self.manifest()["base"]
        self._floor = {"documents": base["max_document_id"], "chunks": base["max_chunk_id"]}
        self._base_counts: Counter[tuple[str, bool]] | None = None

    @classmethod
    def begin(cls, building: Path, live: Path) -> "DeltaStore":
        """The next delta in `building`: the base linked, the live delta copied (or a first, empty one)."""
        if has_base(live):
            os.link(live / BASE_DB, building / BASE_DB)
            os.link(live / BASE_VECTORS, building / BASE_VECTORS)
            link_base(live, building, BASE_PREFIX)
            IndexStore.create(building / DB_NAME, source=live / DB_NAME).close()
            return cls(building)
        os.link(live / DB_NAME, building / BASE_DB)
        os.link(live / VECTORS_NAME, building / BASE_VECTORS)
        link_base(live, building)
        store = IndexStore.create(building / DB_NAME)
        store.db.execute("CREATE TABLE withdrawn (document_id INTEGER PRIMARY KEY)")
        store.db.execute("CREATE TABLE withdrawn_terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL)")
        base = IndexStore(building / BASE_DB, readonly=True)
        try:
            manifest = base.manifest()
            record = {
                "generation": manifest.get("generation"), "documents": manifest.get("documents"),
                "chunks": manifest.get("chunks"), "vectors": manifest.get("vectors"), "lexical": manifest.get("lexical"),
                "max_document_id": base.next_id("documents") - 1, "max_chunk_id": base.next_id("chunks") - 1,
            }
        finally:
            base.close()
        store.set_manifest(**manifest, base=record, withdrawn={"documents": 0, "rows": 0, "tokens": 0})
        store.commit()
        store.close()
        return cls(building)

    def counts(self) -> dict[str, int]:
        return merged_counts(self.db.conn, self.manifest()["base"])

    def withdrawn_chunk_ids(self) -> list[int]:
        return withdrawn_chunk_ids(self.db.conn)

    def next_id(self, table: str) -> int:
        return max(super().next_id(table), self._floor[table] + 1)

    def _in_delta(self, path: str) -> bool:
        return self.db.execute("SELECT 1 FROM main.documents WHERE path = ?", [path]).fetchone() is not None

    def _base_id(self, path: str) -> int | None:
        row = self.db.execute(
            "SELECT id FROM base.documents WHERE path = ? AND id NOT IN (SELECT document_id FROM main.withdrawn)", [path]
        ).fetchone()
        return row[0] if row else None

    def _withdraw_rows(self, chunk_ids: list[int]) -> None:
        """Take base FTS rows out of the corpus statistics (they no longer count)."""
        terms: Counter[str] = Counter()
        tokens = 0
        for start in range(0, len(chunk_ids), 500):
            batch = chunk_ids[start : start + 500]
            for row in self.db.execute(
                    f"SELECT title, headings, body FROM base.chunks_fts WHERE rowid IN ({','.join('?' * len(batch))})", batch):
                found = row_terms(row)
                tokens += len(found)
                terms.update(set(found))
        self.db.conn.executemany(
            "INSERT INTO main.withdrawn_terms (term, docs) VALUES (?, ?) "
            "ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs", list(terms.items()))
        withdrawn = self.manifest()["withdrawn"]
        self.set_manifest(withdrawn={**withdrawn, "rows": withdrawn["rows"] + len(chunk_ids),
                                     "tokens": withdrawn["tokens"] + tokens})

    def _withdraw(self, document_id: int) -> None:
        """Take a base document out of the index; its rows leave the corpus statistics too."""
        chunks = [row[0] for row in self.db.execute("SELECT id FROM base.chunks WHERE document_id = ?", [document_id])]
        self._withdraw_rows(chunks)
        self.db.execute("INSERT INTO main.withdrawn (document_id) VALUES (?)", [document_id])
        withdrawn = self.manifest()["withdrawn"]
        self.set_manifest(withdrawn={**withdrawn, "documents": withdrawn["documents"] + 1})

    def _copy(self, document_id: int) -> None:
        """Move a base document into the delta under new ids (to rename it); its vectors come from
        the embedding cache by text."""
        new_document = self.next_id("documents")
        self.db.execute(
            "INSERT INTO main.documents SELECT ?, path, title, content_hash, size, mtime_ns, meta, access, updated, "
            "valid_until, superseded_by, indexed_at FROM base.documents WHERE id = ?", [new_document, document_id])
        old = [row[0] for row in self.db.execute("SELECT id FROM base.chunks WHERE document_id = ? ORDER BY id", [document_id])]
        first = self.next_id("chunks")
        moved = {chunk_id: first + n for n, chunk_id in enumerate(old)}
        self.db.conn.executemany(
            "INSERT INTO main.chunks (id, document_id, position, text, heading_path, vector_key) "
            "SELECT ?, ?, position, text, heading_path, vector_key FROM base.chunks WHERE id = ?",
            [(new, new_document, chunk_id) for chunk_id, new in moved.items()])
        self.db.conn.executemany(
            "INSERT INTO main.chunks_fts (rowid, title, headings, body) "
            "SELECT ?, title, headings, body FROM base.chunks_fts WHERE rowid = ?", list(zip(moved.values(), moved)))
        self.db.execute(
            "INSERT INTO main.glossary (document_id, term, expansion, note) "
            "SELECT ?, term, expansion, note FROM base.glossary WHERE document_id = ?", [new_document, document_id])
        self._withdraw(document_id)

    def _into_delta(self, path: str) -> None:
        if not self._in_delta(path) and (base_id := self._base_id(path)) is not None:
            self._copy(base_id)

    def remove_document(self, path: str) -> None:
        if self._in_delta(path):
            super().remove_document(path)
        elif (base_id := self._base_id(path)) is not None:
            self._withdraw(base_id)

    def move_document(self, old_path: str, new_path: str, size: int, mtime_ns: int) -> None:
        self._into_delta(old_path)
        super().move_document(old_path, new_path, size, mtime_ns)

    def touch_document(self, path: str, size: int, mtime_ns: int) -> None:
        self._into_delta(path)
        super().touch_document(path, size, mtime_ns)

    def base_titles(self) -> list[str] | None:
        return [row[0] for row in self.db.execute("SELECT title FROM base.documents")]

    def unit_chunk_texts(self, size: int, requoted: set[str]) -> Iterator[list[tuple[int, str, str]]]:
        """Base chunks (still counting) whose units quote a title that came or went since the base
        was built, embedded again here as a fresh build would; then the delta's own chunks."""
        cursor = self.db.execute(
            "SELECT id, text, heading_path FROM base.chunks WHERE id IN (SELECT chunk_id FROM base.unit_quotes "
            f"WHERE title_key IN (SELECT value FROM json_each(?))) AND {_KEPT} ORDER BY id", [json.dumps(sorted(requoted))])
        while batch := cursor.fetchmany(size):
            yield batch
        yield from super().unit_chunk_texts(size, requoted)

    def word_counts(self) -> Counter[tuple[str, bool]]:
        if self._base_counts is None:  # the base never changes: read once per run
            self._base_counts = super().word_counts()
        return self._base_counts


def fold(store: IndexStore, live: Path) -> Counter[tuple[str, bool]]:
    """Apply the delta of `live` to `store`, a fresh copy of its base: the single-file index a full
    rebuild continues from (chunk and document ids stay as they were). Returns the delta's word
    count changes, for the run to apply: its vocabulary update then analyses again every chunk
    whose compounds split differently than under the base's vocabulary."""
    db = store.db.conn
    db.execute("ATTACH DATABASE ? AS delta", [read_only_uri(live / DB_NAME)])
    paths = db.execute("SELECT path FROM main.documents WHERE id IN (SELECT document_id FROM delta.withdrawn)").fetchall()
    for (path,) in paths:
        store.remove_document(path)
    db.execute("INSERT INTO main.documents SELECT * FROM delta.documents")
    db.execute("INSERT INTO main.chunks SELECT * FROM delta.chunks")
    db.execute("INSERT INTO main.chunks_fts (rowid, title, headings, body) SELECT rowid, title, headings, body FROM delta.chunks_fts")
    db.execute("INSERT INTO main.glossary SELECT * FROM delta.glossary")
    counts: Counter[tuple[str, bool]] = Counter()
    for word, lower, upper in db.execute("SELECT word, lower, upper FROM delta.vocabulary").fetchall():
        counts[word, False] += lower
        counts[word, True] += upper
    db.commit()
    db.execute("DETACH DATABASE delta")
    return counts
