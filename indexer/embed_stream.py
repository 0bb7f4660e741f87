"""Embedding while the run still reads: chunk texts are encoded in small parts as soon as they come.

Parsing (worker process) and chunking (tokenizer) used to run while the model waited, and the
model while they waited. With `read_ahead` reading (and storing) on a thread, `EmbedStream` takes
each document's chunk texts as they come, keeps the ones the cache lacks in first-seen order and
hands them to the embedder in parts (`part_sizes`), up to AHEAD parts at a time, so that each
embedding thread finds the next part waiting when it is done with one. `embed_missing` feeds the
same class from the stored chunks after the fact, in chunk order. Same texts, same order, same
parts: the vectors, and so the index, are byte-identical to the sequential run. Each part goes to
the cache as soon as it is back, so a killed run keeps every finished part.

The run used to wait for each slice (up to 16 × batch_size texts) to finish: at every slice's end
one embedding thread waited for the other's last batch (60 laws: 0.2 s of 9.8), and the first
slice waited for 32 texts (0.3 s). The first parts now are an eighth of batch_size.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future
from contextlib import ExitStack, contextmanager
from typing import Callable, Iterator, Sequence

import numpy as np

from .cache import EmbeddingCache, text_key
from .embedder import Embedder

AHEAD = 3
"""Parts handed to the embedder and not yet back: one per embedding thread (two cores) and one waiting."""


def part_sizes(batch_size: int) -> Iterator[int]:
    """Texts per part, part after part: two each of batch_size / 8, / 4 and / 2, then batch_size."""
    for shift in (3, 3, 2, 2, 1, 1):
        yield max(1, batch_size >> shift)
    while True:
        yield batch_size


def halves(count: int) -> list[int]:
    """The sizes of the two parts the last `count` texts are cut into, one per embedding thread."""
    return [size for size in (count - count // 2, count // 2) if size]


@contextmanager
def parts(embedder: Embedder, batch_size: int) -> Iterator[Callable[[list[str]], Future]]:
    """`submit(texts)`: a future of their vectors, on the embedder's own threads if it has `parts`,
    else encoded here and now."""
    own = getattr(embedder, "parts", None)
    if own is not None:
        with own() as submit:
            yield submit
        return

    def encode_now(texts: list[str]) -> Future:
        done: Future = Future()
        done.set_result(embedder.encode(texts, batch_size=batch_size))
        return done

    yield encode_now


class EmbedStream:
    """Feed texts with `add`; `finish` embeds the rest and returns how many texts were embedded.

    `embedder` is asked for the model only when a part is due, so a run with nothing to embed never
    loads it; `dimension` (None if unknown) decides which cached vectors are usable.
    """

    def __init__(self, embedder: Callable[[], Embedder], cache: EmbeddingCache, model: str, batch_size: int,
                 dimension: int | None) -> None:
        self.embedder, self.cache, self.model, self.batch_size = embedder, cache, model, batch_size
        self.dimension = dimension
        self.sizes = part_sizes(batch_size)
        self.part = next(self.sizes)
        self.seen: set[str] = set()
        self.pending: list[tuple[str, str]] = []
        self.running: deque[tuple[list[str], Future]] = deque()
        self.embedded = 0
        self._parts = ExitStack()  # the embedder's `parts` while any are out
        self._submit_part: Callable[[list[str]], Future] | None = None

    def add(self, texts: Sequence[str]) -> None:
        """Queue the texts the cache lacks (each once); every full part goes to the embedder now."""
        keys = [text_key(text) for text in texts]
        fresh = {key: text for key, text in zip(keys, texts) if key not in self.seen}
        self.seen.update(fresh)
        missing = self.cache.missing(self.model, list(fresh), self.dimension)
        self.pending.extend((key, fresh[key]) for key in missing)
        taken = 0
        while len(self.pending) - taken >= self.part:
            self._submit(self.pending[taken : taken + self.part])
            taken += self.part
            self.part = next(self.sizes)
        del self.pending[:taken]
        while self.running and self.running[0][1].done():
            self._save_oldest()

    def finish(self) -> int:
        """Embed what is left (in halves), wait for every part; returns the count of embedded texts."""
        first = 0
        for size in halves(len(self.pending)):
            self._submit(self.pending[first : first + size])
            first += size
        self.pending = []
        while self.running:
            self._save_oldest()
        self.close()
        return self.embedded

    def close(self) -> None:
        """Stop: parts not started are dropped, running ones are waited for (unsaved); the embedder's
        threads are released. `finish` does this itself; call it when a run ends early."""
        for _, future in self.running:
            future.cancel()
        for _, future in self.running:
            if not future.cancelled():
                future.exception()  # waits; the error, if any, is the one the run already raises
        self.running.clear()
        self._submit_part = None
        self._parts.close()

    def _submit(self, items: list[tuple[str, str]]) -> None:
        while len(self.running) >= AHEAD:
            self._save_oldest()
        if self._submit_part is None:
            self._submit_part = self._parts.enter_context(parts(self.embedder(), self.batch_size))
        future = self._submit_part([text for _, text in items])
        self.running.append(([key for key, _ in items], future))

    def _save_oldest(self) -> None:
        """Wait for the oldest part and store its vectors."""
        keys, future = self.running.popleft()
        vectors: np.ndarray = future.result()
        self.cache.put_many(self.model, dict(zip(keys, vectors)))
        self.embedded += len(keys)
