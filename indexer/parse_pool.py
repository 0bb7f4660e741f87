"""Parse (and chunk) files in a long-lived worker process, so one hostile file costs at most its own skip.

The worker has a memory budget (RLIMIT_AS above its own start-up size) and each file a time
budget (CPU seconds of the worker, which runs niced like the embedding threads, with a wall-time
backstop): a file over it is skipped with a reason, the worker is killed and a fresh one takes the
next file. Inside the worker, every word of the result is capped, so no later step (sentence
splitting, compounds, FTS, embedding) meets a 3 MB "word".
"""
from __future__ import annotations

import multiprocessing
import os
import re
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable, Sequence

from .readers import READERS, UnreadableDocument, read_document
from .readers import __name__ as READERS_PACKAGE
from .records import ParsedDocument

Chunker = Callable[[ParsedDocument], Any]
"""Run on each parsed document in the worker (build.py: chunks and word counts); picklable."""

WORKER_NICENESS = 10  # embedder.BATCH_NICENESS: beside the embedding threads, below questions
WALL_FACTOR = 4  # a file may take this many times max_parse_seconds of wall time (the worker runs niced)
POLL_SECONDS = 0.25
MAX_WORD_CHARS = 200
"""Longer runs without a space (dot leaders, base64, a 100,000-letter "compound") are cut to this."""
_LONG_WORD = re.compile(r"\S{%d}\S+" % MAX_WORD_CHARS)
MAX_LABEL_CHARS = 300
"""Titles and headings are cut to this: they are repeated with every chunk, and in every hit shown."""


def _cap_words(text: str) -> str:
    return _LONG_WORD.sub(lambda match: match.group()[:MAX_WORD_CHARS] + "…", text) if len(text) > MAX_WORD_CHARS else text


def _cap_label(text: str) -> str:
    text = " ".join(text[: MAX_LABEL_CHARS * 4].split())  # one line: a title never forges output lines
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def bound_document(document: ParsedDocument) -> ParsedDocument:
    """The document with over-long words cut, and title and headings on one line within their cap."""
    document.title = _cap_label(document.title)
    for block in document.blocks:
        block.text = _cap_words(block.text)
        block.headings = tuple(_cap_label(heading) for heading in block.headings)
    return document


def _vm_bytes() -> int:
    """This process's current address-space size (Linux), 0 where unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_memory(megabytes: float) -> None:
    """Cap the address space at what the worker uses now plus `megabytes`."""
    import resource

    if megabytes <= 0:
        return
    wanted = _vm_bytes() + int(megabytes * 1024 * 1024)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _parse(data: bytes, path: Path, memory_mb: float, chunk: Chunker | None = None) -> tuple[str, Any]:
    try:
        document = bound_document(read_document(data, path))
        return "ok", document if chunk is None else (document, chunk(document))
    except (UnreadableDocument, MemoryError) as error:
        if isinstance(error, MemoryError) or isinstance(error.__cause__, MemoryError):
            return "skip", _over_budget(memory_mb)
        return "skip", str(error)


def _over_budget(memory_mb: float) -> str:
    return f"braucht beim Lesen mehr als {memory_mb:.0f} MB Speicher (max_parse_mb)"


def _serve(connection: Connection, memory_mb: float) -> None:
    """The worker's loop: (bytes, path[, chunker]) in, ("ok", document[ and chunks]) or ("skip", reason)
    out; None ends it."""
    _limit_memory(memory_mb)
    yield_to_embedding()
    while True:
        try:
            request = connection.recv()
        except MemoryError:  # the file alone fills the budget while it arrives: the same skip
            connection.send(("skip", _over_budget(memory_mb)))
            continue
        if request is None:
            return
        answer = _parse(request[0], request[1], memory_mb, *request[2:])
        try:
            connection.send(answer)
        except MemoryError:
            connection.send(("skip", f"Ergebnis zu groß für {memory_mb:.0f} MB Speicher (max_parse_mb)"))


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) process `pid` has used (Linux /proc), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def yield_to_embedding() -> None:
    """Run this worker process at the embedding threads' niceness, below questions. At the lowest
    (19) it got an eighth of a core beside the model and next to nothing beside other work: reading
    fell behind, the model waited for full slices, and the FTS analysis ran on after the last
    slice. Its CPU seconds are the same either way; at the model's niceness it reads well ahead
    (READ_AHEAD documents) and is done long before the model."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, max(os.getpriority(os.PRIO_PROCESS, 0), WORKER_NICENESS))
    except (AttributeError, OSError):  # no priorities on this platform: the worker just competes
        pass


_preloaded: set[str] = set()  # modules the fork server imports besides the workers' own (see worker_context)


def worker_context(preload: Sequence[str] = ()) -> Any:
    """Workers (this pool's, and the FTS analysis's: indexer/fts_rows.py) are forked from a clean fork
    server (started once per process, their modules preloaded), never from this process: it may hold
    torch's and the embedder's threads and locks. `preload`: more modules for the fork server to
    import (kept for the process; they count only before its start), such as `indexer.use_pieces`."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    _preloaded.update(preload)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "indexer.document_writer", "indexer.token_count", "indexer.fts_rows",
                                    *(f"{READERS_PACKAGE}.{module}" for module, _ in READERS.values()),
                                    *sorted(_preloaded)])
    return context


class ParsePool:
    """One worker process reading files one at a time under a time and memory budget.

    Use as a context manager. `parse` returns the document or raises UnreadableDocument with the
    reason (including "took longer than max_parse_seconds"); the run goes on either way.
    """

    def __init__(self, max_seconds: float, max_memory_mb: float, preload: Sequence[str] = ()) -> None:
        self.max_seconds = max_seconds
        self.max_memory_mb = max_memory_mb
        self._context = worker_context(preload)
        self._process: Any = None
        self._connection: Connection | None = None
        self._starter: threading.Thread | None = None
        self._start_error: BaseException | None = None

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start_soon(self) -> None:
        """Start the worker in the background, so its start (a fork server importing the readers,
        about a second) overlaps the run's other work; `parse` waits for it."""
        if self._starter is None and self._connection is None:
            self._starter = threading.Thread(target=self._start_in_background, name="lotse-parse-start", daemon=True)
            self._starter.start()

    def _start_in_background(self) -> None:
        try:
            self._start_now()
        except BaseException as error:  # raised again where the worker is needed
            self._start_error = error

    def _start(self) -> Connection:
        if self._starter is not None:
            self._starter.join()
            self._starter, error, self._start_error = None, self._start_error, None
            if error is not None:
                raise error
        return self._start_now()

    def _start_now(self) -> Connection:
        if self._connection is None:
            ours, theirs = self._context.Pipe()
            self._process = self._context.Process(
                target=_serve, args=(theirs, self.max_memory_mb), name="lotse-parse", daemon=True
            )
            self._process.start()
            theirs.close()
            self._connection = ours
        return self._connection

    def _kill(self) -> None:
        if self._process is not None and self._process.pid is not None:  # a worker that failed to start has none
            self._process.kill()
            self._process.join()
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def parse(self, data: bytes, path: Path) -> ParsedDocument:
        """Parse one file in the worker; raises UnreadableDocument when it fails or runs over budget."""
        return self._ask((data, path))

    def parse_and_chunk(self, data: bytes, path: Path, chunk: Chunker) -> tuple[ParsedDocument, Any]:
        """Parse one file and chunk it with `chunk` (picklable), both in the worker and within its
        budgets: the chunker's Python work and token counting then never hold this process's GIL,
        which the embedding threads need between their matrix products."""
        return self._ask((data, path, chunk))

    def _ask(self, request: tuple) -> Any:
        connection = self._start()
        try:
            connection.send(request)
            self._wait(connection)
            status, value = connection.recv()
        except (EOFError, OSError) as error:  # the worker died: out of memory, a crash in a C library
            self._process.join(1.0)
            code = self._process.exitcode
            self._kill()
            raise UnreadableDocument(f"Lesen abgebrochen, der Leseprozess endete unerwartet (Code {code})") from error
        if status != "ok":
            raise UnreadableDocument(value)
        return value

    def _wait(self, connection: Connection) -> None:
        """Wait for the answer while the worker has used at most `max_seconds` of CPU time (it runs
        niced, so on a busy machine its wall time says little about the file), and at most
        WALL_FACTOR times that in wall time; else kill it and raise UnreadableDocument."""
        if self.max_seconds <= 0:
            connection.poll(None)
            return
        started, cpu = time.monotonic(), _cpu_seconds(self._process.pid)
        while not connection.poll(min(POLL_SECONDS, self.max_seconds)):
            used = _cpu_seconds(self._process.pid)
            wall = time.monotonic() - started
            if (cpu is None or used is None or used - cpu > self.max_seconds) and wall > self.max_seconds \
                    or wall > WALL_FACTOR * self.max_seconds:
                self._kill()
                raise UnreadableDocument(
                    f"Lesen dauerte länger als {self.max_seconds:g} s und wurde abgebrochen (max_parse_seconds)")

    def close(self) -> None:
        """Let the worker finish; kill it if it does not within a second."""
        if self._starter is not None:
            self._starter.join()
            self._starter = self._start_error = None
        if self._connection is not None:
            try:
                self._connection.send(None)
            except OSError:
                pass
            self._process.join(1.0)
        self._kill()
