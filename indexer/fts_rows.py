"""The FTS rows of new chunks: their analysed terms, made in a worker process when there are many.

The German analysis is pure Python. On the reader thread, beside the embedding threads, it held the
GIL they need between their many small matrix products, and slowed them several times over while it
ran. A run that adds more than ANALYSE_APART documents has their chunks analysed in one worker
process (forked from the parse worker's fork server; the vocabulary is sent once), a batch ahead of
the inserts. Fewer are analysed here, where a process start would cost more than it saves. Same
analyzer, same vocabulary: the same terms either way.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterable, Iterator

from .analysis import Analyzer
from .parse_pool import worker_context, yield_to_embedding

ANALYSE_APART = 50
"""More new documents than this: their chunks are analysed in a worker process."""

ChunkRow = tuple[int, str, str, str]  # chunk id, title, heading path, text: in; their terms: out

_worker_analyzer: Analyzer | None = None


def terms_of(analyzer: Analyzer, rows: list[ChunkRow]) -> list[ChunkRow]:
    """(chunk id, title terms, heading terms, body terms) of each row."""
    return [(chunk_id, analyzer.index_text(title), analyzer.index_text(heading_path), analyzer.index_text(text))
            for chunk_id, title, heading_path, text in rows]


def _start_worker(vocabulary: frozenset[str]) -> None:
    global _worker_analyzer
    yield_to_embedding()
    _worker_analyzer = Analyzer(vocabulary)


def _worker_terms(rows: list[ChunkRow]) -> list[ChunkRow]:
    assert _worker_analyzer is not None
    return terms_of(_worker_analyzer, rows)


def fts_rows(analyzer: Analyzer, batches: Iterable[list[ChunkRow]], documents: int) -> Iterator[list[ChunkRow]]:
    """The analysed rows of each batch, in order; in a worker process when `documents` (the count of
    new documents the batches hold) is above ANALYSE_APART."""
    if documents <= ANALYSE_APART:
        for rows in batches:
            yield terms_of(analyzer, rows)
        return
    with ProcessPoolExecutor(1, mp_context=worker_context(), initializer=_start_worker,
                             initargs=(analyzer.vocabulary,)) as pool:
        pending: deque[Future] = deque()
        for rows in batches:
            pending.append(pool.submit(_worker_terms, rows))
            if len(pending) > 1:  # one batch analysed while the previous one is inserted
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
