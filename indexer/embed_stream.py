"""Embedding while the run still reads: chunk texts are encoded as soon as a slice is full.

Parsing (worker process) and chunking (tokenizer) used to run while the model waited, and the
model while they waited. With `read_ahead` reading (and storing) on a thread, `EmbedStream` takes
each document's chunk texts as they come, keeps the ones the cache lacks in first-seen order and
encodes them, on the run's own thread, in slices (`slice_sizes`). `embed_missing` feeds the same
class from the stored chunks after the fact, in chunk order. Same texts, same order, same slices:
the vectors, and so the index, are byte-identical to the sequential run. Each slice goes to the
cache at once, so a killed run keeps every finished slice as before.

The slices grow from 1 to 16 × batch_size: the first one comes soon (the model idles until it is
full), later ones are long. A slice is handed to the embedder (`encode_soon`) before the one ahead
of it is waited for and saved: the embedding threads go on from one slice into the next, instead
of one of them idling at each slice's end while the other finishes its last part, and the run's
thread takes the next documents and saves the last slice while they work. So at most two slices
are unsaved when a run is killed.
"""
from __future__ import annotations

from typing import Callable, Iterator, Sequence

from .cache import EmbeddingCache, text_key
from .embedder import Embedder, Pending, encode_soon


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
        self.running: tuple[list[str], Pending] | None = None  # keys and vectors of the slice being embedded
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
        """Embed what is left (a last, shorter slice) and save every slice; returns the count of
        embedded texts."""
        if self.pending:
            self._embed(self.pending)
            self.pending = []
        self._save()
        return self.embedded

    def close(self) -> None:
        """Stop embedding without saving the running slice (the run failed); safe to call twice."""
        running, self.running = self.running, None
        if running is not None:
            running[1].cancel()

    def _embed(self, items: list[tuple[str, str]]) -> None:
        started = encode_soon(self.embedder(), [text for _, text in items], self.batch_size)
        try:
            self._save()
        except BaseException:
            started.cancel()
            raise
        self.running = [key for key, _ in items], started

    def _save(self) -> None:
        """Wait for the running slice and put its vectors into the cache."""
        if self.running is not None:
            keys, vectors = self.running
            try:
                self.cache.put_many(self.model, dict(zip(keys, vectors.result())))
            finally:
                self.running = None
            self.embedded += len(keys)
