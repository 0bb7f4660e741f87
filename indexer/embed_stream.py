"""Embedding while the run still reads: chunk texts go to the model on a background thread.

Parsing (worker process) and chunking (tokenizer) used to run while the model waited, and the
model while they waited. `EmbedStream` takes each parsed document's chunk texts as they come,
keeps the ones the cache lacks in first-seen order and hands them to one background thread in
the same slices of 4 × batch_size that `embed_missing` would cut after the fact. Same texts,
same order, same slices: the vectors, and so the index, are byte-identical to the sequential run.
Vectors reach the cache from the run's own thread, a finished slice at a time, so a killed run
keeps every finished slice as before. At most `AHEAD` slices wait, which bounds the memory.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Sequence

import numpy as np

from .cache import EmbeddingCache, text_key
from .embedder import Embedder

AHEAD = 2  # slices encoded or waiting while reading goes on


class EmbedStream:
    """Feed texts with `add`; `finish` embeds the rest and returns how many texts were embedded."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache, model: str, batch_size: int,
                 on_slice: Callable[[int], None] | None = None) -> None:
        self.embedder, self.cache, self.model, self.batch_size = embedder, cache, model, batch_size
        self.slice = 4 * batch_size
        self.on_slice = on_slice
        self.seen: set[str] = set()
        self.pending: list[tuple[str, str]] = []
        self.running: deque[tuple[list[str], Future[np.ndarray]]] = deque()
        self.embedded = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="einbetten")

    def add(self, texts: Sequence[str]) -> None:
        """Queue the texts the cache lacks (each once); full slices start embedding at once."""
        keys = [text_key(text) for text in texts]
        fresh = {key: text for key, text in zip(keys, texts) if key not in self.seen}
        self.seen.update(fresh)
        missing = self.cache.missing(self.model, list(fresh), self.embedder.dimension)
        self.pending.extend((key, fresh[key]) for key in missing)
        while len(self.pending) >= self.slice:
            self._start(self.pending[: self.slice])
            del self.pending[: self.slice]

    def finish(self) -> int:
        """Embed what is left (a last, shorter slice) and store every vector; returns the count."""
        try:
            if self.pending:
                self._start(self.pending)
                self.pending = []
            while self.running:
                self._collect()
        finally:
            self.close()
        return self.embedded

    def close(self) -> None:
        """Stop without storing what is still running (the run failed); idempotent."""
        for _, future in self.running:
            future.cancel()
        self.running.clear()
        self._executor.shutdown(wait=True)

    def _start(self, items: list[tuple[str, str]]) -> None:
        while len(self.running) >= AHEAD:
            self._collect()
        texts = [text for _, text in items]
        self.running.append(([key for key, _ in items], self._executor.submit(self.embedder.encode, texts, self.batch_size)))

    def _collect(self) -> None:
        keys, future = self.running.popleft()
        self.cache.put_many(self.model, dict(zip(keys, future.result())))
        self.embedded += len(keys)
        if self.on_slice is not None:
            self.on_slice(len(keys))
