"""Is a generation intact? Checks run when a generation is opened, before `lotse index` builds on
it, and by `lotse doctor`; each failure is a `DamagedGeneration` whose message says what is wrong.

Checked: both files exist, SQLite's `PRAGMA quick_check`, the manifest's counts against the rows
of `documents`, `chunks` and the FTS table, and the vector file against its checksum, count and
dimension in the manifest.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import faiss

from .generations import DB_NAME, VECTORS_NAME
from .store import IndexStore
from .vectors import load_vectors


class DamagedGeneration(Exception):
    """A generation's files are missing, unreadable or disagree; the message is for admins."""


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks (the manifest records it for vectors.faiss)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_store(directory: Path) -> IndexStore:
    """The generation's database, read-only; DamagedGeneration if it is missing."""
    path = directory / DB_NAME
    if not path.is_file():
        raise DamagedGeneration(f"{DB_NAME} fehlt")
    try:
        return IndexStore(path, readonly=True)
    except sqlite3.DatabaseError as error:
        raise DamagedGeneration(f"{DB_NAME} ist unlesbar ({error})") from error


def check_store(store: IndexStore) -> dict[str, Any]:
    """The manifest of an intact database; DamagedGeneration if SQLite or the counts disagree."""
    try:
        problems = [row[0] for row in store.db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise DamagedGeneration(f"{DB_NAME} ist beschädigt ({problems[0]})")
        manifest = store.manifest()
        counts = store.counts()
        fts_rows = store.fts_count()
    except sqlite3.DatabaseError as error:
        raise DamagedGeneration(f"{DB_NAME} ist beschädigt ({error})") from error
    for key in ("documents", "chunks"):
        if key in manifest and manifest[key] != counts[key]:
            raise DamagedGeneration(
                f"{DB_NAME} ist unvollständig (Manifest: {manifest[key]} {key}, gespeichert: {counts[key]})"
            )
    if fts_rows != counts["chunks"]:
        raise DamagedGeneration(f"{DB_NAME} ist unvollständig ({fts_rows} Volltextzeilen für {counts['chunks']} Abschnitte)")
    return manifest


def open_vectors(directory: Path, manifest: dict[str, Any], chunks: int) -> faiss.Index:
    """The generation's FAISS index, after checking it against the manifest and the chunk count."""
    path = directory / VECTORS_NAME
    if not path.is_file():
        raise DamagedGeneration(f"{VECTORS_NAME} fehlt")
    params = manifest.get("vectors") or {}
    expected = params.get("sha256")
    if expected and file_digest(path) != expected:
        raise DamagedGeneration(f"{VECTORS_NAME} ist beschädigt (Prüfsumme stimmt nicht)")
    try:
        vectors = load_vectors(path)
    except RuntimeError as error:
        raise DamagedGeneration(f"{VECTORS_NAME} ist unlesbar ({str(error).splitlines()[0][:120]})") from error
    if vectors.ntotal != chunks or params.get("count", chunks) != chunks:
        raise DamagedGeneration(f"{VECTORS_NAME} passt nicht zum Index ({vectors.ntotal} Vektoren für {chunks} Abschnitte)")
    if chunks and manifest.get("dimension") not in (None, vectors.d):
        raise DamagedGeneration(f"{VECTORS_NAME} hat {vectors.d} statt {manifest.get('dimension')} Dimensionen")
    return vectors


def verify_generation(directory: Path) -> dict[str, Any]:
    """Check a whole generation; returns its manifest, raises DamagedGeneration with the first problem."""
    if not directory.is_dir():
        raise DamagedGeneration(f"der Ordner {directory.name} fehlt")
    store = open_store(directory)
    try:
        manifest = check_store(store)
        chunks = store.counts()["chunks"]
    finally:
        store.close()
    open_vectors(directory, manifest, chunks)
    return manifest
