"""Embeddings of every answer unit of a generation, so a question meets the sentence that answers it.

A chunk's embedding blurs ten sentences into one vector; a question that paraphrases one of them
("Wann und wo soll ich mich am ersten Arbeitstag einfinden?") can miss the chunk. Each unit
(`units.split_units`) is embedded at index time – through the embedding cache, so only new text
costs – and stored beside the chunk vectors. Search uses them to rank documents by their best
unit and to choose the answer without embedding anything at question time.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .cache import EmbeddingCache, text_key
from .embedder import Embedder
from .private_files import private_file
from .store import IndexStore
from .units import Unit, split_units

UNITS_VERSION = 5  # bump when split_units or the embedded text of a unit changes
_QUOTED = re.compile(r"[„“\"»«]([^„“”\"»«]{3,200})[“”\"«»]")
VECTORS_FILE = "units.npy"
CHUNKS_FILE = "unit_chunks.npy"


def _title_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w ]+", " ", text.casefold()).split())


def without_references(text: str, titles: set[str]) -> str:
    """A unit's text as it is embedded: a quoted document title ('siehe FAQ „Wie beantrage ich ein
    Diensthandy?“') is a pointer, not content, and would make the pointer look like the answer."""
    return _QUOTED.sub(lambda m: "" if _title_key(m.group(1)) in titles else m.group(0), text)


def chunk_unit_texts(store: IndexStore) -> list[tuple[int, list[str]]]:
    """Every chunk's unit texts as embedded, in chunk-id order and the units' reading order."""
    titles = set()
    for (title,) in store.db.execute("SELECT title FROM documents"):
        key = _title_key(title)
        titles |= {key, key.split(" ", 1)[-1]}  # also without a leading label such as "FAQ:"
    rows = store.db.execute("SELECT id, text, heading_path FROM chunks ORDER BY id")
    return [(chunk_id, [_embedded(unit, titles) for unit in split_units(text, heading_path)])
            for chunk_id, text, heading_path in rows]


def _embedded(unit: Unit, titles: set[str]) -> str:
    """The text a unit is embedded as; "" for a question inside a paragraph, which answers nothing
    and gets a zero vector, so a question that resembles the asker's never ranks a document."""
    if unit.kind == "question":
        return ""
    return without_references(unit.text, titles) or unit.text


def build_unit_vectors(
    store: IndexStore, cache: EmbeddingCache, embedder: Embedder, model: str, directory: Path,
    batch_size: int = 32, progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed the units the cache lacks, write the generation's unit files; returns the unit count."""
    chunks = chunk_unit_texts(store)
    texts = {text_key(text): text for _, unit_texts in chunks for text in unit_texts if text}
    missing = cache.missing(model, list(texts))
    size = batch_size * 4
    for start in range(0, len(missing), size):
        batch = missing[start : start + size]
        cache.put_many(model, dict(zip(batch, embedder.encode([texts[key] for key in batch], batch_size=batch_size))))
        if progress is not None:
            progress(min(start + size, len(missing)), len(missing))
    del texts, missing
    keys = [text_key(text) if text else None for _, unit_texts in chunks for text in unit_texts]
    owners = np.array([chunk_id for chunk_id, unit_texts in chunks for _ in unit_texts], dtype=np.int64)
    del chunks
    _save_from_cache(directory / VECTORS_FILE, cache, model, keys, embedder.dimension)
    _save(directory / CHUNKS_FILE, owners)
    return len(keys)


def _save_from_cache(path: Path, cache: EmbeddingCache, model: str, keys: list[str | None], dimension: int) -> None:
    """Write the keys' vectors (a zero row for None) as one .npy array, filled from the cache in
    batches straight into the file (a run never holds all unit vectors: at 5,000 chunks some 100 MB)."""
    private_file(path)
    vectors = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(len(keys), dimension))
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        present = [row for row, key in enumerate(batch) if key]
        found = np.zeros((len(present), dimension), np.float32)
        lacking = cache.read_into(model, [batch[row] for row in present], found)
        rows = np.zeros((len(batch), dimension), np.float32)
        rows[present] = found
        vectors[start : start + len(batch)] = rows
        if lacking:
            raise ValueError(f"{lacking} answer units have no usable vector in the embedding cache")
    vectors.flush()
    del vectors
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _save(path: Path, array: np.ndarray) -> None:
    with open(private_file(path), "wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())


@dataclass
class UnitVectors:
    """The unit embeddings of one generation, row ranges per chunk."""

    vectors: np.ndarray
    chunks: np.ndarray
    ranges: dict[int, tuple[int, int]]

    @classmethod
    def load(cls, directory: Path) -> UnitVectors | None:
        """The generation's unit vectors, or None when it has none (large index, older build)."""
        try:
            vectors = np.load(directory / VECTORS_FILE, mmap_mode="r")
            chunks = np.load(directory / CHUNKS_FILE)
        except (OSError, ValueError):
            return None
        if len(vectors) != len(chunks):
            return None
        ranges: dict[int, tuple[int, int]] = {}
        if len(chunks):
            starts = np.flatnonzero(np.r_[True, chunks[1:] != chunks[:-1]])
            ends = np.r_[starts[1:], len(chunks)]
            ranges = {int(chunks[s]): (int(s), int(e)) for s, e in zip(starts, ends)}
        return cls(vectors, chunks, ranges)

    def similarities(self, chunk_ids: list[int], query_vector: np.ndarray) -> dict[int, np.ndarray]:
        """Cosine of each unit of the given chunks with the question, per chunk."""
        result = {}
        for chunk_id in chunk_ids:
            span = self.ranges.get(chunk_id)
            if span is not None:
                result[chunk_id] = np.asarray(self.vectors[span[0] : span[1]]) @ query_vector
        return result
