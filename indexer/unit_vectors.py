"""Embeddings of every answer unit of a generation, so a question meets the sentence that answers it.

A chunk's embedding blurs ten sentences into one vector; a question that paraphrases one of them
("Wann und wo soll ich mich am ersten Arbeitstag einfinden?") can miss the chunk. Each unit
(`units.split_units`) is embedded at index time – through the embedding cache, so only new text
costs – and stored beside the chunk vectors. Search uses them to rank documents by their best
unit and to choose the answer without embedding anything at question time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .cache import EmbeddingCache, text_key
from .embedder import Embedder
from .delta_store import BASE_DB
from .store import IndexStore
from .unit_files import BASE_PREFIX, UnitPart, UnitWriter
from .units import Unit, split_units

UNITS_VERSION = 7  # bump when split_units, the embedded text of a unit or the unit files change
_QUOTED = re.compile(r"[„“\"»«]([^„“”\"»«]{3,200})[“”\"«»]")
CHUNK_BATCH = 256  # chunks whose units are embedded and written at a time


def _title_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w ]+", " ", text.casefold()).split())


def without_references(text: str, titles: set[str]) -> str:
    """A unit's text as it is embedded: a quoted document title ('siehe FAQ „Wie beantrage ich ein
    Diensthandy?“') is a pointer, not content, and would make the pointer look like the answer."""
    return _QUOTED.sub(lambda m: "" if _title_key(m.group(1)) in titles else m.group(0), text)


def unit_titles(document_titles: list[str]) -> set[str]:
    """Document titles as quoted references are matched (see `without_references`)."""
    titles = set()
    for title in document_titles:
        key = _title_key(title)
        titles |= {key, key.split(" ", 1)[-1]}  # also without a leading label such as "FAQ:"
    return titles


def unit_texts(units: list[Unit], titles: set[str]) -> list[str]:
    """A chunk's unit texts as embedded, in the units' reading order."""
    return [_embedded(unit, titles) for unit in units]


def quoted_keys(units: list[Unit]) -> set[str]:
    """Everything the units quote, as title keys: what would be left out were it a title."""
    return {_title_key(match.group(1)) for unit in units for match in _QUOTED.finditer(unit.text)}


def _embedded(unit: Unit, titles: set[str]) -> str:
    """The text a unit is embedded as; "" for a question inside a paragraph, which answers nothing
    and gets a zero vector, so a question that resembles the asker's never ranks a document."""
    if unit.kind == "question":
        return ""
    return without_references(unit.text, titles) or unit.text


def chunk_units(store: IndexStore, rows: list[tuple[int, str, str]], titles: set[str]) -> list[list[str]]:
    """The unit texts as embedded of each (chunk id, text, heading path); notes in the store which
    titles each chunk quotes (see `IndexStore.add_unit_quotes`)."""
    units = [split_units(text, heading_path) for _, text, heading_path in rows]
    store.add_unit_quotes((key, chunk_id) for (chunk_id, _, _), one in zip(rows, units) for key in quoted_keys(one))
    return [unit_texts(one, titles) for one in units]


def build_unit_vectors(
    store: IndexStore, cache: EmbeddingCache, embedder: Callable[[], Embedder], model: str, directory: Path,
    dimension: int, batch_size: int = 32, progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the unit files of the store's own chunks (a delta's: its own, and base chunks that
    quote a title that came or went), embedding the units the cache lacks, and note which chunks
    quote what; returns the unit count. Streams: `CHUNK_BATCH` chunks at a time."""
    titles, total, done = unit_titles(store.document_titles()), store.vector_count(), 0
    base_titles = store.base_titles()
    requoted = set() if base_titles is None else titles ^ unit_titles(base_titles)
    writer = UnitWriter(directory, dimension)
    store.clear_unit_quotes()
    for rows in store.unit_chunk_texts(CHUNK_BATCH, requoted):
        texts = chunk_units(store, rows, titles)
        keys = [text_key(text) if text else None for one in texts for text in one]
        wanted = {key: text for key, text in zip(keys, (t for one in texts for t in one)) if key}
        found = cache.get_many(model, wanted, dimension)
        missing = [key for key in wanted if key not in found]
        for start in range(0, len(missing), batch_size * 4):
            batch = missing[start : start + batch_size * 4]
            fresh = dict(zip(batch, embedder().encode([wanted[key] for key in batch], batch_size=batch_size)))
            cache.put_many(model, fresh)
            found.update(fresh)
        vectors = np.zeros((len(keys), dimension), np.float32)
        for row, key in enumerate(keys):
            if key:
                vectors[row] = found[key]
        writer.add([chunk_id for chunk_id, _, _ in rows], [len(one) for one in texts], vectors)
        done += len(rows)
        if progress is not None:
            progress(min(done, total), total)
    return writer.close()


@dataclass
class UnitVectors:
    """The unit embeddings of one generation (of a delta generation: its base's and its own)."""

    parts: list[UnitPart]

    @classmethod
    def load(cls, directory: Path) -> UnitVectors | None:
        """The generation's unit vectors, or None when it has none (switched off, older build)."""
        own = UnitPart.open(directory)
        if not (directory / BASE_DB).exists():
            return cls([own]) if own is not None else None
        base = UnitPart.open(directory, BASE_PREFIX)
        return cls([own, base]) if own is not None and base is not None else None

    def close(self) -> None:
        for part in self.parts:
            part.close()

    def similarities(self, chunk_ids: list[int], query_vector: np.ndarray) -> dict[int, np.ndarray]:
        """Cosine of each unit of the given chunks with the question, per chunk; each run of
        consecutive rows (a document's chunks) is read once. The spans are found in numpy: a
        search asks for ~500 chunks."""
        result: dict[int, np.ndarray] = {}
        wanted = np.fromiter(dict.fromkeys(chunk_ids), dtype=np.int64)
        for part in self.parts:  # a delta's own rows first: they replace the base's of a chunk
            i = wanted - part.first
            inside = (i >= 0) & (i < len(part.offsets) - 1)
            i[~inside] = 0
            starts, ends = part.offsets[i].astype(np.int64), part.offsets[i + 1].astype(np.int64)
            found = inside & (ends > starts)
            if not found.any():
                continue
            order = np.argsort(starts[found], kind="stable")
            ids, starts, ends = wanted[found][order], starts[found][order], ends[found][order]
            wanted = wanted[~found]
            # the chunks of one document own one run of rows
            opens = np.flatnonzero(np.r_[True, starts[1:] != ends[:-1]])
            closes = np.r_[opens[1:], len(starts)] - 1
            cosines = np.concatenate([part.cosines(int(starts[a]), int(ends[b]), query_vector)
                                      for a, b in zip(opens, closes)])
            run = np.repeat(np.arange(len(opens)), np.diff(np.r_[opens, len(starts)]))
            shift = np.r_[0, np.cumsum(ends[closes] - starts[opens])[:-1]] - starts[opens]
            lows, highs = starts + shift[run], ends + shift[run]
            for chunk_id, low, high in zip(ids.tolist(), lows.tolist(), highs.tolist()):
                result[chunk_id] = cosines[low:high]
        return result
