"""Privacy of what the bot keeps: private file modes, retention of every personal table, a lost pseudonym
key, and how question texts are stored (full, redacted, none) — on real SQLite files and a real index."""
from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Config, ConfigError, load_config
from bot.core import Asker, ChatCore
from bot.exchange import build_exchange
from bot.gaps import gaps_text, knowledge_gaps
from bot.interactions import Interactions, PseudonymKeyLost
from indexer import Index
from indexer.embedder import Embedder

pytestmark = pytest.mark.timeout(120)
PHONE_QUESTION = "Wie beantrage ich ein Diensthandy? Meine Durchwahl ist 0234 910-1234."


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    """Permission bits of `root` and everything below it, by path relative to `root`."""
    return {str(path.relative_to(root)): stat.S_IMODE(os.stat(path).st_mode) for path in [root, *root.rglob("*")]}


def assert_private(root: Path) -> None:
    found = modes(root)
    wrong = {path: oct(mode) for path, mode in found.items()
             if mode != (0o700 if (root / path).is_dir() else 0o600)}
    assert not wrong, f"not private: {wrong}"


def config_file(tmp_path: Path, knowledge: Path, data: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[index]\nknowledge_dir = "{knowledge}"\ndata_dir = "{data}"\nprogress = false\n{extra}',
                    encoding="utf-8")
    return path


def test_everything_under_data_dir_is_private_after_index_and_a_question(tmp_path: Path, embedder: Embedder) -> None:
    knowledge, data = tmp_path / "knowledge", tmp_path / "var"
    knowledge.mkdir()
    (knowledge / "vpn.md").write_text("---\ntitle: VPN\n---\n\nDas VPN richten Sie mit dem Client GlobalConnect ein.\n",
                                      encoding="utf-8")
    path = config_file(tmp_path, knowledge, data)
    with umask(0o000):  # the most permissive umask: every mode must be set explicitly
        result = CliRunner().invoke(cli, ["index", "--config", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        (knowledge / "kantine.md").write_text("---\ntitle: Kantine\n---\n\nDie Kantine öffnet um 11:30 Uhr.\n",
                                              encoding="utf-8")
        result = CliRunner().invoke(cli, ["index", "--config", str(path)], catch_exceptions=False)  # incremental copy
        assert result.exit_code == 0, result.output
        config = load_config(path)
        core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
        try:
            assert core.ask("Wie richte ich das VPN ein?", Asker("terminal:test")).question_id is not None
            found = modes(data)
            assert_private(data)
        finally:
            core.interactions.close()
    expected = {"index", "index/CURRENT", "index/.lock", "index/gen-000002/index.db", "index/gen-000002/vectors.faiss",
                "cache/embeddings.db", "interactions.db", "interactions.db-wal", "pseudonym.key"}
    assert expected <= set(found), sorted(found)


def test_an_older_installation_is_tightened_when_opened(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    Interactions(data / "interactions.db").close()
    for name in ("interactions.db", "pseudonym.key"):
        os.chmod(data / name, 0o644)
    os.chmod(data, 0o755)
    Interactions(data / "interactions.db").close()
    assert_private(data)


def _ago(days: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


def fill_every_personal_table(interactions: Interactions, user: str, days: float) -> None:
    """One row in each table with personal data, all dated `days` ago."""
    interactions.seen(user)
    question_id = interactions.log_question(user, "telegram", f"Frage von {user}?", False, 0.1, None, 1)
    interactions.feedback(question_id, user, positive=False)
    pseudonym, when = interactions.pseudonym(user), _ago(days)
    db = interactions.db
    db.execute("UPDATE users SET first_seen = ?, last_seen = ? WHERE pseudonym = ?", [when, when, pseudonym])
    db.execute("UPDATE questions SET asked_at = ? WHERE id = ?", [when, question_id])
    db.execute("UPDATE feedback SET at = ? WHERE question_id = ?", [when, question_id])
    db["onboarding"].insert({"pseudonym": pseudonym, "department": None, "started_at": when, "last_step_at": when,
                             "finished_at": None})
    db["onboarding_steps"].insert({"pseudonym": pseudonym, "document": "onboarding/01.md", "done_at": when})
    closed = db["handoffs"].insert({"question_id": question_id, "pseudonym": pseudonym, "question": "?", "status": "expired",
                                    "created_at": when, "closed_at": when}).last_pk
    forgotten = db["handoffs"].insert({"question_id": question_id + 10_000, "pseudonym": pseudonym, "question": "?",
                                       "status": "open", "asker_chat_id": 42, "created_at": when}).last_pk
    for message_id, handoff_id in ((1, closed), (2, forgotten)):
        db["handoff_messages"].insert({"chat_id": 7, "message_id": message_id + question_id * 10, "handoff_id": handoff_id})


PERSONAL_TABLES = ("users", "questions", "feedback", "onboarding", "onboarding_steps", "handoffs", "handoff_messages")


def test_retention_deletes_old_rows_of_every_personal_table(tmp_path: Path) -> None:
    interactions = Interactions(tmp_path / "interactions.db", retention_days=30)
    fill_every_personal_table(interactions, "alt", days=31)
    fill_every_personal_table(interactions, "neu", days=29)
    assert interactions.purge() == 9  # 1 user, question, feedback, onboarding, step; 2 hand-offs, 2 messages
    interactions.close()
    with sqlite3.connect(tmp_path / "interactions.db") as db:  # what is on disk
        for table in PERSONAL_TABLES:
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] in (1, 2), table
        assert db.execute("SELECT question FROM questions").fetchall() == [("Frage von neu?",)]
        assert db.execute("SELECT COUNT(*) FROM handoffs WHERE created_at < ?", [_ago(30)]).fetchone()[0] == 0


def test_a_lost_pseudonym_key_stops_with_instructions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTSE_PSEUDONYM_KEY", raising=False)
    data = tmp_path / "var"
    interactions = Interactions(data / "interactions.db")
    interactions.seen("terminal:lena")
    interactions.close()
    (data / "pseudonym.key").unlink()

    with pytest.raises(PseudonymKeyLost) as lost:
        Interactions(data / "interactions.db")
    assert "Wiederherstellen" in str(lost.value) and "Bewusst neu beginnen" in str(lost.value)
    assert not (data / "pseudonym.key").exists()  # no silent new key

    path = config_file(tmp_path, tmp_path / "knowledge", data)
    result = CliRunner().invoke(cli, ["ask", "Wer leitet die SCIU?", "--config", str(path)])
    assert result.exit_code == 1 and "Der Schlüssel für die Pseudonyme fehlt" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a message, no traceback

    monkeypatch.setenv("LOTSE_PSEUDONYM_KEY", "aus-der-umgebung")  # a key from the environment is used as is
    Interactions(data / "interactions.db").close()
    monkeypatch.delenv("LOTSE_PSEUDONYM_KEY")
    (data / "interactions.db").rename(data / "interactions-alt.db")  # deliberately starting fresh
    Interactions(data / "interactions.db").close()
    assert (data / "pseudonym.key").stat().st_size > 0


@pytest.fixture
def make_core(config: Config, embedder: Embedder) -> Iterator:
    cores: list[ChatCore] = []

    def make(store_questions: str) -> ChatCore:
        config.chat.store_questions = store_questions  # type: ignore[assignment]
        config.handoff.fallback_chat_id = 1
        cores.append(ChatCore(config, index=Index(config.index, config.search, embedder=embedder)))
        return cores[-1]

    yield make
    for core in cores:
        core.interactions.close()


def stored_questions(config: Config) -> list[str | None]:
    with sqlite3.connect(config.interactions_path) as db:
        return [row[0] for row in db.execute("SELECT question FROM questions ORDER BY id")]


@pytest.mark.parametrize("mode, expected", [
    ("full", PHONE_QUESTION),
    ("redacted", "Wie beantrage ich ein Diensthandy? Meine Durchwahl ist [Telefon]."),
    ("none", None),
])
def test_questions_are_stored_as_configured(make_core, config: Config, mode: str, expected: str | None) -> None:
    core = make_core(mode)
    assert core.ask(PHONE_QUESTION, Asker("terminal:lena")).question == PHONE_QUESTION  # answered as typed
    assert stored_questions(config) == [expected]


def test_the_default_stores_questions_redacted(tmp_path: Path) -> None:
    assert Config().chat.store_questions == "redacted"
    path = tmp_path / "config.toml"
    path.write_text('[chat]\nstore_questions = "alles"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match='store_questions: erlaubt sind "full", "redacted", "none"'):
        load_config(path)


def test_gaps_and_handoff_with_redacted_and_without_question_text(make_core, config: Config, embedder: Embedder) -> None:
    asker = Asker("terminal:lena")
    core = make_core("redacted")
    unsure = "Wann gibt es Pizza auf dem Mond? Rufen Sie mich an: +49 234 9101234"
    assert not core.ask(unsure, asker).answered
    report = knowledge_gaps(core.interactions, embedder.encode, days=1)
    assert [c.example for c in report.clusters] == ["Wann gibt es Pizza auf dem Mond? Rufen Sie mich an: [Telefon]"]
    core.interactions.close()

    core = make_core("none")
    answer = core.ask("Wann gibt es Pizza auf dem Mars? max.mustermann@bochum.de", asker)
    offer = build_exchange(core).handoffs.offer(answer.question_id, asker)  # type: ignore[arg-type]
    assert offer.question == "Wann gibt es Pizza auf dem Mars? [E-Mail]"
    text = gaps_text(knowledge_gaps(core.interactions, embedder.encode, days=1))
    assert text.startswith('1 offene Fragen ohne gespeicherten Text (Einstellung [chat] store_questions = "none")')
    assert "1 Themen mit offenen Fragen" in text and "Mond" in text
    assert stored_questions(config)[-1] is None  # the log holds no text for it
