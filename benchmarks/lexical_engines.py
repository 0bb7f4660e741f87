"""FTS5 bm25 against tantivy (block-max WAND, candidates rescored by FTS5's formula) on the lexical
side of a kept synthetic index.

Takes a folder kept by `search_latency.py --keep DIR` and writes a stand-in generation of its FTS
rows (`--copies N`: every row N times under new ids, the README's stand-in for N times the chunks)
with both an FTS5 table and a tantivy index (indexer/lexical_files.py). The kept 300 questions go
through `Lexical.search` of both, with the terms, spelling corrections and excluded chunks
`Snapshot._search` uses. Prints CPU time per question of each engine (and of tantivy's candidate
search alone), whether the lists agree (FTS5's top 10 among tantivy's, same scores), build times
and sizes.

    .venv/bin/python benchmarks/lexical_engines.py DIR [--copies 10]
    .venv/bin/python benchmarks/lexical_engines.py --exclusions   # how excluded chunks are best left out

`--exclusions` (no DIR needed) times both ways `TantivyLexical` leaves excluded chunks out (over-fetch
and drop, or inside the query) on 200,000 random rows with 0 to 60,000 excluded, which chose
`OVERFETCH_UP_TO`.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import numpy as np

import _bench

from indexer.generations import Generations
from indexer.lexical import COLUMN_WEIGHTS, FREQUENT_TERM_SHARE, FREQUENT_TERMS_ABOVE, Lexical
from indexer.lexical_files import write_lexical
from indexer.search import Snapshot
from indexer.settings import IndexSettings, SearchSettings
from indexer.store import IndexStore
from indexer import tantivy_lexical
from indexer.tantivy_lexical import BASE_LEXICAL, LEXICAL_DIR, TantivyLexical, extend_tantivy, tantivy_files, write_tantivy

LIMIT = 100


def fts_rows(db: sqlite3.Connection, copies: int, offset: int) -> Iterator[tuple[int, str, str, str]]:
    for copy in range(copies):
        for rowid, title, headings, body in db.execute("SELECT rowid, title, headings, body FROM chunks_fts"):
            yield rowid + copy * offset, title, headings, body


def extra_terms(snapshot: Snapshot, question: str) -> list[str]:
    """The extra terms `Snapshot._search` hands the lexical side (spelling corrections included)."""
    sees = functools.partial(snapshot._sees_term, groups=frozenset())
    return snapshot.reader.read(question, sees, snapshot.reader.unknown_abbreviations(question, sees)).lexical_terms()


def delta(work: Path, store: IndexStore) -> None:
    """What a delta run does to the tantivy index for one changed document (its 50 rows withdrawn,
    50 new rows): link the base's files, delete, add a segment, commit."""
    (work / BASE_LEXICAL).mkdir()
    for path in tantivy_files(work / LEXICAL_DIR):
        os.link(path, work / BASE_LEXICAL / path.name)
    rows = [(row[0] + 10**8, *row[1:]) for row in store.fts_columns(list(range(1, 51)))]
    start = time.perf_counter()
    extend_tantivy(work / BASE_LEXICAL, work / "delta", range(1, 51), rows, COLUMN_WEIGHTS)
    seconds = time.perf_counter() - start
    fresh = [p for p in tantivy_files(work / "delta") if p.stat().st_nlink == 1]
    print(f"a delta for one document (50 rows out, 50 in): {seconds:.2f} s; {len(fresh)} new files, "
          f"{sum(p.stat().st_size for p in fresh) / 1e6:.1f} MB (the rest linked)")
    shutil.rmtree(work / "delta")
    shutil.rmtree(work / BASE_LEXICAL)


def exclusions() -> None:
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(20_000)]
    weights = [1 / (i + 1) for i in range(20_000)]  # Zipf-like, as words are
    rows = ((i, " ".join(rng.choices(vocabulary, weights, k=5)), "", " ".join(rng.choices(vocabulary, weights, k=150)))
            for i in range(1, 200_001))
    work = Path(tempfile.mkdtemp(prefix="lexical-exclusions-"))
    try:
        write_tantivy(work / LEXICAL_DIR, rows, COLUMN_WEIGHTS)
        engine = TantivyLexical(work / LEXICAL_DIR)
        questions = [rng.sample(vocabulary[:3_000], 6) for _ in range(200)]
        for count in (50, 2_000, 20_000, 60_000):
            excluded = np.array(sorted(rng.sample(range(1, 200_001), count)), dtype=np.int64)
            for mode, up_to in (("over-fetched and dropped", 10**9), ("inside the query", -1)):
                tantivy_lexical.OVERFETCH_UP_TO = up_to
                samples = []
                for terms in questions:
                    start = time.process_time()
                    engine.search(terms, LIMIT, excluded)
                    samples.append(1000 * (time.process_time() - start))
                describe(f"{count:6d} excluded, {mode}", samples)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def describe(name: str, samples: list[float]) -> None:
    p50, p95 = _bench.percentiles(samples)
    print(f"  {name:<34s} CPU p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  mean {np.mean(samples):7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, nargs="?")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--exclusions", action="store_true")
    args = parser.parse_args()
    if args.exclusions or args.root is None:
        return exclusions()
    settings = IndexSettings(data_dir=args.root / "data", progress=False)
    directory = Generations(settings.index_dir).current()
    snapshot = Snapshot(directory, None, SearchSettings())  # the embedder is not needed here
    questions = json.loads((args.root / "questions.json").read_text(encoding="utf-8"))
    excluded = snapshot._excluded(frozenset(), include_outdated=False)
    offset = snapshot.store.next_id("chunks")
    work = Path(tempfile.mkdtemp(prefix="lexical-engines-"))
    try:
        source = sqlite3.connect(f"file:{directory / 'index.db'}?mode=ro", uri=True)
        start = time.perf_counter()
        store = IndexStore.create(work / "index.db")
        store.insert_terms(fts_rows(source, args.copies, offset))
        store.commit()
        print(f"FTS5 table: {args.copies} × {offset - 1} rows in {time.perf_counter() - start:.0f} s, "
              f"{(work / 'index.db').stat().st_size / 1e6:.0f} MB")
        start = time.perf_counter()
        rows = store.fts_stats()[0]
        record = write_lexical(store, work, None, rows, tantivy_above=0)
        size = sum(size for size, _ in record["files"].values())
        print(f"tantivy index: {rows} rows in {time.perf_counter() - start:.0f} s (with SHA-256), {size / 1e6:.0f} MB, "
              f"{TantivyLexical(work / LEXICAL_DIR).searcher.num_segments} segments")
        delta(work, store)
        frequencies = store.term_frequencies()
        engines = {"FTS5 bm25": Lexical(store, snapshot.analyzer, frequencies, threading.Lock())}
        store.set_manifest(lexical=record)
        engines["tantivy + FTS5 formula"] = Lexical(store, snapshot.analyzer, frequencies, threading.Lock())
        frequent = {t for t, n in frequencies.items() if n > FREQUENT_TERM_SHARE * rows} if rows >= FREQUENT_TERMS_ABOVE else set()
        for lexical in engines.values():
            lexical.frequent = frequent  # the stand-in has FTS rows only, no chunk rows to count
        extras = [extra_terms(snapshot, q) for q in questions]
        candidates = engines["tantivy + FTS5 formula"].engine
        for _ in range(2):  # the first round warms the caches
            cpu: dict[str, list[float]] = {name: [] for name in [*engines, "of which tantivy's candidates"]}
            found: dict[str, list[dict[int, float]]] = {name: [] for name in engines}
            for question, extra in zip(questions, extras):
                for name, lexical in engines.items():
                    start = time.process_time()
                    found[name].append(lexical.search(question, LIMIT, excluded, extra).scores)
                    cpu[name].append(1000 * (time.process_time() - start))
                terms = engines["FTS5 bm25"].terms(question, extra)
                start = time.process_time()
                candidates.search(terms, LIMIT, excluded)
                cpu["of which tantivy's candidates"].append(1000 * (time.process_time() - start))
        print(f"{len(questions)} questions, {len(excluded)} chunks excluded, load {os.getloadavg()[0]:.1f}:")
        for name, samples in cpu.items():
            describe(name, samples)
        fts, ours = found["FTS5 bm25"], found["tantivy + FTS5 formula"]
        answered = [n for n, scores in enumerate(fts) if scores]
        def share(n: int, top: int) -> float:
            best = sorted(fts[n], key=lambda i: -fts[n][i])[:top]
            return len(set(best) & set(ours[n])) / len(best)
        same = np.mean([all(abs(ours[n][i] - fts[n][i]) <= 1e-9 * abs(fts[n][i]) for i in set(ours[n]) & set(fts[n]))
                        for n in answered])
        print(f"  {len(answered)} questions with lexical hits; FTS5's top 10 among tantivy's {LIMIT}: "
              f"{np.mean([share(n, 10) for n in answered]):.3f}, its top {LIMIT}: {np.mean([share(n, LIMIT) for n in answered]):.3f}; "
              f"shared chunks with equal scores: {same:.3f} of questions")
        ours_top = [sorted(ours[n], key=lambda i: -ours[n][i])[:10] for n in answered]
        print(f"  same top 10 in the same order: {np.mean([ours_top[k] == sorted(fts[n], key=lambda i: -fts[n][i])[:10] for k, n in enumerate(answered)]):.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
