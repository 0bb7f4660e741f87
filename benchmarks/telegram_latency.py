"""Latency of the Telegram bot from update to reply, and the memory of the running bot process.

Builds the sample knowledge base into a temporary folder, starts the real bot (`run_bot`, long
polling) in a subprocess against the local Bot API stand-in from the tests, asks N questions one
after another and prints p50/p95 of the time from the queued update to the bot's sendMessage,
plus the bot process's resident memory. Prints figures only; asserts nothing.

    .venv/bin/python benchmarks/telegram_latency.py --questions 60
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the Bot API stand-in lives with the tests
sys.path.insert(0, str(REPO / "benchmarks"))

from _bench import SAMPLE_QUESTIONS, stop_bot  # noqa: E402
from telegram_standin import StandIn  # noqa: E402

from indexer import IndexSettings, build_index  # noqa: E402

TOKEN = "123:BENCH"
USER = 4242
BOT_SCRIPT = "from bot.config import load_config; from bot.fronts.telegram import run_bot; run_bot(load_config({path!r}))"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MB, from /proc."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0]) / 1024
    return figures


def prepare(root: Path) -> Path:
    """Copy and index the sample knowledge base; returns the bot's config file."""
    shutil.copytree(REPO / "knowledge", root / "knowledge")
    started = time.perf_counter()
    build_index(IndexSettings(knowledge_dir=root / "knowledge", data_dir=root / "var", progress=False))
    print(f"Index der Beispiel-Wissensbasis gebaut in {time.perf_counter() - started:.1f} s")
    return root / "config.toml"


def write_config(path: Path, base_url: str) -> None:
    path.write_text(
        f'[index]\nknowledge_dir = "knowledge"\ndata_dir = "var"\nprogress = false\n\n'
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{base_url}"\nallowed_users = [{USER}]\n'
        f"rate_limit_per_minute = 0\n",
        encoding="utf-8",
    )


def measure(standin: StandIn, count: int) -> tuple[list[float], list[float]]:
    """Ask `count` questions in turn; seconds to the first "typing…" and to the reply."""
    to_typing, to_reply = [], []
    for number in range(count):
        mark, sent = standin.mark(), time.time()
        standin.send_text(USER, SAMPLE_QUESTIONS[number % len(SAMPLE_QUESTIONS)])
        typing = standin.wait_for("sendChatAction", timeout=60, since=mark)
        reply = standin.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == USER,
                                 timeout=60, since=mark)
        to_typing.append(typing.time - sent)
        to_reply.append(reply.time - sent)
    return to_typing, to_reply


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{name}: p50 {percentile(ms, 0.5):.0f} ms · p95 {percentile(ms, 0.95):.0f} ms · "
          f"Mittel {statistics.mean(ms):.0f} ms · max {max(ms):.0f} ms (n = {len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=60, help="Anzahl Fragen (mindestens 50 empfohlen)")
    parser.add_argument("--log", action="store_true", help="Am Ende das Protokoll des Bot-Prozesses zeigen")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    bot: subprocess.Popen[bytes] | None = None
    try:
        config_path = prepare(root)
        with StandIn(TOKEN, "wissenslotse_bot") as standin:
            write_config(config_path, standin.base_url)
            started = time.perf_counter()
            env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "LOTSE_CONFIG")}
            with open(root / "bot.log", "wb") as log:
                bot = subprocess.Popen([sys.executable, "-c", BOT_SCRIPT.format(path=str(config_path))],
                                       cwd=REPO, env=env, stderr=log)
            standin.wait_for("setMyCommands", timeout=120)
            standin.wait_for("getUpdates", timeout=60)
            print(f"Bot bereit nach {time.perf_counter() - started:.1f} s (Prozess {bot.pid})")
            idle = memory_mb(bot.pid)
            standin.send_text(USER, "Warm-up")  # first question after start is not counted
            standin.wait_for("sendMessage", timeout=60)
            to_typing, to_reply = measure(standin, args.questions)
            busy = memory_mb(bot.pid)
            report("Update → Antwort (sendMessage)", to_reply)
            report("Update → „schreibt…“ (sendChatAction)", to_typing)
            print(f"Speicher des Bot-Prozesses: {idle['VmRSS']:.0f} MB RSS nach dem Start, "
                  f"{busy['VmRSS']:.0f} MB nach {args.questions} Fragen, Spitze {busy['VmHWM']:.0f} MB")
    finally:
        stop_bot(bot, root / "bot.log", args.log)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
