"""Re-indexing one changed, added or deleted document in a large index: the delta path.

Base (built once, reused from `--root` on later runs): the synthetic index of `_synthetic.py`
(recombined law text, 50 chunks per document, real store/FTS5 code) at `--chunks` chunks, plus a
knowledge folder with one small file per stored document whose size and time the base records, so
`build_index` sees every document as unchanged. The base's vectors use exact search (IndexFlatIP):
the 1,000,000-vector HNSW build takes ~28 min on 2 cores, and the delta path never rebuilds the
base's vector index, whatever its kind, so the figures below do not depend on it.

Measured (this process, real model loaded first): `build_index` end to end for
  1. the first run on a classic generation (verifies the base once and stamps it),
  2. one document changed (a real law, 13 KB, replaces a synthetic document),
  3. one document added (another law, 25 KB), 4. one document deleted, 5. nothing changed,
then opening the newest generation in a fresh `Index` and one search.

    nice -n 10 .venv/bin/python benchmarks/reindex_delta.py [--chunks 1000000] [--root /tmp/delta-bench]
    nice -n 10 .venv/bin/python benchmarks/reindex_delta.py --adopt --root DIR   # DIR from search_latency.py --keep
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import _bench
from _synthetic import PER_DOCUMENT, build_synthetic

from indexer import Index, build_index
from indexer import build
from indexer.build import signature
from indexer.document_writer import DocumentWriter
from indexer.embedder import load_embedder
from indexer.generations import DB_NAME, Generations
from indexer.settings import IndexSettings


DELTA_ABOVE = IndexSettings().delta_above


def settings_for(root: Path) -> IndexSettings:
    return IndexSettings(knowledge_dir=root / "knowledge", data_dir=root / "data", progress=False,
                         approximate_above=10**9, keep_generations=10, delta_above=DELTA_ABOVE)


def ensure_base(root: Path, chunks: int, embed: int, adopt: bool = False) -> None:
    """Build the synthetic base once; a later run with the same size reuses it. `adopt`: the index
    in `root` was built by `search_latency.py --keep root` (its vector kind does not matter here)."""
    marker = root / "base.json"
    if marker.is_file() and json.loads(marker.read_text())["chunks"] == chunks:
        print(f"reusing the base of {chunks} chunks in {root}")
        return
    settings = settings_for(root)
    start = time.perf_counter()
    if adopt:
        print(f"adopting the synthetic index of {chunks} chunks in {root}", flush=True)
    else:
        shutil.rmtree(root, ignore_errors=True)
        print(f"building a synthetic base of {chunks} chunks ({embed} embedded for real), exact vectors:", flush=True)
        build_synthetic(settings, chunks, embed, random.Random(42))
    documents = -(-chunks // PER_DOCUMENT)
    folder = settings.knowledge_dir / "synthetisch"
    folder.mkdir(parents=True)
    stats = []
    for d in range(documents):
        path = folder / f"{d:05d}.md"
        path.write_text(f"# Synthetisches Dokument {d}\n\nPlatzhalter.\n", encoding="utf-8")
        stat = path.stat()
        stats.append((stat.st_size, stat.st_mtime_ns, f"synthetisch/{d:05d}.md"))
    live = Generations(settings.index_dir).current()
    with sqlite3.connect(live / DB_NAME) as db:
        db.executemany("UPDATE documents SET size = ?, mtime_ns = ? WHERE path = ?", stats)
    marker.write_text(json.dumps({"chunks": chunks}))
    print(f"  base ready in {time.perf_counter() - start:.0f} s", flush=True)


def reset(root: Path) -> None:
    """Back to the base alone: later generations and the verification stamp go, and the files the
    runs change get their base content and time back."""
    settings = settings_for(root)
    index_dir = settings.index_dir
    first = index_dir / "gen-000001"
    if not first.is_dir():  # pruned by an older version of this script: the base lives on as links
        newest = max(index_dir.glob("gen-*/base.db")).parent
        first.mkdir()
        os.link(newest / "base.db", first / DB_NAME)
        os.link(newest / "base.faiss", first / "vectors.faiss")
    for path in index_dir.glob("gen-*"):
        if path.name != "gen-000001":
            shutil.rmtree(path)
    (index_dir / ".verified").unlink(missing_ok=True)
    (index_dir / "CURRENT").write_text("gen-000001\n")
    (settings.knowledge_dir / "neu-1.md").unlink(missing_ok=True)
    settings.cache_path.unlink(missing_ok=True)  # the changed documents' embeddings count too
    restamp(index_dir / "gen-000001" / DB_NAME, settings)
    with sqlite3.connect(f"file:{index_dir / 'gen-000001' / DB_NAME}?mode=ro", uri=True) as db:
        for d in (42, 43):
            rel = f"synthetisch/{d:05d}.md"
            (mtime,) = db.execute("SELECT mtime_ns FROM documents WHERE path = ?", [rel]).fetchone()
            path = settings.knowledge_dir / rel
            path.write_text(f"# Synthetisches Dokument {d}\n\nPlatzhalter.\n", encoding="utf-8")
            os.utime(path, ns=(mtime, mtime))


def restamp(db_path: Path, settings: IndexSettings) -> None:
    """A base built by an older version (another analysis or units version) would make every run a
    full rebuild of 20,000 placeholder files; its text is synthetic, so it gets the current build
    signature instead of 50 minutes of rebuilding. The delta path's timing does not depend on it."""
    current = json.dumps(signature(settings))
    with sqlite3.connect(db_path) as db:
        (stored,) = db.execute("SELECT value FROM manifest WHERE key = 'signature'").fetchone()
        if json.loads(stored) != signature(settings):
            print(f"  base signature {stored} restamped as {current}")
            db.execute("UPDATE manifest SET value = ? WHERE key = 'signature'", [current])


PARTS = [("check", "check of the live generation"), ("read", "read, parse, chunk"), ("encode", "embedding"),
         ("vocabulary", "word counts, compounds analysed again"), ("vectors", "delta vectors"),
         ("units", "answer-unit vectors (embedding included)"), ("lexical", "tantivy index"), ("publish", "switch")]


def timed_run(label: str, settings: IndexSettings, embedder) -> float:
    timers = _bench.Timers()
    targets = [(build, "_live_damage", "check"), (build._Run, "parse_all", "read"),
               (DocumentWriter, "finish", "vocabulary"), (build._Run, "write_vectors", "vectors"),
               (build, "build_unit_vectors", "units"), (build, "write_lexical", "lexical"),
               (Generations, "publish", "publish")]
    start = time.perf_counter()
    with timers.patched(*targets):
        report = build_index(settings, embedder=_bench.TimedEmbedder(embedder, timers))
    seconds = time.perf_counter() - start
    parts = ", ".join(f"{text} {timers.seconds.get(key, 0.0):.2f}" for key, text in PARTS)
    print(f"  {label:<44s}{seconds:7.2f} s  (+{report.added} ~{report.changed} -{report.removed}, "
          f"{report.chunks_embedded} chunks embedded, generation {report.generation}, {report.chunks_total} chunks)\n"
          f"      of which: {parts}", flush=True)
    return seconds


def main() -> None:
    global DELTA_ABOVE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--embed", type=int, default=6_000, help="chunks of the base embedded by the real model")
    parser.add_argument("--root", type=Path, default=Path("/tmp/delta-bench"))
    parser.add_argument("--base-only", action="store_true", help="build the base and stop")
    parser.add_argument("--adopt", action="store_true", help="use the index that search_latency.py --keep ROOT built")
    parser.add_argument("--delta-above", type=int, default=IndexSettings().delta_above, help="for a quick run on a small base")
    args = parser.parse_args()
    DELTA_ABOVE = args.delta_above
    ensure_base(args.root, args.chunks, args.embed, args.adopt)
    if args.base_only:
        return
    reset(args.root)
    settings = settings_for(args.root)
    embedder = load_embedder(settings.model)
    laws = _bench.law_files()
    knowledge = settings.knowledge_dir
    print(f"\nre-indexing against a base of {args.chunks} chunks (times include scanning "
          f"{-(-args.chunks // PER_DOCUMENT)} files):")
    first = timed_run("1. first run on the base (verify + stamp)", settings, embedder)
    changed_law, added_law = (next(p for p in laws if p.stem == name) for name in ("massstg", "luftvkflausbv"))
    shutil.copyfile(changed_law, knowledge / "synthetisch" / "00042.md")
    changed = timed_run("2. one document changed", settings, embedder)
    shutil.copyfile(added_law, knowledge / "neu-1.md")
    added = timed_run("3. one document added", settings, embedder)
    (knowledge / "synthetisch" / "00043.md").unlink()
    deleted = timed_run("4. one document deleted", settings, embedder)
    nothing = timed_run("5. nothing changed", settings, embedder)
    live = Generations(settings.index_dir).current()
    sizes = {path.name: path.stat().st_size for path in sorted(live.iterdir())}
    print(f"\nnewest generation {live.name}: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items()))
    print(f"  base files hard-linked: {os.stat(live / 'base.db').st_nlink} links to base.db")
    start = time.perf_counter()
    index = Index(settings, embedder=embedder)
    result = index.search("Welche Behörde ist zuständig?")
    print(f"  fresh Index: open + first search {time.perf_counter() - start:.1f} s ({len(result.hits)} hits)")
    start = time.perf_counter()
    result = index.search("Welche Fristen gelten?")
    print(f"  second search {1000 * (time.perf_counter() - start):.0f} ms")
    print(f"\nsummary (target ≤ 2 s per single-document re-index): changed {changed:.2f} s, added {added:.2f} s, "
          f"deleted {deleted:.2f} s, no change {nothing:.2f} s; first run on a new base {first:.2f} s")
    reset(args.root)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
