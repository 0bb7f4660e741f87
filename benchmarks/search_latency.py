"""Search latency on a synthetic 100,000-chunk index, recall of the approximate vector index against
exact search, and where the time of one `Index.search` goes.

Build (this process, see `_synthetic.py`): law paragraphs from the 400 laws recombined into
~150-word chunks, written through the real store/FTS5/FAISS/generations code. Not all 100,000 are
embedded — only `--embed` (default 6,000) real chunks are embedded by the model (~50 s at ~125
chunks/s on 2 cores; all 100,000 would take ~13 min); the others are two halves of real chunks with
normalise(v_p + v_q + 0.1·noise) as vector. One 50-chunk document is a glossary, so each query
excludes chunks, as in production. Whole run: ~3 min.

Measure (a fresh child process, model loaded first, so RSS is that of a serving process):
p50/p95 of `Index.search` over 300 German questions (200 from XQuAD-de, 100 law-style), RSS;
recall@10 and @100 of the approximate vector index against exact search (IndexFlatIP on the same
vectors), FAISS-only and end-to-end latency of both; search time split into parts (query embedding, lexical, FAISS, fusion/hits,
answer passage) by timers, plus a cProfile of all questions.

    .venv/bin/python benchmarks/search_latency.py [--chunks 100000] [--embed 6000] [--keep DIR]
    .venv/bin/python benchmarks/search_latency.py --measure DIR [--fts5] [--no-exact]   # again, on a kept index

At --chunks 1000000 (pq-rerank, see indexer/vectors.py) the build takes ~20–30 min on 2 cores (OPQ training ~5–9 min of it)
and ~6 GB; the serving process stays under 3 GB.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

import _bench
from _bench import Timers, TimedEmbedder
from _synthetic import build_synthetic, xquad_questions

from indexer import Index
from indexer.analysis import Analyzer
from indexer.answer import VectorMemory
from indexer.embedder import load_embedder
from indexer.glossary import Glossary
from indexer import search as search_module
from indexer.search import Snapshot
from indexer.settings import IndexSettings
from indexer.vectors import build_vectors, search_vectors

ROWS = [("total", "Index.search"), ("glossary", " glossary expansions/definitions"), ("_search", " Snapshot._search"),
        ("excluded", "  access filter (_excluded)"), ("lexical", "  lexical (FTS5 or tantivy)"),
        ("query_terms", "   of which query analysis"), ("query_encode", "  query embedding"),
        ("dense", "  FAISS (dense, on a worker thread: overlaps the lexical side)"), ("fuse", "  fusion (z-scores)"), ("hits", "  hits (SQLite rows → Hit)"),
        ("collapse", "  duplicate collapse"), ("answer_passage", "  answer passage"),
        ("passage_encode", "   of which sentence embedding"), ("rest", "  rest (ranking, evidence, confidence, waiting for FAISS)")]


CPU: list[float] = []  # CPU milliseconds of the process per question in the last `run`


def run(index: Index, questions: list[str]) -> tuple[list[float], list[list[int]]]:
    """Milliseconds of `Index.search` (default k) per question, and the chunk ids it returned; the
    process's CPU time per question goes to CPU (on a loaded machine wall time waits for a core)."""
    samples, found = [], []
    CPU.clear()
    for question in questions:
        start, cpu = time.perf_counter(), time.process_time()
        result = index.search(question)
        samples.append(1000 * (time.perf_counter() - start))
        CPU.append(1000 * (time.process_time() - cpu))
        found.append([hit.chunk_id for hit in result.hits])
    return samples, found


def describe(samples: list[float]) -> str:
    p50, p95 = _bench.percentiles(samples)
    return f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  mean {np.mean(samples):6.2f} ms  max {max(samples):6.1f} ms"


def overlap(found: list[set[int]], truth: list[set[int]]) -> float:
    return float(np.mean([len(a & b) / max(1, len(b)) for a, b in zip(found, truth)]))


def compare_exact(index: Index, questions: list[str], live_hits: list[list[int]], groups: dict[str, slice]) -> None:
    """Recall of the live (approximate) vectors against exact search on the same vectors, FAISS-only
    latency of both (each in its own loop), and `Index.search` with the exact index swapped in."""
    snapshot = index._current_snapshot()
    excluded = snapshot._excluded(frozenset(), include_outdated=False)
    live, flat = snapshot.vectors, exact_copy(snapshot.vectors)
    queries = [snapshot.embedder.encode([q])[0] for q in questions]
    print(f"  ({len(excluded)} chunks excluded per query, as in the search)")
    for k in (10, 100):
        found: dict[str, list[set[int]]] = {}
        for name, vectors in (("live", live), ("exact", flat)):
            times, found[name] = [], []
            for vector in queries:
                start = time.perf_counter()
                found[name].append({i for i, _ in search_vectors(vectors, vector, k, excluded)})
                times.append(1000 * (time.perf_counter() - start))
            print(f"  FAISS only, k={k:<3d} {name:<5s} {describe(times)}")
        recall = "  ".join(f"{g} {overlap(found['live'][s], found['exact'][s]):.4f}" for g, s in groups.items())
        print(f"  recall@{k} live vs exact: {recall}  (target ≥ 0.99)")
    snapshot.vectors = flat  # the Index keeps serving this snapshot while the generation is unchanged
    try:
        samples, exact_hits = run(index, questions)
    finally:
        snapshot.vectors = live
    print(f"  Index.search with exact vectors: {describe(samples)}")
    agreement = overlap([set(h) for h in live_hits], [set(h) for h in exact_hits])
    print(f"  Index.search hits, live vs exact: {agreement:.4f} of the exact search's hits also found")


def exact_copy(index: faiss.Index) -> faiss.Index:
    """An exact (IndexFlatIP) IndexIDMap2 over the vectors and ids stored in an approximate one
    (for pq-rerank its float16 vectors)."""
    inner = faiss.downcast_index(index.index)
    if isinstance(inner, faiss.IndexRefine):
        inner = faiss.downcast_index(inner.refine_index)
    vectors = inner.reconstruct_n(0, index.ntotal)
    flat, _ = build_vectors(faiss.vector_to_array(index.id_map), vectors, approximate_above=index.ntotal)
    return flat


def breakdown(index: Index, questions: list[str]) -> None:
    """Per-part time of every question, by timers wrapped around the steps of `Snapshot.search`."""
    snapshot = index._current_snapshot()
    timers, embedder = Timers(), snapshot.embedder
    steps = [(Snapshot, "_search", "_search"), (Snapshot, "_excluded", "excluded"), (Snapshot, "lexical", "lexical"),
             (Analyzer, "query_terms", "query_terms"), (Snapshot, "dense", "dense"),
             (search_module, "fuse", "fuse"), (Snapshot, "hits", "hits"),
             (search_module, "collapse_duplicates", "collapse"), (Glossary, "expansions", "glossary"),
             (Glossary, "definitions", "glossary"), (Snapshot, "_choose_answer", "answer_passage"),
             (VectorMemory, "encode", "passage_encode")]
    snapshot.embedder = TimedEmbedder(embedder, timers)
    try:
        with timers.patched(*steps):
            for question in questions:
                start = time.perf_counter()
                index.search(question)
                timers.add("total", time.perf_counter() - start)
    finally:
        snapshot.embedder = embedder
    seconds = timers.seconds
    seconds["query_encode"] = seconds["encode"] - seconds["passage_encode"]
    parts = ["excluded", "lexical", "query_encode", "fuse", "hits", "collapse", "answer_passage"]  # not "dense": overlapped
    seconds["rest"] = seconds["_search"] - sum(seconds[p] for p in parts)
    timers.print(seconds["total"], ROWS, per=len(questions))


def measure(root: Path, fts5: bool = False, exact: bool = True) -> None:
    """The serving side, in a fresh process: latency, RSS, recall against exact search, breakdown;
    `fts5`: the lexical side by FTS5 alone even where the generation has a tantivy index (before/after
    on one index)."""
    questions = json.loads((root / "questions.json").read_text(encoding="utf-8"))
    groups = {"XQuAD": slice(0, 200), "law": slice(200, None)}
    settings = IndexSettings(data_dir=root / "data", progress=False)
    index = Index(settings, embedder=load_embedder(settings.model))
    after_model, start = _bench.memory_mb()["VmRSS"], time.perf_counter()
    index.search(questions[0])
    opened, stats = time.perf_counter() - start, index.stats()
    if fts5:
        index._current_snapshot().bm25.engine = None
    vectors = {key: value for key, value in stats["vectors"].items() if not isinstance(value, list)}
    lexical = "fts5" if fts5 else (index._current_snapshot().manifest.get("lexical") or {"kind": "fts5"})["kind"]
    print(f"\nindex: {stats['chunks']} chunks, {stats['documents']} documents, lexical {lexical}, vectors {vectors}")
    print(f"open snapshot + first search {opened:.2f} s; RSS after model load {after_model:.0f} MB, "
          f"after opening the index {_bench.memory_mb()['VmRSS']:.0f} MB")
    run(index, questions[:10])  # warm-up
    samples, live_hits = run(index, questions)
    memory = _bench.memory_mb()
    print(f"\nIndex.search, {len(questions)} questions, k={index.search_settings.k}: {describe(samples)}")
    cpu = list(CPU)
    print(f"  CPU time of the process: {describe(cpu)}")
    for group, part in groups.items():
        print(f"  {group + ' questions:':<18s}{describe(samples[part])}")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} (2 cores shared with other work)")
    print(f"  process RSS {memory['VmRSS']:.0f} MB, peak {memory['VmHWM']:.0f} MB  "
          "(targets: 100k chunks p50 ≤ 15 ms; 1M chunks p50 ≤ 30 ms, p95 ≤ 80 ms, RSS ≤ 3 GB)")
    if exact:
        print(f"\n{stats['vectors']['kind']} (live) vs exact search:")
        compare_exact(index, questions, live_hits, groups)
    print(f"\nwhere the time goes (timers, all {len(questions)} questions):")
    breakdown(index, questions)
    profiler = cProfile.Profile()
    profiler.runcall(run, index, questions)
    print("\ncProfile of all questions (main thread, by own time):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--embed", type=int, default=6_000, help="chunks embedded by the real model")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it, to --measure again")
    parser.add_argument("--measure", type=Path, help="only measure a kept index (run in a fresh process)")
    parser.add_argument("--fts5", action="store_true", help="with --measure: FTS5 alone on the lexical side")
    parser.add_argument("--no-exact", action="store_true",
                        help="skip the comparison with exact search (minutes at 1,000,000 chunks)")
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.fts5, not args.no_exact)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        rng, start = random.Random(42), time.perf_counter()
        print(f"building a synthetic index of {args.chunks} chunks ({args.embed} embedded for real):")
        law_questions = build_synthetic(IndexSettings(data_dir=root / "data", progress=False), args.chunks, args.embed, rng)
        memory = _bench.memory_mb()
        print(f"  build total {time.perf_counter() - start:.1f} s, peak RSS of the building process "
              f"{memory['VmHWM']:.0f} MB (it holds all vectors as float32)")
        questions = xquad_questions(200, rng) + rng.sample(law_questions, 100)
        (root / "questions.json").write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        subprocess.run([sys.executable, __file__, "--measure", str(root), *(["--no-exact"] if args.no_exact else [])],
                       check=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
