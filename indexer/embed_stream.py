"""Embedding while the run still reads: chunk texts are encoded as soon as a slice is full.

Parsing (worker process) and chunking (tokenizer) used to run while the model waited, and the
model while they waited. With `read_ahead` reading (and storing) on a thread, `EmbedStream` takes
each document's chunk texts as they come, keeps the ones the cache lacks in first-seen order and
encodes them, on the run's own thread, in slices (`slice_sizes`). `embed_missing` feeds the same
class from the stored chunks after the fact, in chunk order. Same texts, same order, same slices:
the vectors, and so the index, are byte-identical to the sequential run. Each slice goes to the
cache at once, so a killed run keeps every finished slice as before.

The slices grow from 1 to 16 × batch_size: the first one comes soon (the model idles until it is
full), later ones are long. At each slice's end one embedding thread waits for the other's last
batch, and both wait while the slice is saved; with slices of 4 × batch_size that cost a few
per cent of the model's time.
"""
from __future__ import annotations

from typing import Callable, Iterator, Sequence

from .cache import EmbeddingCache, text_key
from .embedder import Embedder


def slice_sizes(batch_size: int) -> Iterator[int]:
    """Texts per slice, slice after slice: 1, 2, 4, 8, 16, 16, … × batch_size."""
    size = batch_size
    while True:
        yield size
        size = min(2 * size, 16 * batch_size)


class EmbedStream:
    """Feed texts with `add`; `finish` embeds the rest and returns how many texts were embedded.

    `embedder` is asked for the model only when a slice is due, so a run with nothing to embed never
    loads it; `dimension` (None if unknown) decides which cached vectors are usable.
    """

    def __init__(self, embedder: Callable[[], Embedder], cache: EmbeddingCache, model: str, batch_size: int,
                 dimension: int | None) -> None:
        self.embedder, self.cache, self.model, self.batch_size = embedder, cache, model, batch_size
        self.dimension = dimension
        self.sizes = slice_sizes(batch_size)
        self.slice = next(self.sizes)
        self.seen: set[str] = set()
        self.pending: list[tuple[str, str]] = []
        self.embedded = 0

    def add(self, texts: Sequence[str]) -> None:
        """Queue the texts the cache lacks (each once); every full slice is embedded now."""
        keys = [text_key(text) for text in texts]
        fresh = {key: text for key, text in zip(keys, texts) if key not in self.seen}
        self.seen.update(fresh)
        missing = self.cache.missing(self.model, list(fresh), self.dimension)
        self.pending.extend((key, fresh[key]) for key in missing)
        while len(self.pending) >= self.slice:
            self._embed(self.pending[: self.slice])
            del self.pending[: self.slice]
            self.slice = next(self.sizes)

    def finish(self) -> int:
        """Embed what is left (a last, shorter slice); returns the count of embedded texts."""
        if self.pending:
            self._embed(self.pending)
            self.pending = []
        return self.embedded

    def _embed(self, items: list[tuple[str, str]]) -> None:
        vectors = self.embedder().encode([text for _, text in items], batch_size=self.batch_size)
        self.cache.put_many(self.model, dict(zip([key for key, _ in items], vectors)))
        self.embedded += len(items)
