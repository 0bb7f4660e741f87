"""SIGKILL at any point of `lotse index` leaves the previous index usable; the next run finishes."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from indexer import Index, IndexSettings, build_index
from indexer.generations import Generations

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def cached_vectors(settings: IndexSettings) -> int:
    if not settings.cache_path.exists():
        return 0
    with sqlite3.connect(settings.cache_path, timeout=5) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def grow_knowledge(root: Path, copies: int) -> None:
    """Many new documents: the sample's Markdown files again, each copy with its own text."""
    for n in range(copies):
        for source in sorted((REPO / "knowledge").rglob("*.md"))[:12]:
            text = source.read_text(encoding="utf-8").replace("SCIU", f"SCIU-Kopie-{n}")
            (root / f"kopie-{n}-{source.name}").write_text(text, encoding="utf-8")


def run_and_kill(config: Path, ready: Callable[[], bool], timeout: float = 120) -> int:
    """Start `lotse index`, SIGKILL it once `ready()` holds; returns the exit code."""
    env = {**os.environ, "LOTSE_CONFIG": str(config)}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "index", "-q"], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    return process.wait()


def test_kill_at_several_points_then_a_good_run(tmp_path, embedder):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "basis.md").write_text("---\ntitle: Basis\n---\n\nDie SCIU wurde 2021 gegründet.\n")
    settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "var", progress=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\nknowledge_dir = "{knowledge}"\ndata_dir = "{tmp_path / "var"}"\n')
    build_index(settings, embedder=embedder)
    grow_knowledge(knowledge, copies=12)
    generations = Generations(settings.index_dir)
    started = time.monotonic()

    kill_points = {
        "while starting": lambda: time.monotonic() - started > 0.5,
        "once the new generation is being built": lambda: any(generations.root.glob("gen-*.tmp")),
        "in the middle of embedding": lambda: cached_vectors(settings) > 60,
        "later while embedding": lambda: cached_vectors(settings) > 250,
    }
    for point, ready in kill_points.items():
        started = time.monotonic()
        assert run_and_kill(config, ready) == -signal.SIGKILL, point
        index = Index(settings, embedder=embedder)
        assert index.generation == 1, point
        assert index.search("Wann wurde die SCIU gegründet?").best.source == "basis.md", point

    report = build_index(settings, embedder=embedder)
    assert report.generation == 2 and report.indexed == 1 + 12 * 12
    total = report.chunks_total
    assert report.chunks_embedded < total - 250, "work of killed runs was kept in the cache"
    assert not list(generations.root.glob("gen-*.tmp"))
    hit = Index(settings, embedder=embedder).search("SCIU-Kopie-3 Wandelteam").best
    assert hit.source.startswith("kopie-3-")
