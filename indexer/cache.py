"""Embedding cache keyed by (model, text hash): unchanged text is never embedded twice.

It lives outside the index generations, so work done by a run that was killed is kept for the next.
Nothing unusable leaves it: a damaged file is moved aside and started afresh, and a vector of the
wrong dimension, zero or non-finite is deleted, so the text is embedded again.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from .damage import back_up, is_damage
from .private_files import private_database, private_dir


def text_key(text: str) -> str:
    """Stable hash of the exact text a model embeds."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def from_blob(blob: bytes | None) -> np.ndarray:
    """The float32 vector stored in a blob (empty if the blob cannot hold one)."""
    blob = blob or b""
    return np.frombuffer(blob, dtype=np.float32) if len(blob) % 4 == 0 else np.zeros(0, np.float32)


def usable(vector: np.ndarray, dimension: int | None) -> bool:
    """A vector worth publishing: the expected length, all finite, not zero."""
    if dimension is not None and vector.shape != (dimension,):
        return False
    return bool(vector.size) and bool(np.isfinite(vector).all()) and bool(np.any(vector))


class EmbeddingCache:
    """A small SQLite key-value store of float32 vectors.

    `problem` says what was repaired on opening; `discarded` counts the unusable vectors removed.
    """

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        self.problem: str | None = None
        self.discarded = 0
        try:
            self.db = _open(path)
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            backup = back_up(path, move=True)
            self.problem = (f"Der Einbettungs-Cache war beschädigt ({error}); er wurde nach {backup.name} "
                            "verschoben und neu angelegt, betroffene Abschnitte werden neu eingebettet.")
            self.db = _open(path)

    def get_many(self, model: str, keys: Iterable[str], dimension: int | None = None) -> dict[str, np.ndarray]:
        """Usable vectors for the keys that are cached; unusable ones are deleted, missing keys absent."""
        found: dict[str, np.ndarray] = {}
        unusable: list[str] = []
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [model, *batch]
            )
            for key, blob in rows:
                vector = from_blob(blob)
                if usable(vector, dimension):
                    found[key] = vector
                else:
                    unusable.append(key)
        if unusable:
            with self.db:
                self.db.executemany("DELETE FROM vectors WHERE model = ? AND key = ?", [(model, key) for key in unusable])
            self.discarded += len(unusable)
        return found

    def read_into(self, model: str, keys: list[str], out: np.ndarray) -> int:
        """Copy the usable cached vectors of `keys` into the matching rows of `out` (one row per key,
        of `out`'s width); returns how many keys had none (their rows are left as they were)."""
        found = self.get_many(model, keys, out.shape[1])
        lacking = 0
        for row, key in enumerate(keys):
            vector = found.get(key)
            if vector is None:
                lacking += 1
            else:
                out[row] = vector
        return lacking

    def missing(self, model: str, keys: Iterable[str], dimension: int | None = None) -> list[str]:
        """The keys (deduplicated, in order) that still need embedding."""
        keys = list(dict.fromkeys(keys))
        found = self.get_many(model, keys, dimension)
        return [key for key in keys if key not in found]

    def put_many(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Store a batch in one transaction, so a killed run keeps every finished batch."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vector) VALUES (?, ?, ?)",
                [(model, key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in vectors.items()],
            )

    def close(self) -> None:
        self.db.close()


def _open(path: Path) -> sqlite3.Connection:
    """Connect and check the file; sqlite3.DatabaseError if it is not an intact cache."""
    db = sqlite3.connect(private_database(path), timeout=30)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(result)
        db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key)) WITHOUT ROWID"
        )
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db
