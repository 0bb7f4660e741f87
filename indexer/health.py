"""Is a generation intact? Checks run when a generation is opened, before `lotse index` builds on
it, and by `lotse doctor`; each failure is a `DamagedGeneration` whose message says what is wrong.

Checked: both files exist, SQLite's `PRAGMA quick_check`, the manifest's counts against the rows
of `documents`, `chunks` and the FTS table, the vector file against its checksum, count and
dimension in the manifest, and a tantivy index (lexical_files.py) against each file's size and
checksum and its row count, the answer-unit files against their shapes and the manifest's unit
count. Large files are checked in full once: afterwards, while they keep the
identity recorded in `.verified` (device, inode, size, time), the page check and the SHA-256 are
skipped, and a delta generation's base (see delta_store.py) is only compared with the delta's
record; so neither a run nor a reader re-hashes gigabytes per generation. `lotse doctor` checks
everything in full.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import faiss

from .delta_store import BASE_DB, BASE_VECTORS, MergedStore, has_base
from .generations import DB_NAME, VECTORS_NAME
from .private_files import private_file
from .store import IndexStore
from .tantivy_lexical import BASE_LEXICAL, LEXICAL_DIR, TANTIVY, TantivyLexical
from .unit_files import BASE_PREFIX, VECTORS_FILE, UnitPart
from .vectors import load_vectors

STAMP = ".verified"  # in the index folder: identities of files checked in full
_STAMPS_KEPT = 256  # a tantivy index adds a few dozen files per generation


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
    """The generation's database, read-only (merged with its base for a delta generation);
    DamagedGeneration if it is missing."""
    path = directory / DB_NAME
    if not path.is_file():
        raise DamagedGeneration(f"{DB_NAME} fehlt")
    try:
        return MergedStore(directory) if has_base(directory) else IndexStore(path, readonly=True)
    except sqlite3.DatabaseError as error:
        raise DamagedGeneration(f"{DB_NAME} ist unlesbar ({error})") from error


def check_store(store: IndexStore, name: str = DB_NAME, thorough: bool = True) -> dict[str, Any]:
    """The manifest of an intact database; DamagedGeneration if SQLite (`thorough`: its page-level
    check too) or the counts disagree."""
    try:
        problems = [row[0] for row in store.db.execute("PRAGMA main.quick_check")] if thorough else ["ok"]
        if problems != ["ok"]:
            raise DamagedGeneration(f"{name} ist beschädigt ({problems[0]})")
        manifest = store.manifest()
        counts = store.counts()
        fts_rows = store.fts_count()
    except sqlite3.DatabaseError as error:
        raise DamagedGeneration(f"{name} ist beschädigt ({error})") from error
    for key in ("documents", "chunks"):
        if key in manifest and manifest[key] != counts[key]:
            raise DamagedGeneration(
                f"{name} ist unvollständig (Manifest: {manifest[key]} {key}, gespeichert: {counts[key]})"
            )
    if fts_rows != counts["chunks"]:
        raise DamagedGeneration(f"{name} ist unvollständig ({fts_rows} Volltextzeilen für {counts['chunks']} Abschnitte)")
    return manifest


def open_vectors(directory: Path, manifest: dict[str, Any], chunks: int, name: str = VECTORS_NAME,
                 thorough: bool = True) -> faiss.Index:
    """The generation's FAISS index, after checking it against the manifest (`thorough`: its
    SHA-256 too) and the chunk count."""
    path = directory / name
    if not path.is_file():
        raise DamagedGeneration(f"{name} fehlt")
    params = manifest.get("vectors") or {}
    expected = params.get("sha256")
    if thorough and expected and file_digest(path) != expected:
        raise DamagedGeneration(f"{name} ist beschädigt (Prüfsumme stimmt nicht)")
    try:
        vectors = load_vectors(path, params)
    except RuntimeError as error:
        raise DamagedGeneration(f"{name} ist unlesbar ({str(error).splitlines()[0][:120]})") from error
    if vectors.ntotal != chunks or params.get("count", chunks) != chunks:
        raise DamagedGeneration(f"{name} passt nicht zum Index ({vectors.ntotal} Vektoren für {chunks} Abschnitte)")
    if chunks and manifest.get("dimension") not in (None, vectors.d):
        raise DamagedGeneration(f"{name} hat {vectors.d} statt {manifest.get('dimension')} Dimensionen")
    return vectors


def open_generation(directory: Path, full: bool = False, vectors: bool = True
                    ) -> tuple[IndexStore, dict[str, Any], faiss.Index | None]:
    """A checked generation: its store (merged with the base for a delta generation), manifest and
    own vectors (None without `vectors`, if they need no loading to be checked). Files checked in
    full before, and unchanged since (`.verified`), get the cheap checks only, unless `full`.
    DamagedGeneration with the first problem."""
    if not directory.is_dir():
        raise DamagedGeneration(f"der Ordner {directory.name} fehlt")
    store = open_store(directory)
    own = [directory / DB_NAME, directory / VECTORS_NAME]
    try:
        if isinstance(store, MergedStore):
            check_base(directory, _manifest(store), full)
            thorough = True  # a delta's own files are small
        else:
            thorough = full or not _stamped(directory.parent, own)
        manifest = check_store(store, thorough=thorough)
        loaded = (open_vectors(directory, manifest, store.vector_count(), thorough=thorough)
                  if vectors or thorough else None)
        check_lexical(directory, manifest.get("lexical"), store.counts()["chunks"], full)
        check_units(directory, manifest.get("vectors"))
    except BaseException:
        store.close()
        raise
    if thorough and not isinstance(store, MergedStore):
        _stamp(directory.parent, own)
    return store, manifest, loaded


def verify_generation(directory: Path, full: bool = False) -> dict[str, Any]:
    """Check a whole generation; returns its manifest, raises DamagedGeneration with the first problem."""
    store, manifest, _ = open_generation(directory, full, vectors=False)
    store.close()
    return manifest


def check_base(directory: Path, manifest: dict[str, Any], full: bool = False) -> None:
    """Is a delta generation's base intact, and the one its delta was built on?"""
    paths = [directory / BASE_DB, directory / BASE_VECTORS]
    for path in paths:
        if not path.is_file():
            raise DamagedGeneration(f"{path.name} fehlt")
    record = manifest.get("base") or {}
    base = open_store_file(paths[0])
    try:
        stamped = not full and _stamped(directory.parent, paths)
        base_manifest = _manifest(base, BASE_DB) if stamped else check_store(base, BASE_DB)
        if not stamped:
            open_vectors(directory, base_manifest, base.vector_count(), BASE_VECTORS)
    finally:
        base.close()
    if (base_manifest.get("generation"), (base_manifest.get("vectors") or {}).get("sha256")) != (
            record.get("generation"), (record.get("vectors") or {}).get("sha256")):
        raise DamagedGeneration(f"{BASE_DB} gehört nicht zu dieser Generation")
    if not stamped:
        _stamp(directory.parent, paths)
    check_lexical(directory, record.get("lexical"), None, full, BASE_LEXICAL)
    check_units(directory, base_manifest.get("vectors"), BASE_PREFIX)


def check_units(directory: Path, vectors: dict[str, Any] | None, prefix: str = "") -> None:
    """Are the answer-unit files (unit_files.py) there, consistent, and of the manifest's unit count?
    Shapes and sizes only: hashing gigabytes of them on every open would cost more than they save."""
    expected = (vectors or {}).get("units")
    if not expected:
        return
    part = UnitPart.open(directory, prefix)
    if part is None or len(part.vectors) != expected:
        raise DamagedGeneration(f"{prefix}{VECTORS_FILE} fehlt oder passt nicht zum Index")


def check_lexical(directory: Path, record: dict[str, Any] | None, chunks: int | None, full: bool = False,
                  name: str = LEXICAL_DIR) -> None:
    """Is a generation's tantivy index (see lexical_files.py) intact, and of `chunks` rows (None: not
    counted)? Sizes always; SHA-256 once per file identity (`.verified`), or always with `full`."""
    if not record or record.get("kind") != TANTIVY:
        return
    folder = directory / name
    paths = [folder / file for file in record["files"]]
    for path in paths:
        if not path.is_file():
            raise DamagedGeneration(f"{name}/{path.name} fehlt")
        if path.stat().st_size != record["files"][path.name][0]:
            raise DamagedGeneration(f"{name}/{path.name} ist beschädigt (falsche Größe)")
    checked = not full and _stamped(directory.parent, paths)
    if not checked:
        for path in paths:
            if file_digest(path) != record["files"][path.name][1]:
                raise DamagedGeneration(f"{name}/{path.name} ist beschädigt (Prüfsumme stimmt nicht)")
    if chunks is not None:
        try:
            count = TantivyLexical(folder).count()
        except (OSError, ValueError) as error:
            raise DamagedGeneration(f"{name} ist unlesbar ({str(error).splitlines()[0][:120]})") from error
        if count != chunks:
            raise DamagedGeneration(f"{name} passt nicht zum Index ({count} Zeilen für {chunks} Abschnitte)")
    if not checked:
        _stamp(directory.parent, paths)


def open_store_file(path: Path) -> IndexStore:
    try:
        return IndexStore(path, readonly=True)
    except sqlite3.DatabaseError as error:
        raise DamagedGeneration(f"{path.name} ist unlesbar ({error})") from error


def _manifest(store: IndexStore, name: str = DB_NAME) -> dict[str, Any]:
    try:
        return store.manifest()
    except sqlite3.DatabaseError as error:
        raise DamagedGeneration(f"{name} ist unlesbar ({error})") from error


def _identity(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns]


def _stamped(index_dir: Path, paths: list[Path]) -> bool:
    """Whether these files were checked in full and have not changed since."""
    try:
        return all(_identity(path) in _stamps(index_dir) for path in paths)
    except OSError:
        return False


def _stamps(index_dir: Path) -> list[list[int]]:
    try:
        return json.loads((index_dir / STAMP).read_text())
    except (OSError, ValueError):
        return []


def _stamp(index_dir: Path, paths: list[Path]) -> None:
    """Record files as checked in full (atomically; a lost race only costs a later check)."""
    known = _stamps(index_dir)
    fresh = [identity for identity in map(_identity, paths) if identity not in known]
    if not fresh:
        return
    temporary = index_dir / f"{STAMP}.{os.getpid()}.tmp"
    try:
        private_file(temporary).write_text(json.dumps([*known, *fresh][-_STAMPS_KEPT:]))
        os.replace(temporary, index_dir / STAMP)
    except OSError:
        temporary.unlink(missing_ok=True)
