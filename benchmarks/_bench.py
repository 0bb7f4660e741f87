"""Small helpers shared by the benchmark scripts: corpus paths, timers patched into code, memory.

Not a benchmark itself. The scripts import it as `_bench` (Python puts the script's folder first
on sys.path when a script is run as `python benchmarks/<name>.py`).
"""
from __future__ import annotations

import functools
import shutil
import signal
import statistics
import subprocess
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

REPO = Path(__file__).resolve().parent.parent
LAWS = Path("/work/shared/corpora/gesetze-sample")
XQUAD = Path("/work/shared/eval/xquad-de-dev.json")
# Questions about the sample knowledge base, answerable and not, for the latency benchmarks.
SAMPLE_QUESTIONS = [
    "Wer leitet die SCIU?", "Wie richte ich das VPN ein?", "Was ist der LoRaWAN-Sensorpilot?",
    "Wie beantrage ich ein Diensthandy?", "Was regelt das Onlinezugangsgesetz?",
    "Wer ist meine Ansprechperson für das Open-Data-Portal?", "Wie funktioniert Gleitzeit im TVöD?",
    "Was steht in der Checkliste für die erste Woche?", "Was ist der digitale Zwilling?",
    "Welche Ziele hat die Bochum Strategie 2030?", "Was macht das Wandelteam?",
    "Wann gibt es Pizza auf dem Mond?",
]


def law_files(count: int | None = None) -> list[Path]:
    """The first `count` law files by name (all 400 when count is None)."""
    files = sorted(LAWS.glob("*.md"))
    return files if count is None else files[:count]


def prepare_corpus(root: Path, laws: int, second: int = 0) -> Path:
    """A temporary knowledge folder (knowledge/ + `laws` laws + `second` altered copies) and a
    config.toml pointing at it; returns the config path.

    No second law corpus is at hand, so `second` laws are made from the sample under
    `gesetze-land/`: "Bund" becomes "Land" in the text and the title says "Landesfassung N – …", with N
    counting the rounds through the 400 laws, so every copy's chunks (their embedding inputs include
    the title) are new text, never embedding-cache hits or duplicates of another copy.
    """
    knowledge = root / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    (knowledge / "gesetze").mkdir()
    for path in law_files(laws):
        shutil.copy2(path, knowledge / "gesetze" / path.name)
    if second:
        (knowledge / "gesetze-land").mkdir()
    every = law_files()
    for n in range(second):
        path, label = every[n % len(every)], f"Landesfassung {n // len(every) + 1} – "
        text = path.read_text(encoding="utf-8").replace("Bund", "Land").replace("\n# ", "\n# " + label, 1)
        text = text.replace("Title: ", "Title: " + label, 1)
        (knowledge / "gesetze-land" / f"{n:03d}-{path.name}").write_text(text, encoding="utf-8")
    config = root / "config.toml"
    config.write_text('[index]\nknowledge_dir = "knowledge"\ndata_dir = "data"\nprogress = false\n')
    return config


class Timers:
    """Inclusive wall time and call count per label, gathered by wrapping functions in place."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._patches: list[tuple[Any, str, Any]] = []

    def add(self, label: str, seconds: float) -> None:
        self.seconds[label] += seconds
        self.calls[label] += 1

    def wrap(self, function: Any, label: str) -> Any:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - start)

        return timed

    def patch(self, owner: Any, name: str, label: str) -> None:
        """Replace `owner.name` (function, method, static or class method) by a timed wrapper."""
        raw = vars(owner)[name] if isinstance(owner, type) else getattr(owner, name)
        if isinstance(raw, (staticmethod, classmethod)):
            replacement: Any = type(raw)(self.wrap(raw.__func__, label))
        else:
            replacement = self.wrap(raw, label)
        setattr(owner, name, replacement)
        self._patches.append((owner, name, raw))

    @contextmanager
    def patched(self, *targets: tuple[Any, str, str]) -> Iterator["Timers"]:
        """Patch (owner, name, label) targets for the duration of the block, then restore them."""
        for owner, name, label in targets:
            self.patch(owner, name, label)
        try:
            yield self
        finally:
            for owner, name, raw in reversed(self._patches):
                setattr(owner, name, raw)
            self._patches.clear()

    def print(self, total: float, rows: Sequence[tuple[str, str]], indent: str = "  ", per: int = 0) -> None:
        """Print (label, description) rows as seconds, share of `total`, calls and, with `per`,
        milliseconds per item (e.g. per question)."""
        for label, description in rows:
            seconds = self.seconds.get(label, 0.0)
            each = f"{1000 * seconds / per:8.2f} ms/item" if per else ""
            calls = f"  ({self.calls[label]} calls)" if self.calls.get(label) else ""
            print(f"{indent}{description:<44s} {seconds:8.3f} s {100 * seconds / total:6.1f} %{each}{calls}")


class TimedEmbedder:
    """An Embedder that forwards to a real one and times `encode`, `encode_soon` (start and wait) and `count_tokens`."""

    def __init__(self, inner: Any, timers: Timers, encode_label: str = "encode") -> None:
        self.inner, self.timers, self.encode_label = inner, timers, encode_label
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens
        self.token_counter = getattr(inner, "token_counter", None)  # chunking in the parse worker, untimed

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        start = time.perf_counter()
        try:
            return self.inner.encode(texts, batch_size=batch_size)
        finally:
            self.timers.add(self.encode_label, time.perf_counter() - start)

    def encode_soon(self, texts: Sequence[str], batch_size: int = 32) -> Any:
        """The inner embedder's `encode_soon`; times starting it and waiting for its result."""
        from indexer.embedder import encode_soon

        start = time.perf_counter()
        try:
            pending = encode_soon(self.inner, texts, batch_size)
        finally:
            self.timers.add(self.encode_label, time.perf_counter() - start)
        wait = pending.result

        def result() -> np.ndarray:
            start = time.perf_counter()
            try:
                return wait()
            finally:
                self.timers.add(self.encode_label, time.perf_counter() - start)

        pending.result = result
        return pending

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        start = time.perf_counter()
        try:
            return self.inner.count_tokens(texts)
        finally:
            self.timers.add("count_tokens", time.perf_counter() - start)


def memory_mb() -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of this process in MB, from /proc/self/status."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def percentiles(samples: Sequence[float], points: Sequence[int] = (50, 95)) -> list[float]:
    return [float(np.percentile(samples, p)) for p in points]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def stop_bot(bot: "subprocess.Popen[bytes] | None", log: Path, show_log: bool) -> None:
    """End a benchmarked bot process (Ctrl-C, then kill if it hangs) and optionally print its log."""
    if bot is None:
        return
    if bot.poll() is None:
        bot.send_signal(signal.SIGINT)
        try:
            bot.wait(30)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait(10)
    if show_log and log.exists():
        print(log.read_text(errors="replace"))
