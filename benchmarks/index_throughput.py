"""Indexing throughput of the full pipeline against the embedding model alone, in chunks per second.

Copies N law files (default 60) from /work/shared/corpora/gesetze-sample/ into a temporary
knowledge folder and, with the model loaded and warmed up beforehand:

1. calibration: `embedder.encode` on exactly the texts the pipeline embeds (read back from a first
   built index as `title › heading_path\\ntext`, deduplicated like `embed_missing`, each checked
   against its cache key; the first `--calibrate` of them), at batch sizes 16, 32 and 64, once in
   one call and once in the pipeline's slices (1, 2, 4, 8, 16, 16, … × batch_size texts, each
   handed over before the one ahead is waited for, see indexer/embed_stream.py); the fastest shape
   is the raw reference;
2. `--rounds` pairs (default 3), the pair's order alternating: pipeline A (`build_index` on a fresh
   data dir, empty embedding cache, embedding while reading, default batch shape) and the raw
   reference on the same texts. On a shared machine other work changes speed by more than the
   effect measured, so each pair gives a ratio of runs a minute apart, with the load average;
   the median of the pairs' ratios is the figure (target ≥ 0.95). Each run also prints how long
   the embedding threads ran, waited for a CPU and slept (schedstat): under load the wait grows
   and the ratio scatters, while the sleep is what the pipeline's own shape costs the model;
3. with `--breakdown`, pipeline B: run A once more with timers around its steps (reading, waiting
   for the reader, chunking, storing, FTS analysis, embedding, cache, FAISS, publish) to show
   where non-model time goes; `--profile` also prints a cProfile of it (main thread only);
   `--sequential` adds one run S with `embed_while_reading = false` for comparison.

Run it under `nice -n 10` like everything else on the shared machine. Temporary folders are
removed at the end.

    nice -n 10 .venv/bin/python benchmarks/index_throughput.py [--files 60] [--rounds 3] [--breakdown]
"""
from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import shutil
import tempfile
import threading
import time
from pathlib import Path

import _bench
from _bench import Timers, TimedEmbedder

from indexer import build as build_module
from indexer.build import _Run, build_index
from indexer.cache import EmbeddingCache, text_key
from indexer.chunking import embedding_text
from indexer.document_writer import DocumentWriter
from indexer.embed_stream import EmbedStream, slice_sizes
from indexer.embedder import BATCH_THREAD_NAME, Embedder, encode_soon, load_embedder
from indexer.generations import DB_NAME, Generations
from indexer.parse_pool import ParsePool
from indexer.settings import IndexSettings
from indexer.store import IndexStore

STEPS = [  # (owner, attribute, label) wrapped by timers in run B
    (build_module, "scan_knowledge", "scan"), (build_module, "classify_changes", "classify"),
    (ParsePool, "parse_and_chunk", "read"),
    (DocumentWriter, "add", "store"), (IndexStore, "add_document", "sqlite_insert"),
    (DocumentWriter, "finish", "fts"), (IndexStore, "insert_terms", "fts_insert"),
    (IndexStore, "create", "store_create"), (EmbedStream, "_embed", "embed_slices"),
    (_Run, "embed_missing", "embed_missing"), (EmbeddingCache, "missing", "cache_missing"),
    (EmbeddingCache, "put_many", "cache_put"), (_Run, "write_vectors", "write_vectors"),
    (EmbeddingCache, "read_into", "cache_get"), (build_module, "build_vectors", "faiss_build"),
    (build_module, "save_vectors", "faiss_save"), (IndexStore, "commit", "commit"),
    (Generations, "publish", "publish"),
]
ROWS = [
    ("scan", "scan knowledge folder"), ("classify", "classify (read bytes + sha256)"),
    ("wait", "run thread waiting for texts (model idle)"),
    ("read", "read, parse and chunk (worker process)"),
    ("store_create", "create SQLite schema"),
    ("store", "store documents + word counts (reader thread)"),
    ("sqlite_insert", "  of which SQLite inserts"),
    ("embed_slices", "embedding while reading (EmbedStream slices)"), ("encode", "  of which embedder.encode"),
    ("cache_put", "  of which cache writes (put_many)"), ("cache_missing", "cache lookups (missing)"),
    ("fts", "vocabulary + FTS rows (reader thread, at the end; analysis in a worker process)"),
    ("fts_insert", "  of which FTS5 inserts"),
    ("embed_missing", "embedding check after reading (embed_missing)"),
    ("write_vectors", "FAISS step (write_vectors)"), ("cache_get", "  of which cache reads"),
    ("faiss_build", "  of which build_vectors"), ("faiss_save", "  of which save_vectors"),
    ("commit", "SQLite commit"), ("publish", "publish (fsync + rename + prune)"),
]
TOP_LEVEL = ["scan", "classify", "wait", "store_create", "embed_slices", "embed_missing",
             "write_vectors", "commit", "publish"]  # the run thread's steps (reading, storing, FTS: reader thread)


def settings_for(knowledge: Path, data: Path, batch_size: int, overlapped: bool = True) -> IndexSettings:
    """Answer-unit vectors off: they are a second embedding pass over other texts (sentences), not
    chunks, and would count as pipeline time without counting as chunks."""
    return IndexSettings(knowledge_dir=knowledge, data_dir=data, batch_size=batch_size, progress=False,
                         embed_while_reading=overlapped, unit_vectors=False)


def embedded_texts(settings: IndexSettings) -> list[str]:
    """The embedding inputs of the built index, in the order and deduplication of `embed_missing`;
    each must hash to its chunk's vector key, and every key must be in the embedding cache."""
    live = Generations(settings.index_dir).current()
    assert live is not None
    store = IndexStore(live / DB_NAME, readonly=True)
    texts: dict[str, str] = {}
    rows = store.db.execute(
        "SELECT c.vector_key, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY c.id"
    )
    for key, title, heading_path, text in rows:
        texts.setdefault(key, embedding_text(title, heading_path, text))
    store.close()
    mismatched = [key for key, text in texts.items() if text_key(text) != key]
    cache = EmbeddingCache(settings.cache_path)
    uncached = cache.missing(settings.model, list(texts))
    cache.close()
    if mismatched or uncached:
        raise SystemExit(f"read-back is wrong: {len(mismatched)} texts differ from their keys, {len(uncached)} not cached")
    return list(texts.values())


def model_threads() -> dict[int, tuple[float, float]]:
    """Seconds each embedding thread has run and waited for a CPU (Linux schedstat), by thread id."""
    seconds = {}
    for thread in threading.enumerate():
        if thread.name.startswith(BATCH_THREAD_NAME):
            try:
                ran, waited, _ = Path(f"/proc/self/task/{thread.native_id}/schedstat").read_text().split()
            except (OSError, ValueError):
                continue
            seconds[thread.native_id] = int(ran) / 1e9, int(waited) / 1e9
    return seconds


class Clock:
    """Wall and process CPU seconds (all threads) since creation; CPU time shows contention. The
    embedding threads' scheduler statistics split their wall time into running, waiting for a CPU
    (other work, other sessions) and sleeping (no texts, a slice's end, the GIL): sleep is what the
    run's own shape costs the model, whatever the load."""

    def __init__(self) -> None:
        self.wall, self.cpu, self.load = time.perf_counter(), self._cpu(), os.getloadavg()[0]
        self.threads = model_threads()

    @staticmethod
    def _cpu() -> float:
        times = os.times()
        return times.user + times.system

    def line(self, name: str, chunks: int) -> tuple[float, float]:
        """Print and return (chunks/s, wall seconds)."""
        wall, cpu = time.perf_counter() - self.wall, self._cpu() - self.cpu
        now = model_threads()
        ran = sum(now[tid][0] - before[0] for tid, before in self.threads.items() if tid in now)
        waited = sum(now[tid][1] - before[1] for tid, before in self.threads.items() if tid in now)
        asleep = len(self.threads) * wall - ran - waited
        print(f"{name:<36s} {chunks:6d} chunks {wall:7.2f} s {chunks / wall:7.1f} chunks/s "
              f"(CPU {cpu:6.1f} s, load {self.load:.1f}→{os.getloadavg()[0]:.1f}; "
              f"model threads ran {ran:5.2f} s, waited for a CPU {waited:5.2f} s, slept {asleep:4.2f} s)", flush=True)
        return chunks / wall, wall


def raw_encode(embedder: Embedder, texts: list[str], batch_size: int, sliced: bool, name: str) -> float:
    """Encode `texts` in one call or in the pipeline's slices, each handed over before the one ahead
    is waited for (as EmbedStream does); prints and returns chunks/s."""
    clock = Clock()
    sizes = slice_sizes(batch_size) if sliced else itertools.repeat(len(texts))
    first, running = 0, None
    while first < len(texts):
        step = next(sizes)
        started = encode_soon(embedder, texts[first:first + step], batch_size)
        if running is not None:
            running.result()
        running, first = started, first + step
    running.result()
    return clock.line(name, len(texts))[0]


def pipeline(knowledge: Path, data: Path, embedder: Embedder, name: str, overlapped: bool = True) -> tuple[float, float, int]:
    """One `build_index` on a fresh data dir; returns chunks/s, wall seconds and texts embedded.
    Speeds count embedded texts, not chunks: a text two chunks share is embedded once, and the raw
    reference encodes the same deduplicated texts."""
    clock = Clock()
    report = build_index(settings_for(knowledge, data, IndexSettings().batch_size, overlapped), embedder=embedder)
    speed, wall = clock.line(name, report.chunks_embedded)
    if report.chunks_embedded != report.chunks_total:
        print(f"{'':<36s} ({report.chunks_embedded} texts embedded for {report.chunks_total} chunks)")
    return speed, wall, report.chunks_embedded


def timed_waits(timers: Timers) -> object:
    """`read_ahead` whose iterator records how long the run's thread waits for each next item."""
    original = build_module.read_ahead

    def wrapped(produce, depth):  # type: ignore[no-untyped-def]
        items = original(produce, depth)
        while True:
            start = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                timers.add("wait", time.perf_counter() - start)
            yield item

    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60, help="number of law files (max 400)")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of pipeline and raw runs")
    parser.add_argument("--calibrate", type=int, default=512, help="texts the batch shapes are compared on (0: all)")
    parser.add_argument("--breakdown", action="store_true", help="one more pipeline run with timers (run B)")
    parser.add_argument("--profile", action="store_true", help="with --breakdown: print a cProfile of run B")
    parser.add_argument("--sequential", action="store_true", help="also one run S (embedding after reading)")
    args = parser.parse_args()

    temp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        knowledge = temp / "knowledge"
        knowledge.mkdir()
        for path in _bench.law_files(args.files):
            shutil.copy2(path, knowledge / path.name)
        embedder = load_embedder(IndexSettings().model)
        batch_size = IndexSettings().batch_size
        embedder.encode([p.read_text()[:2000] for p in _bench.law_files(8)], batch_size=batch_size)  # warm-up
        print(f"model {embedder.name}, {args.files} law files, pipeline batch_size {batch_size} "
              f"(slices of {', '.join(map(str, itertools.islice(slice_sizes(batch_size), 4)))}, …), {os.cpu_count()} CPUs, niceness {os.nice(0)}, "
              f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min)\n")

        first = settings_for(knowledge, temp / "data-0", batch_size)
        _, _, embedded = pipeline(knowledge, first.data_dir, embedder, "pipeline A (warm-up, gives the texts)")
        texts = embedded_texts(first)
        shutil.rmtree(first.data_dir)
        assert len(texts) == embedded, (len(texts), embedded)

        sample = texts[: args.calibrate or None]
        print(f"\ncalibration of the raw model on {len(sample)} of the texts:")
        raws: dict[tuple[int, bool], float] = {}
        for size in (16, 32, 64):
            for sliced in (False, True):
                shape = "the pipeline’s slices" if sliced else "one call"
                raws[size, sliced] = raw_encode(embedder, sample, size, sliced, f"raw, {shape}, batch {size}")
        best_size, best_sliced = max(raws, key=raws.get)
        best = f"{'the pipeline’s slices' if best_sliced else 'one call'}, batch_size {best_size}"
        print(f"best raw configuration: {best}\n")

        print(f"{args.rounds} pairs, order alternating:")
        ratios = []
        for round_ in range(args.rounds):
            runs = {}
            for kind in (("pipeline", "raw") if round_ % 2 == 0 else ("raw", "pipeline")):
                if kind == "raw":
                    runs[kind] = raw_encode(embedder, texts, best_size, best_sliced, f"raw ({best})")
                else:
                    runs[kind] = pipeline(knowledge, temp / f"data-{round_}", embedder, "pipeline A")[0]
                    shutil.rmtree(temp / f"data-{round_}", ignore_errors=True)
            ratios.append(runs["pipeline"] / runs["raw"])
            print(f"  pair {round_ + 1}: ratio pipeline/raw {ratios[-1]:.3f}\n", flush=True)
        print(f"ratio pipeline/best raw per pair: {', '.join(f'{r:.3f}' for r in ratios)}; "
              f"median {_bench.median(ratios):.3f} (target ≥ 0.95); "
              f"mean input {sum(map(len, texts)) / len(texts):.0f} chars, {len(texts)} chunks")

        if args.sequential:
            speed, _, _ = pipeline(knowledge, temp / "data-s", embedder, "pipeline S (embed after reading)", False)
            print(f"  S against the last raw run: {speed / runs['raw']:.3f}")
        if args.breakdown:
            breakdown(knowledge, temp / "data-b", embedder, args.profile)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def breakdown(knowledge: Path, data: Path, embedder: Embedder, profile: bool) -> None:
    """Pipeline run B with timers around its steps (and, with `profile`, a cProfile)."""
    timers = Timers()
    profiler = cProfile.Profile() if profile else None
    with timers.patched(*STEPS):
        build_module.read_ahead, original = timed_waits(timers), build_module.read_ahead
        try:
            clock = Clock()
            if profiler:
                profiler.enable()
            settings = settings_for(knowledge, data, IndexSettings().batch_size)
            report = build_index(settings, embedder=TimedEmbedder(embedder, timers))
            if profiler:
                profiler.disable()
            _, total = clock.line("pipeline B (timed" + (", cProfile)" if profiler else ")"), report.chunks_embedded)
        finally:
            build_module.read_ahead = original
    print(f"\npipeline B breakdown ({total:.2f} s; reader-thread rows overlap the run thread's):")
    timers.print(total, ROWS)
    other = total - sum(timers.seconds.get(label, 0.0) for label in TOP_LEVEL)
    non_model = total - timers.seconds.get("encode", 0.0)
    print(f"  {'other (manifest, counts, generations, …)':<44s} {other:8.3f} s {100 * other / total:6.1f} %")
    print(f"  {'non-model time (total − encode)':<44s} {non_model:8.3f} s {100 * non_model / total:6.1f} %")
    if profiler:
        print("\ncProfile of pipeline B (main thread, by own time):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
