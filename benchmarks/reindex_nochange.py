"""Cost of a re-index when nothing changed, after a full first index of knowledge/ plus 400 laws.

Copies the repository's knowledge/ folder and all 400 laws from /work/shared/corpora/
gesetze-sample/ (into `gesetze/`) into a temporary knowledge folder, writes a temporary config
and then measures:

1. the full first index in a child process (`build_index` with the model loaded first): model
   load and indexing seconds, chunks, and the child's peak memory (ru_maxrss from wait4);
2. a no-change re-index in this process (`build_index` again, model never loaded), 5 times;
3. a no-change re-index as a fresh `lotse index --quiet` process with LOTSE_CONFIG pointing at
   the temporary config (includes interpreter start and imports), 3 times, next to the bare
   start-up cost (`python -c pass`, `python -c "import bot.cli"`) for comparison.

Target for the no-change runs: under 2 s. Prints figures only; the temporary folder is removed.

    .venv/bin/python benchmarks/reindex_nochange.py [--laws 400] [--second 500] [--profile]

With `--second 500` this is the full index of the 400 laws plus a 500-law second corpus, in process;
`index_memory.py` measures the same as a real `lotse index` process with its parse workers.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _bench

from bot.config import load_config
from indexer import build_index

VENV_BIN = Path(sys.executable).parent
CHILD = """
import json, sys, time
from bot.config import load_config
from indexer import build_index
from indexer.embedder import load_embedder
config = load_config(sys.argv[1])
start = time.perf_counter()
embedder = load_embedder(config.index.model)
loaded = time.perf_counter()
status = {line.split(":")[0]: line.split()[1] for line in open("/proc/self/status") if line.startswith("VmRSS")}
report = build_index(config.index, embedder=embedder)
print(json.dumps({"model_load": loaded - start, "index": time.perf_counter() - loaded,
                  "rss_after_load_mb": int(status["VmRSS"]) / 1024, "documents": report.added,
                  "chunks": report.chunks_total, "embedded": report.chunks_embedded,
                  "skipped": len(report.skipped)}))
"""


def first_index(config: Path) -> tuple[dict, float, float, float]:
    """Run the full first index in a child; returns its JSON line, wall seconds, CPU seconds (all
    threads; less sensitive than wall time to other load on the machine) and peak RSS (MB)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(config)], stdout=out, cwd=config.parent)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if child.returncode != 0:
        raise SystemExit(f"first index failed (exit {child.returncode}):\n{text}")
    return json.loads(text.strip().splitlines()[-1]), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def timed_process(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall seconds of one run; the working directory is the temporary folder, not the repo, so
    `python -c` imports the installed packages exactly as the `lotse` script does."""
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def summary(samples: list[float]) -> str:
    return f"median {_bench.median(samples):.3f} s, min {min(samples):.3f} s, max {max(samples):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=int, default=400, help="number of law files (max 400)")
    parser.add_argument("--second", type=int, default=0, help="altered copies of laws as a second corpus (e.g. 500)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one in-process no-change run")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-reindex-"))
    try:
        config_path = _bench.prepare_corpus(root, args.laws, args.second)
        files = sum(1 for p in (root / "knowledge").rglob("*") if p.is_file())
        print(f"knowledge: {files} files (knowledge/ + {args.laws} laws + {args.second} altered copies), {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}\n")

        result, wall, cpu, peak = first_index(config_path)
        print("full first index (child process, empty embedding cache):")
        print(f"  documents {result['documents']}, chunks {result['chunks']} ({result['embedded']} embedded), "
              f"skipped {result['skipped']}")
        print(f"  model load {result['model_load']:.2f} s, build_index {result['index']:.1f} s "
              f"({result['embedded'] / result['index']:.1f} chunks/s), process wall {wall:.1f} s, CPU {cpu:.1f} s")
        print(f"  peak RSS {peak:.0f} MB (RSS after model load {result['rss_after_load_mb']:.0f} MB)\n")

        config = load_config(config_path)
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            report = build_index(config.index)
            runs.append(time.perf_counter() - start)
            assert not (report.added or report.changed or report.removed or report.chunks_embedded), report
        print(f"no-change re-index in process (build_index, 5 runs): {summary(runs)}")
        print(f"  files seen {report.seen}, unchanged {report.unchanged}, generation {report.generation}")

        env = {**os.environ, "LOTSE_CONFIG": str(config_path)}
        lotse = [_bench_lotse(), "index", "--quiet"]
        cold = [timed_process(lotse, env, root) for _ in range(3)]
        bare = [timed_process([sys.executable, "-c", "pass"], env, root) for _ in range(3)]
        imports = [timed_process([sys.executable, "-c", "import bot.cli"], env, root) for _ in range(3)]
        print(f"no-change re-index, fresh `lotse index --quiet` process (3 runs): {summary(cold)}")
        print(f"  for comparison, interpreter start alone (python -c pass):   {summary(bare)}")
        print(f"  for comparison, start + imports alone (import bot.cli):     {summary(imports)}")
        print(f"  target < 2 s: in process {_bench.median(runs):.3f} s, fresh process {_bench.median(cold):.3f} s")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            build_index(config.index)
            profiler.disable()
            print("\ncProfile of one in-process no-change run (by cumulative time):")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _bench_lotse() -> str:
    """The `lotse` console script of the interpreter running this benchmark."""
    path = VENV_BIN / "lotse"
    if not path.exists():
        raise SystemExit(f"{path} not found: install the project into this environment (pip install -e .)")
    return str(path)


if __name__ == "__main__":
    main()
