"""Latency of the Matrix bot from a user's message event to the bot's reply event, against a local Synapse.

Builds the sample knowledge base into a temporary folder, starts a real Synapse (the tests' helper)
and the real bot (`lotse bot --front matrix`) in a subprocess, opens a direct room as a user, asks
N questions one after another and prints p50/p95 of reply.origin_server_ts − question.origin_server_ts
(both stamped by the homeserver, so the figure includes the bot's sync, search and send, not the
benchmark's polling). Prints figures only; asserts nothing.

    .venv/bin/python benchmarks/matrix_latency.py --questions 50
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
sys.path.insert(0, str(REPO / "tests"))  # the Synapse helper lives with the tests
sys.path.insert(0, str(REPO / "benchmarks"))

from _bench import SAMPLE_QUESTIONS, percentiles, stop_bot  # noqa: E402
from matrix_server import Synapse  # noqa: E402
from telegram_latency import prepare  # noqa: E402

BOT_SCRIPT = "from bot.cli import cli; cli(['bot', '--front', 'matrix', '--config', {path!r}])"


def write_config(path: Path, homeserver: str, bot_id: str, user_id: str) -> None:
    path.write_text(
        f'[index]\nknowledge_dir = "knowledge"\ndata_dir = "var"\nprogress = false\n\n'
        f'[matrix]\nhomeserver = "{homeserver}"\nuser_id = "{bot_id}"\nallowed_users = ["{user_id}"]\n'
        f"rate_limit_per_minute = 0\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50, help="Anzahl Fragen (mindestens 50 empfohlen)")
    parser.add_argument("--log", action="store_true", help="Am Ende das Protokoll des Bot-Prozesses zeigen")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lotse-matrix-bench-"))
    bot: subprocess.Popen[bytes] | None = None
    server = Synapse(root / "synapse")
    try:
        config_path = prepare(root)
        started = time.perf_counter()
        server.start()
        print(f"Synapse bereit nach {time.perf_counter() - started:.1f} s")
        lotse, anna = server.register("lotse"), server.register("anna")
        write_config(config_path, server.url, lotse.user_id, anna.user_id)
        env = {k: v for k, v in os.environ.items() if k != "LOTSE_CONFIG"} | {"MATRIX_ACCESS_TOKEN": lotse.token}
        started = time.perf_counter()
        with open(root / "bot.log", "wb") as log:
            bot = subprocess.Popen([sys.executable, "-c", BOT_SCRIPT.format(path=str(config_path))],
                                   cwd=REPO, env=env, stderr=log)
        room = anna.create_room([lotse.user_id], direct=True)
        anna.wait_for(room, lambda e: e["sender"] == lotse.user_id, timeout=180, what="the greeting")
        print(f"Bot bereit nach {time.perf_counter() - started:.1f} s (Prozess {bot.pid})")
        warm = anna.say(room, "Warm-up")  # the first question after start is not counted
        anna.wait_for(room, lambda e: e["sender"] == lotse.user_id, after=warm, what="the warm-up answer")
        latencies = []
        for number in range(args.questions):
            asked = anna.say(room, SAMPLE_QUESTIONS[number % len(SAMPLE_QUESTIONS)])
            question = anna.wait_for(room, lambda e: e["event_id"] == asked, what="the question")
            reply = anna.wait_for(room, lambda e: e["sender"] == lotse.user_id, after=asked, what="the answer")
            latencies.append(reply["origin_server_ts"] - question["origin_server_ts"])
        p50, p95 = percentiles(latencies)
        print(f"Nachricht → Antwort (Zeitstempel des Homeservers): p50 {p50:.0f} ms · p95 {p95:.0f} ms · "
              f"Mittel {statistics.mean(latencies):.0f} ms · max {max(latencies):.0f} ms (n = {len(latencies)})")
    finally:
        stop_bot(bot, root / "bot.log", args.log)
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
