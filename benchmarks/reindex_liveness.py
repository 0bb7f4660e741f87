"""Question latency while the index is rebuilt: p50/p95/p99 idle and during a re-index of laws.

Indexes knowledge/ into a temporary folder, then asks questions one after another through the real
chat core (`ChatCore.ask`: search, passage, logging into interactions.db) for `--idle` seconds. Then it
copies `--laws` laws from /work/shared/corpora/gesetze-sample/ into the knowledge folder, starts
`core.reindex()` in a thread (as /reindex does in the bot, with the core's own embedder) and keeps
asking until the re-index is done. Target: p99 ≤ 300 ms during the re-index on 2 cores.
Prints figures only; the temporary folder is removed.

    .venv/bin/python benchmarks/reindex_liveness.py [--laws 200] [--idle 10]
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import _bench

from bot.config import Config
from bot.core import Asker, ChatCore
from indexer import IndexReport, build_index


def ask_until(core: ChatCore, done: threading.Event, seconds: float | None = None,
              stage: list[str] | None = None) -> dict[str, list[float]]:
    """Ask the sample questions in turn until `done` is set (or `seconds` passed); latencies by the
    indexer's stage when each question started ("alle" holds every one)."""
    asker, latencies, number = Asker("bench:liveness"), defaultdict(list), 0
    stop = time.perf_counter() + seconds if seconds is not None else float("inf")
    while not done.is_set() and time.perf_counter() < stop:
        during, started = stage[0] if stage else "", time.perf_counter()
        core.ask(_bench.SAMPLE_QUESTIONS[number % len(_bench.SAMPLE_QUESTIONS)], asker)
        for key in ("alle", during):
            latencies[key].append(time.perf_counter() - started)
        number += 1
    return latencies


def line(name: str, seconds: list[float]) -> str:
    p50, p95, p99 = _bench.percentiles([s * 1000 for s in seconds], (50, 95, 99))
    return f"{name:<26s} p50 {p50:6.0f} ms · p95 {p95:6.0f} ms · p99 {p99:6.0f} ms · max {1000 * max(seconds):6.0f} ms (n = {len(seconds)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=int, default=200, help="Gesetze, die beim Re-Index dazukommen")
    parser.add_argument("--idle", type=float, default=10.0, help="Sekunden Fragen ohne Re-Index")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lotse-liveness-"))
    try:
        config = Config()
        config.index.knowledge_dir, config.index.data_dir, config.index.progress = root / "knowledge", root / "var", False
        shutil.copytree(_bench.REPO / "knowledge", config.index.knowledge_dir)
        build_index(config.index)
        print(f"Last (1 min) zu Beginn: {os.getloadavg()[0]:.1f} auf {os.cpu_count()} Kernen")
        core = ChatCore(config)
        ask_until(core, threading.Event(), seconds=1.0)  # warm-up: model, index and caches loaded

        idle = ask_until(core, threading.Event(), seconds=args.idle)
        laws = config.index.knowledge_dir / "gesetze"
        laws.mkdir()
        for law in _bench.law_files(args.laws):
            shutil.copy(law, laws / law.name)
        done, outcome, stage = threading.Event(), {}, ["vorbereiten"]

        def reindex() -> None:
            started = time.perf_counter()
            try:
                outcome["report"] = core.reindex(lambda name, _done, _total: stage.__setitem__(0, name))
            finally:
                outcome["seconds"] = time.perf_counter() - started
                done.set()

        indexer = threading.Thread(target=reindex, name="reindex")
        indexer.start()
        busy = ask_until(core, done, stage=stage)
        indexer.join()
        report: IndexReport = outcome["report"]
        memory = _bench.memory_mb()
        print(f"Re-Index: {report.added} Gesetze neu, {report.chunks_embedded} Abschnitte eingebettet in "
              f"{outcome['seconds']:.1f} s ({report.chunks_embedded / outcome['seconds']:.0f} Abschnitte/s)")
        print(line("Fragen ohne Re-Index", idle["alle"]))
        print(line("Fragen während Re-Index", busy["alle"]))
        for name in ("vorbereiten", "lesen", "einbetten", "einheiten"):
            if busy[name]:
                print(line(f"  davon beim {name.capitalize()}", busy[name]))
        print(f"Speicher: {memory['VmRSS']:.0f} MB RSS, Spitze {memory['VmHWM']:.0f} MB · "
              f"Last (1 min) am Ende: {os.getloadavg()[0]:.1f} auf {os.cpu_count()} Kernen")
        core.interactions.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
