"""Embedding cache keyed by (model, text hash): unchanged text is never embedded twice.

It lives outside the index generations, so work done by a run that was killed is kept for the next.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np


def text_key(text: str) -> str:
    """Stable hash of the exact text a model embeds."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """A small SQLite key-value store of float32 vectors."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key)) WITHOUT ROWID"
        )

    def get_many(self, model: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors for the keys that are cached; missing keys are simply absent."""
        found: dict[str, np.ndarray] = {}
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [model, *batch]
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def missing(self, model: str, keys: Iterable[str]) -> list[str]:
        """The keys (deduplicated, in order) that still need embedding."""
        keys = list(dict.fromkeys(keys))
        cached: set[str] = set()
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(f"SELECT key FROM vectors WHERE model = ? AND key IN ({marks})", [model, *batch])
            cached.update(key for (key,) in rows)
        return [key for key in keys if key not in cached]

    def put_many(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Store a batch in one transaction, so a killed run keeps every finished batch."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vector) VALUES (?, ?, ?)",
                [(model, key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in vectors.items()],
            )

    def close(self) -> None:
        self.db.close()
