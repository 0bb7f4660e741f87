"""Indexing throughput of the full pipeline against the embedding model alone, in chunks per second.

Copies N law files (default 60) from /work/shared/corpora/gesetze-sample/ into a temporary
knowledge folder and, with the model loaded and warmed up beforehand:

1. pipeline S and A: `build_index` on fresh data dirs (empty embedding cache), untimed inside,
   S embedding after all files are read (`embed_while_reading = false`), A while reading;
2. raw: `embedder.encode` on exactly the texts the pipeline embedded (read back from the built
   index as `title › heading_path\\ntext`, deduplicated like `embed_missing`, each checked against
   its cache key), at batch sizes 16, 32 and 64, once in one call and once in slices of
   4 × batch_size texts; the best of these is the reference;
3. pipeline B: `build_index` again on another fresh data dir, with timers wrapped around its
   steps (reading, chunking, analysis/FTS, embedding, FAISS, publish) to show where non-model
   time goes; `--profile` also prints a cProfile of run B (main thread only).

Prints chunks, seconds and chunks/s for each run and the ratio pipeline/best raw (target ≥ 0.95).
Temporary folders are removed at the end.

    .venv/bin/python benchmarks/index_throughput.py [--files 60] [--batch-size 32] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import tempfile
import time
from pathlib import Path

import _bench
from _bench import Timers, TimedEmbedder

from indexer import build as build_module
from indexer.analysis import Analyzer
from indexer.build import _Run, build_index
from indexer.cache import EmbeddingCache, text_key
from indexer.chunking import embedding_text
from indexer.embedder import load_embedder
from indexer.generations import DB_NAME, Generations
from indexer.parse_pool import ParsePool
from indexer.settings import IndexSettings
from indexer.store import IndexStore

STEPS = [  # (owner, attribute, label) wrapped by timers in run B
    (build_module, "scan_knowledge", "scan"), (build_module, "_classify", "classify"),
    (ParsePool, "parse", "read"), (build_module, "chunk_document", "chunk"),
    (Analyzer, "count_words", "vocabulary"), (IndexStore, "adjust_word_counts", "vocabulary_store"),
    (Analyzer, "__init__", "analyzer_init"), (_Run, "store", "store"), (Analyzer, "index_text", "analysis"),
    (IndexStore, "add_document", "sqlite_insert"), (IndexStore, "create", "store_create"),
    (_Run, "embed_missing", "embed_missing"), (EmbeddingCache, "missing", "cache_missing"),
    (EmbeddingCache, "put_many", "cache_put"), (_Run, "write_vectors", "write_vectors"),
    (EmbeddingCache, "get_many", "cache_get"), (build_module, "build_vectors", "faiss_build"),
    (build_module, "save_vectors", "faiss_save"), (IndexStore, "commit", "commit"),
    (Generations, "publish", "publish"),
]
ROWS = [
    ("scan", "scan knowledge folder"), ("classify", "classify (read bytes + sha256)"),
    ("read", "read/parse documents (worker process, incl. transfer)"), ("chunk", "chunking (incl. count_tokens)"),
    ("count_tokens", "  of which model tokenizer (count_tokens)"),
    ("vocabulary", "compound vocabulary (build)"), ("vocabulary_store", "compound vocabulary (store)"),
    ("analyzer_init", "Analyzer construction"), ("store_create", "create SQLite schema"),
    ("store", "analysis + SQLite/FTS rows (_Run.store)"), ("analysis", "  of which German analysis (index_text)"),
    ("sqlite_insert", "  of which SQLite + FTS5 inserts"),
    ("embed_missing", "embedding step (embed_missing)"), ("encode", "  of which embedder.encode"),
    ("cache_missing", "  of which cache lookup (missing)"), ("cache_put", "  of which cache writes (put_many)"),
    ("write_vectors", "FAISS step (write_vectors)"), ("cache_get", "  of which cache reads (get_many)"),
    ("faiss_build", "  of which build_vectors"), ("faiss_save", "  of which save_vectors"),
    ("commit", "SQLite commit"), ("publish", "publish (fsync + rename + prune)"),
]
TOP_LEVEL = ["scan", "classify", "read", "chunk", "vocabulary", "vocabulary_store", "analyzer_init",
             "store_create", "store", "embed_missing", "write_vectors", "commit", "publish"]


def settings_for(knowledge: Path, data: Path, batch_size: int, overlapped: bool = True) -> IndexSettings:
    """Answer-unit vectors off: they are a second embedding pass over other texts (sentences), not
    chunks, and would count as pipeline time without counting as chunks."""
    return IndexSettings(knowledge_dir=knowledge, data_dir=data, batch_size=batch_size, progress=False,
                         embed_while_reading=overlapped, unit_vectors_up_to=0)


def embedded_texts(settings: IndexSettings) -> list[str]:
    """The embedding inputs of the built index, in the order and deduplication of `embed_missing`;
    each must hash to its chunk's vector key, and every key must be in the embedding cache."""
    live = Generations(settings.index_dir).current()
    assert live is not None
    store = IndexStore(live / DB_NAME, readonly=True)
    texts: dict[str, str] = {}
    rows = store.db.execute(
        "SELECT c.vector_key, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id"
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


class Clock:
    """Wall and process CPU seconds (all threads) since creation; CPU time shows contention."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), self._cpu()

    @staticmethod
    def _cpu() -> float:
        times = os.times()
        return times.user + times.system

    def line(self, name: str, chunks: int) -> tuple[float, float]:
        """Print and return (chunks/s, wall seconds)."""
        wall, cpu = time.perf_counter() - self.wall, self._cpu() - self.cpu
        print(f"{name:<34s} {chunks:6d} chunks {wall:8.2f} s {chunks / wall:8.1f} chunks/s   (CPU {cpu:6.1f} s)")
        return chunks / wall, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60, help="number of law files (max 400)")
    parser.add_argument("--batch-size", type=int, default=IndexSettings().batch_size)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of pipeline run B")
    args = parser.parse_args()

    temp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        knowledge = temp / "knowledge"
        knowledge.mkdir()
        for path in _bench.law_files(args.files):
            shutil.copy2(path, knowledge / path.name)
        embedder = load_embedder(IndexSettings().model)
        embedder.encode([p.read_text()[:2000] for p in _bench.law_files(8)], batch_size=args.batch_size)  # warm-up
        print(f"model {embedder.name}, {args.files} law files, batch_size {args.batch_size}, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n")

        settings_s = settings_for(knowledge, temp / "data-s", args.batch_size, overlapped=False)
        clock = Clock()
        report_s = build_index(settings_s, embedder=embedder)
        sequential, _ = clock.line("pipeline S (embed after reading)", report_s.chunks_embedded)

        settings_a = settings_for(knowledge, temp / "data-a", args.batch_size)
        clock = Clock()
        report_a = build_index(settings_a, embedder=embedder)
        pipeline_a, _ = clock.line("pipeline A (embed while reading)", report_a.chunks_embedded)

        texts = embedded_texts(settings_a)
        assert len(texts) == report_a.chunks_embedded, (len(texts), report_a.chunks_embedded)
        raws: dict[str, float] = {}
        for batch_size in sorted({16, 32, 64, args.batch_size}):
            clock = Clock()
            embedder.encode(texts, batch_size=batch_size)
            raws[f"one call, batch_size {batch_size}"], _ = clock.line(f"raw encode, one call, batch {batch_size}", len(texts))
            clock, step = Clock(), batch_size * 4
            for first in range(0, len(texts), step):
                embedder.encode(texts[first:first + step], batch_size=batch_size)
            raws[f"slices of {step}, batch_size {batch_size}"], _ = clock.line(
                f"raw encode, slices of {step}, batch {batch_size}", len(texts))
        best = max(raws, key=raws.get)
        raw = raws[best]
        print(f"best raw configuration: {best}, {raw:.1f} chunks/s")

        timers = Timers()
        settings_b = settings_for(knowledge, temp / "data-b", args.batch_size)
        profiler = cProfile.Profile() if args.profile else None
        with timers.patched(*STEPS):
            clock = Clock()
            if profiler:
                profiler.enable()
            report_b = build_index(settings_b, embedder=TimedEmbedder(embedder, timers))
            if profiler:
                profiler.disable()
            name = "pipeline B (timed" + (", cProfile)" if profiler else ")")
            pipeline_b, total_b = clock.line(name, report_b.chunks_embedded)

        print(f"\nratio pipeline/best raw (target ≥ 0.95): A (while reading) {pipeline_a / raw:.3f}, "
              f"S (after reading) {sequential / raw:.3f}, B {pipeline_b / raw:.3f}"
              f"{' (B slowed by cProfile)' if profiler else ''}")
        chars = sum(map(len, texts)) / len(texts)
        print(f"documents {report_b.added}, chunks {report_b.chunks_total}, mean embedding input {chars:.0f} chars")
        print(f"\npipeline B breakdown ({total_b:.2f} s):")
        timers.print(total_b, ROWS)
        other = total_b - sum(timers.seconds.get(label, 0.0) for label in TOP_LEVEL)
        non_model = total_b - timers.seconds.get("encode", 0.0)
        print(f"  {'other (manifest, counts, generations, …)':<44s} {other:8.3f} s {100 * other / total_b:6.1f} %")
        print(f"  {'non-model time (total − encode)':<44s} {non_model:8.3f} s {100 * non_model / total_b:6.1f} %")
        if profiler:
            print("\ncProfile of pipeline B (main thread, by own time):")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
