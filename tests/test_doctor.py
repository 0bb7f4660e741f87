"""A damaged question log never stops answering; `lotse doctor` backs it up and rescues what SQLite can read."""
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Config
from bot.core import ChatCore
from bot.doctor import examine
from bot.interactions import Interactions
from bot.fronts.terminal import terminal_asker
from indexer import Index
from tests.fakes import FakeEmbedder

QUESTION = "Wie beantrage ich ein Diensthandy?"


def fill(path: Path, questions: int) -> None:
    interactions = Interactions(path)
    interactions.db.execute("BEGIN")
    for n in range(questions):
        interactions.seen(n)
        interactions.log_question(n, "terminal", f"Frage {n}: " + "Wie geht das? " * 20, True, 0.8, "a.md", 1)
    interactions.db.execute("COMMIT")
    interactions.close()


def garble_middle(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(3 * 4096))


def config_file(config: Config, tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[index]\nknowledge_dir = "{config.index.knowledge_dir}"\ndata_dir = "{config.index.data_dir}"\n'
                    "progress = false\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(os.urandom(p.stat().st_size)),
    lambda p: os.truncate(p, p.stat().st_size // 3),
    lambda p: os.truncate(p, 0),
], ids=["random", "truncated", "empty"])
def test_a_damaged_question_log_does_not_stop_answering(config, embedder, damage):
    fill(config.interactions_path, 50)
    damage(config.interactions_path)
    size = config.interactions_path.stat().st_size
    core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
    answer = core.ask(QUESTION, terminal_asker())
    assert answer.answered and answer.sources[0].path == "faq/diensthandy-beantragen.md"
    assert "beschädigt" in core.interactions.problem and "lotse doctor" in core.interactions.problem
    assert config.interactions_path.stat().st_size == size, "the damaged file is left as it was for the doctor"


def test_damage_while_running_costs_the_log_entry_not_the_answer(config, embedder):
    fill(config.interactions_path, 200)
    core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
    assert core.interactions.problem is None
    core.interactions.db.execute("PRAGMA cache_size = 0")  # so SQLite reads the file again, as after a while
    path = config.interactions_path
    path.write_bytes(os.urandom(path.stat().st_size))  # the file breaks under the running bot
    answer = core.ask(QUESTION, terminal_asker())
    assert answer.answered and answer.question_id is None and "beschädigt" in core.interactions.problem


def test_doctor_backs_up_and_rescues_the_readable_rows(config, tmp_path):
    fill(config.interactions_path, 3000)
    garble_middle(config.interactions_path)
    path = config_file(config, tmp_path)

    check = CliRunner().invoke(cli, ["doctor", "--check-only", "--config", path])
    assert check.exit_code == 1 and "❌ interactions.db: beschädigt" in check.output
    assert not list(config.index.data_dir.glob("*.beschaedigt-*")), "--check-only changes nothing"

    run = CliRunner().invoke(cli, ["doctor", "--config", path])
    assert run.exit_code == 0 and "🔧 interactions.db" in run.output and "Sicherung: interactions.db.beschaedigt-" in run.output
    backups = list(config.index.data_dir.glob("interactions.db.beschaedigt-*[0-9TZ]"))
    assert len(backups) == 1 and backups[0].stat().st_size > 1_000_000
    interactions = Interactions(config.interactions_path)
    rescued = interactions.db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    assert interactions.problem is None and 2500 < rescued < 3000
    assert interactions.question(1)["question"].startswith("Frage 0:")
    assert f"questions: {rescued}" in run.output
    assert "✅ index/gen-000001: live: intakt (38 Dokumente" in run.output
    assert "Alles in Ordnung" in CliRunner().invoke(cli, ["doctor", "--config", path]).output


def test_doctor_reports_an_empty_log_and_every_other_file(config):
    fill(config.interactions_path, 1)
    os.truncate(config.interactions_path, 0)
    (config.index.data_dir / "notizen.txt").write_text("?")
    findings = {f.path: f for f in examine(config, repair=False)}
    assert not findings["interactions.db"].ok and "leer (0 Byte)" in findings["interactions.db"].message
    assert config.interactions_path.stat().st_size == 0, "reported, not silently re-created"
    assert findings["pseudonym.key"].ok and findings["cache/embeddings.db"].ok and findings["index/CURRENT"].ok
    assert "unbekannte Datei" in findings["notizen.txt"].message

    with sqlite3.connect(config.index.cache_path) as db:
        db.execute("UPDATE vectors SET vector = zeroblob(2048) WHERE key IN (SELECT key FROM vectors LIMIT 2)")
    db.close()
    assert examine(config, repair=False)[2].message.startswith("2 von ")

    findings = {f.path: f for f in examine(config, repair=True)}
    assert findings["interactions.db"].repaired and "keine Einträge" in findings["interactions.db"].message
    assert findings["cache/embeddings.db"].repaired and "2 unbrauchbare Vektoren entfernt" in findings["cache/embeddings.db"].message
    assert Interactions(config.interactions_path).problem is None


def test_a_locked_question_log_is_not_taken_for_damage(config):
    fill(config.interactions_path, 1)
    holder = sqlite3.connect(config.interactions_path)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        finding = next(f for f in examine(config, repair=True) if f.path == "interactions.db")
    finally:
        holder.rollback()
        holder.close()
    assert not finding.ok and not finding.repaired and "nicht prüfbar" in finding.message
    assert not list(config.index.data_dir.glob("interactions.db.beschaedigt-*")), "no backup, no rescue"
