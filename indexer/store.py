"""One generation's SQLite database: documents, chunks, the FTS5 table, glossary and manifest."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
import sqlite_utils

from .analysis import Analyzer, any_of
from .glossary import GlossaryEntry
from .private_files import private_database

SCHEMA_VERSION = 3  # 3: vocabulary keeps word counts, so incremental runs match fresh builds


@dataclass
class StoredDocument:
    """What the index remembers of a file, to tell unchanged, changed and renamed files apart."""

    id: int
    path: str
    content_hash: str
    size: int
    mtime_ns: int
    access: str | None = None


@dataclass
class NewChunk:
    """A chunk ready to be stored: display text plus the analysed text for FTS5.

    Without the analysed text (None) the chunk gets its FTS row later, from `insert_terms`.
    """

    position: int
    text: str
    heading_path: str
    vector_key: str
    fts_title: str | None = None
    fts_headings: str | None = None
    fts_body: str | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class IndexStore:
    """Read and write access to one generation's `index.db` through sqlite-utils."""

    # The tables (or, in a delta generation's writer, the merged views) that whole-index reads use.
    DOCUMENTS, CHUNKS, GLOSSARY, VOCABULARY = "documents", "chunks", "glossary", "vocabulary"
    UNUSED_WORDS = "lower + upper <= 0"  # vocabulary rows no text uses any more

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            # As a URI, so that a delta generation's store can attach its base read-only.
            connection = sqlite3.connect(private_database(path).resolve().as_uri(), uri=True, check_same_thread=False)
        self.db = sqlite_utils.Database(connection)

    @classmethod
    def create(cls, path: Path, source: Path | None = None) -> "IndexStore":
        """A new database at `path`: a copy of `source` (incremental run) or a fresh schema."""
        if source is not None:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, \
                    sqlite3.connect(private_database(path)) as dst:
                src.backup(dst)
            return cls(path)
        store = cls(path)
        store._create_schema()
        return store

    def _create_schema(self) -> None:
        """All tables in one transaction: one statement at a time, each committed and synced,
        took 0.25 s, with the model idle at the start of a first build."""
        with self.db.atomic():
            self._create_tables()

    def _create_tables(self) -> None:
        db = self.db
        db["manifest"].create({"key": str, "value": str}, pk="key")
        db["documents"].create(
            {
                "id": int, "path": str, "title": str, "content_hash": str, "size": int, "mtime_ns": int,
                "meta": str, "access": str, "updated": str, "valid_until": str, "superseded_by": str,
                "indexed_at": str,
            },
            pk="id",
        )
        db["documents"].create_index(["path"], unique=True)
        db["documents"].create_index(["content_hash"])
        db["chunks"].create(
            {"id": int, "document_id": int, "position": int, "text": str, "heading_path": str, "vector_key": str},
            pk="id",
            foreign_keys=[("document_id", "documents", "id")],
        )
        db["chunks"].create_index(["document_id"])
        db["glossary"].create({"document_id": int, "term": str, "expansion": str, "note": str})
        db["vocabulary"].create({"word": str, "lower": int, "upper": int}, pk="word")
        db.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(title, headings, body)")
        db.execute("CREATE VIRTUAL TABLE chunks_terms USING fts5vocab(chunks_fts, 'row')")
        self.set_manifest(schema_version=SCHEMA_VERSION)

    # -- manifest -------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        return {row["key"]: json.loads(row["value"]) for row in self.db["manifest"].rows}

    def set_manifest(self, **values: Any) -> None:
        self.db["manifest"].upsert_all(
            [{"key": key, "value": json.dumps(value)} for key, value in values.items()], pk="key"
        )

    # -- documents ------------------------------------------------------------------------------
    def documents(self) -> dict[str, StoredDocument]:
        rows = self.db.execute(f"SELECT id, path, content_hash, size, mtime_ns, access FROM {self.DOCUMENTS}")
        return {row[1]: StoredDocument(*row) for row in rows}

    def supersede_links(self) -> dict[str, str]:
        """Every document's `superseded_by` as stored (path → named successor, "" for none)."""
        rows = self.db.execute(f"SELECT path, superseded_by FROM {self.DOCUMENTS}")
        return {path: successor or "" for path, successor in rows}

    def document_metadata(self) -> list[tuple[str, dict[str, Any], str | None]]:
        """(path, metadata, access) of every document by path, for the run report's checks."""
        return sorted(((path, meta, access) for _, _, path, meta, access in self.search_documents()),
                      key=lambda row: row[0])

    def add_document(
        self, path: str, title: str, content_hash: str, size: int, mtime_ns: int, meta: dict[str, Any],
        chunks: list[NewChunk], glossary: Iterable[GlossaryEntry] = (),
    ) -> int:
        """Insert a document with its chunks, FTS rows and glossary entries; returns its id."""
        document_id = self.next_id("documents")
        self.db.execute(
            "INSERT INTO documents (id, path, title, content_hash, size, mtime_ns, meta, access, updated, valid_until, "
            "superseded_by, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [document_id, path, title, content_hash, size, mtime_ns, json.dumps(meta, ensure_ascii=False, default=str),
             _text_or_none(meta.get("access")), _text_or_none(meta.get("updated")),
             _text_or_none(meta.get("valid_until")), _text_or_none(meta.get("superseded_by")), _now()],
        )
        first_id = self.next_id("chunks")
        # plain executemany, not sqlite-utils' insert_all: that inspected the table (some 16 statements
        # a document) and held the GIL the embedding threads need while a run reads
        self.db.conn.executemany(
            "INSERT INTO chunks (id, document_id, position, text, heading_path, vector_key) VALUES (?, ?, ?, ?, ?, ?)",
            [(first_id + n, document_id, c.position, c.text, c.heading_path, c.vector_key) for n, c in enumerate(chunks)],
        )
        self.insert_terms([(first_id + n, c.fts_title, c.fts_headings, c.fts_body)
                           for n, c in enumerate(chunks) if c.fts_body is not None])
        self.db.conn.executemany(
            "INSERT INTO glossary (document_id, term, expansion, note) VALUES (?, ?, ?, ?)",
            [(document_id, e.term, e.expansion, e.note) for e in glossary],
        )
        return int(document_id)

    def next_id(self, table: str) -> int:
        """The id for the next row of `documents` or `chunks` (a delta continues after its base)."""
        return self.db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0] + 1

    def remove_document(self, path: str) -> None:
        row = self.db.execute("SELECT id FROM documents WHERE path = ?", [path]).fetchone()
        if row is None:
            return
        document_id = row[0]
        self.db.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE document_id = ?)", [document_id]
        )
        self.db.execute("DELETE FROM chunks WHERE document_id = ?", [document_id])
        self.db.execute("DELETE FROM glossary WHERE document_id = ?", [document_id])
        self.db.execute("DELETE FROM documents WHERE id = ?", [document_id])

    def move_document(self, old_path: str, new_path: str, size: int, mtime_ns: int) -> None:
        """A renamed or moved file keeps its chunks and vectors."""
        self.db.execute(
            "UPDATE documents SET path = ?, size = ?, mtime_ns = ? WHERE path = ?", [new_path, size, mtime_ns, old_path]
        )

    def touch_document(self, path: str, size: int, mtime_ns: int) -> None:
        """Same content, new file time: remember it so the next run need not hash the file again."""
        self.db.execute("UPDATE documents SET size = ?, mtime_ns = ? WHERE path = ?", [size, mtime_ns, path])

    # -- analysis ---------------------------------------------------------------------------------
    def vocabulary(self) -> set[str]:
        """Words of the indexed texts; compound splitting uses them as known parts."""
        return Analyzer.vocabulary_from_counts(self.word_counts())

    def word_counts(self) -> Counter[tuple[str, bool]]:
        """How often each word of the indexed texts is written capitalised or not (`Analyzer.count_words`)."""
        counts: Counter[tuple[str, bool]] = Counter()
        for word, lower, upper in self.db.execute(f"SELECT word, lower, upper FROM {self.VOCABULARY}"):
            counts[word, False], counts[word, True] = lower, upper
        return +counts

    def adjust_word_counts(self, delta: Counter[tuple[str, bool]]) -> None:
        """Add (or, negative, subtract) word counts; words no text uses any more are dropped."""
        self.db.conn.executemany(
            "INSERT INTO vocabulary (word, lower, upper) VALUES (?, ?, ?) ON CONFLICT (word) DO UPDATE "
            "SET lower = lower + excluded.lower, upper = upper + excluded.upper",
            [(word, 0 if upper else n, n if upper else 0) for (word, upper), n in delta.items() if n],
        )
        self.db.execute(f"DELETE FROM vocabulary WHERE {self.UNUSED_WORDS}")

    def document_texts(self, path: str) -> Iterator[str]:
        """The texts of a stored document the vocabulary counted: title, heading paths, chunk texts."""
        rows = self.db.execute(f"SELECT title FROM {self.DOCUMENTS} WHERE path = ?", [path]).fetchall()
        yield from (title or "" for (title,) in rows)
        for heading_path, text in self.db.execute(
            f"SELECT heading_path, text FROM {self.CHUNKS} WHERE document_id IN "
            f"(SELECT id FROM {self.DOCUMENTS} WHERE path = ?)", [path]
        ):
            yield heading_path or ""
            yield text or ""

    def chunks_with_terms(self, terms: Iterable[str], batch: int = 200) -> set[int]:
        """Ids of the chunks whose FTS row holds any of `terms`."""
        terms = list(terms)
        found: set[int] = set()
        for start in range(0, len(terms), batch):
            expression = any_of(terms[start : start + batch])
            found.update(row[0] for row in self.db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?", [expression]))
        return found

    def analysed_chunks(self, ids: Iterable[int]) -> list[tuple[int, str, str, str, str, str, str]]:
        """(chunk id, title, heading path, text, and their FTS terms) of the given chunks."""
        ids = list(ids)
        rows = []
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            rows.extend(self.db.execute(
                "SELECT c.id, d.title, c.heading_path, c.text, f.title, f.headings, f.body FROM chunks c "
                "JOIN documents d ON d.id = c.document_id JOIN chunks_fts f ON f.rowid = c.id "
                f"WHERE c.id IN ({','.join('?' * len(batch))})", batch,
            ))
        return rows

    def chunk_texts(self, document_ids: list[int]) -> list[tuple[int, str, str, str]]:
        """(chunk id, document title, heading path, text) of the documents' chunks, by chunk id."""
        marks = ",".join("?" * len(document_ids))
        return self.db.execute(
            "SELECT c.id, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id "
            f"WHERE c.document_id IN ({marks}) ORDER BY c.id", document_ids,
        ).fetchall()

    def insert_terms(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        """Add the FTS rows of chunks: (chunk id, title, headings, body) terms."""
        self.db.conn.executemany("INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)", rows)

    def update_terms(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        """Replace the FTS terms of existing chunks: (chunk id, title, headings, body) terms."""
        self.db.conn.executemany(
            "UPDATE chunks_fts SET title = ?, headings = ?, body = ? WHERE rowid = ?",
            [(title, headings, body, chunk_id) for chunk_id, title, headings, body in rows],
        )

    def fts_rows(self, size: int = 1000) -> Iterator[tuple[int, str, str, str]]:
        """Every FTS row of this database (chunk id, title, headings, body terms), read `size` at a time."""
        cursor = self.db.execute("SELECT rowid, title, headings, body FROM main.chunks_fts")
        while batch := cursor.fetchmany(size):
            yield from batch

    def fts_columns(self, ids: list[int]) -> list[tuple[int, str, str, str]]:
        """(chunk id, title, headings, body terms) of the given chunks' FTS rows (a few hundred at most).

        Read from the FTS5 table's content table (columns c0, c1, c2 of a regular FTS5 table): the
        virtual table looks up each rowid of an IN list on its own, ~3 times as long (150 rows:
        0.9 → 0.3 ms at 100,000 chunks)."""
        return self.db.execute(
            f"SELECT id, c0, c1, c2 FROM main.chunks_fts_content WHERE id IN ({','.join('?' * len(ids))})", ids,
        ).fetchall() if ids else []

    def fts_stats(self) -> tuple[int, int]:
        """(rows, tokens in all columns) of the FTS table, as bm25() counts them."""
        return fts_totals(self.db.conn, "main")

    def term_frequencies(self) -> dict[str, int]:
        """Every indexed term with the number of chunks that hold it."""
        return dict(self.db.execute("SELECT term, doc FROM chunks_terms"))

    def bm25(self, expression: str, weights: tuple[float, float, float], excluded: np.ndarray,
             limit: int) -> list[tuple[int, float]]:
        """The `limit` best (rowid, bm25) of an FTS5 MATCH expression, best first, as positive
        scores; `excluded` rowids never appear."""
        rows = self.db.execute(
            "SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts WHERE chunks_fts MATCH ? "
            "AND rowid NOT IN (SELECT value FROM json_each(?)) ORDER BY score LIMIT ?",
            [*weights, expression, json.dumps(excluded.tolist()), limit],
        )
        return [(int(rowid), -float(score)) for rowid, score in rows]

    # -- chunks ---------------------------------------------------------------------------------
    def chunk_vector_keys(self) -> list[tuple[int, str]]:
        return [(row[0], row[1]) for row in self.db.execute("SELECT id, vector_key FROM chunks ORDER BY id")]

    def chunk_vector_key_batches(self, size: int = 1000) -> Iterator[list[tuple[int, str]]]:
        """(chunk id, vector key) of every chunk in id order, `size` at a time."""
        cursor = self.db.execute("SELECT id, vector_key FROM chunks ORDER BY id")
        while batch := cursor.fetchmany(size):
            yield batch

    def unit_chunk_texts(self, size: int, requoted: set[str]) -> Iterator[list[tuple[int, str, str]]]:
        """(chunk id, text, heading path) of the chunks whose answer units this file's generation
        stores, in id order, `size` at a time: its own chunks (a delta's also base chunks that quote
        one of the `requoted` titles, see DeltaStore)."""
        cursor = self.db.execute("SELECT id, text, heading_path FROM main.chunks ORDER BY id")
        while batch := cursor.fetchmany(size):
            yield batch

    def document_titles(self) -> list[str]:
        """The titles of all documents of the index (of a delta: its base's that still count too)."""
        return [row[0] for row in self.db.execute(f"SELECT title FROM {self.DOCUMENTS}")]

    def base_titles(self) -> list[str] | None:
        """The titles the base's answer units were embedded with (None: the store has no base)."""
        return None

    def clear_unit_quotes(self) -> None:
        """Forget which chunks quote what (the answer-unit files are written again)."""
        self.db.execute("CREATE TABLE IF NOT EXISTS main.unit_quotes (title_key TEXT, chunk_id INTEGER)")
        self.db.execute("CREATE INDEX IF NOT EXISTS main.unit_quotes_key ON unit_quotes (title_key)")
        self.db.execute("DELETE FROM main.unit_quotes")

    def add_unit_quotes(self, rows: Iterable[tuple[str, int]]) -> None:
        """(quoted text as a title key, chunk id): a chunk's unit that quotes a document title is
        embedded without the quote, so it must be embedded again when that title comes or goes."""
        self.db.conn.executemany("INSERT INTO main.unit_quotes (title_key, chunk_id) VALUES (?, ?)", rows)

    def embedding_inputs(self, size: int = 1000) -> Iterator[list[tuple[str, str, str]]]:
        """(document title, heading path, text) of every chunk in id order, `size` at a time."""
        cursor = self.db.execute(
            "SELECT d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY c.id")
        while batch := cursor.fetchmany(size):
            yield batch

    # -- read side (one snapshot of the search) --------------------------------------------------
    def search_documents(self) -> list[tuple[int, str, str, dict[str, Any], str | None]]:
        """(id, title, path, metadata, access) of every document."""
        rows = self.db.execute(f"SELECT id, title, path, meta, access FROM {self.DOCUMENTS}")
        return [(doc_id, title, path, json.loads(meta or "{}"), access) for doc_id, title, path, meta, access in rows]

    def chunk_documents(self) -> dict[int, int]:
        """Chunk id → the id of its document."""
        return dict(self.db.execute(f"SELECT id, document_id FROM {self.CHUNKS}").fetchall())

    def one_chunk_documents(self, max_words: int) -> set[int]:
        """The documents whose whole text is one chunk of at most `max_words` words."""
        rows = self.db.execute(
            "SELECT document_id, COUNT(*), SUM(LENGTH(text) - LENGTH(REPLACE(text, ' ', '')) + 1) "
            f"FROM {self.CHUNKS} GROUP BY document_id")
        return {document_id for document_id, count, words in rows if count == 1 and words <= max_words}

    def glossary_rows(self) -> list[tuple[int, str, str, str]]:
        """(document id, term, expansion, note) of every glossary entry."""
        return self.db.execute(f"SELECT document_id, term, expansion, note FROM {self.GLOSSARY}").fetchall()

    def first_chunk_text(self, document_id: int) -> str:
        """The text of a document's first chunk ("" for an unknown document)."""
        row = self.db.execute(f"SELECT text FROM {self.CHUNKS} WHERE document_id = ? ORDER BY position LIMIT 1",
                              [document_id]).fetchone()
        return row[0] if row else ""

    def chunks_by_id(self, ids: list[int]) -> dict[int, tuple[int, str, str]]:
        """Chunk id → (document id, text, heading path) for the given chunks."""
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT id, document_id, text, heading_path FROM {self.CHUNKS} WHERE id IN ({marks})", ids)
        return {chunk_id: (document_id, text, heading_path) for chunk_id, document_id, text, heading_path in rows}

    def counts(self) -> dict[str, int]:
        return {name: self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for name, table in (("documents", self.DOCUMENTS), ("chunks", self.CHUNKS), ("glossary", self.GLOSSARY))}

    def fts_count(self) -> int:
        return fts_totals(self.db.conn, "main")[0]

    def vector_count(self) -> int:
        """How many vectors this generation's `vectors.faiss` must hold."""
        return self.db.execute("SELECT COUNT(*) FROM main.chunks").fetchone()[0]

    def commit(self) -> None:
        self.db.conn.commit()

    def close(self) -> None:
        self.db.conn.close()


def _varints(data: bytes) -> list[int]:
    values, value = [], 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
    return values


def fts_totals(db: sqlite3.Connection, schema: str) -> tuple[int, int]:
    """(rows, tokens in all columns) of `schema`'s FTS5 table, from the averages record that
    bm25() itself reads (row 1 of the `_data` table: the row count, then each column's tokens);
    counting the rows instead takes seconds at a million."""
    row = db.execute(f"SELECT block FROM {schema}.chunks_fts_data WHERE id = 1").fetchone()
    values = _varints(row[0]) if row else []
    return (values[0], sum(values[1:])) if values else (0, 0)


def _text_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)
