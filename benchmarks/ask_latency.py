"""Latency of `ChatCore.ask` on the sample knowledge base, model loaded, against plain search.

Indexes `knowledge/` into a temporary folder, warms up, then asks every question of a catalogue
(default: ../shared/eval/kb-dev.json) `--rounds` times through the chat core, exactly as a front
does. Prints p50/p95/max of `ask`, of `Index.search` alone and of one query embedding (the
baselines, measured in the same run). Prints figures only; asserts nothing.

    .venv/bin/python benchmarks/ask_latency.py --rounds 3
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bot.config import Config
from bot.core import Asker, ChatCore, QuestionError
from bot.interactions import Interactions
from indexer import Index, build_index

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = REPO.parent / "shared" / "eval" / "kb-dev.json"


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered):6.1f} ms · p95 {p95:6.1f} ms · max {ordered[-1]:6.1f} ms"


def timed(call, items: list) -> list[float]:
    result = []
    for item in items:
        start = time.perf_counter()
        try:
            call(item)
        except QuestionError:
            pass
        result.append((time.perf_counter() - start) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions = [(e["question"], frozenset({e["group"]} if e.get("group") else ())) for e in json.loads(args.catalogue.read_text())]
    with tempfile.TemporaryDirectory() as temp:
        config = Config()
        config.index.knowledge_dir, config.index.data_dir, config.index.progress = REPO / "knowledge", Path(temp), False
        index = Index(config.index, config.search)
        started = time.perf_counter()
        build_index(config.index, embedder=index.embedder)
        print(f"indexed the sample knowledge base in {time.perf_counter() - started:.1f} s")
        core = ChatCore(config, index, Interactions(Path(temp) / "interactions.db"))
        for question, groups in questions[:10]:  # warm-up: model, snapshot, caches
            core.ask(question, Asker("bench", groups=groups))
        items = questions * args.rounds
        ask = timed(lambda q: core.ask(q[0], Asker("bench", groups=q[1])), items)
        search = timed(lambda q: index.search(q[0], k=config.chat.max_sources + 5, groups=q[1]), items)
        encode = timed(lambda q: index.embedder.encode([q[0]]), items)
        core.interactions.close()
    print(f"{len(items)} questions ({len(questions)} × {args.rounds})")
    print(f"ask (chat core)     {percentiles(ask)}")
    print(f"Index.search alone  {percentiles(search)}")
    print(f"query embedding     {percentiles(encode)}")
    print(f"ask / search (p50)  {statistics.median(ask) / statistics.median(search):.2f}×")


if __name__ == "__main__":
    main()
