"""Interaction data in its own SQLite file, apart from the index, so a rebuild never loses it.

Users are stored only as keyed hashes (pseudonyms); questions are deleted after the retention period.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import sqlite_utils

from indexer.damage import is_damage

log = logging.getLogger(__name__)

Migration = Callable[[sqlite_utils.Database], None]


def m001_initial(db: sqlite_utils.Database) -> None:
    db["users"].create({"pseudonym": str, "first_seen": str, "last_seen": str}, pk="pseudonym")
    db["questions"].create(
        {"id": int, "pseudonym": str, "asked_at": str, "channel": str, "question": str, "answered": int,
         "confidence": float, "top_source": str, "generation": int},
        pk="id",
    )
    db["questions"].create_index(["asked_at"])
    db["feedback"].create({"question_id": int, "pseudonym": str, "value": int, "at": str}, pk=("question_id", "pseudonym"))


def m002_knowledge_exchange(db: sqlite_utils.Database) -> None:
    """Onboarding progress, expert hand-offs and the experts' Telegram ids.

    Progress is keyed by document path (not chunk ids), so it survives re-indexing. A hand-off keeps
    the asker's real chat id (and name, if they agreed) only while it is open.
    """
    db["onboarding"].create(
        {"pseudonym": str, "department": str, "started_at": str, "last_step_at": str, "finished_at": str},
        pk="pseudonym",
    )
    db["onboarding_steps"].create({"pseudonym": str, "document": str, "done_at": str}, pk=("pseudonym", "document"))
    db["handoffs"].create(
        {"id": int, "question_id": int, "pseudonym": str, "question": str, "top_source": str, "status": str,
         "asker_chat_id": int, "asker_name": str, "expert": str, "expert_chat_id": int, "created_at": str,
         "sent_at": str, "reminded_at": str, "closed_at": str, "answer_author": str, "faq_path": str},
        pk="id",
    )
    db["handoffs"].create_index(["question_id"], unique=True)  # one hand-off per question
    db["handoffs"].create_index(["status"])
    db["handoff_messages"].create({"chat_id": int, "message_id": int, "handoff_id": int}, pk=("chat_id", "message_id"))
    db["expert_ids"].create({"handle": str, "user_id": int, "seen_at": str}, pk="handle")


def m003_handoff_access(db: sqlite_utils.Database) -> None:
    """The access groups of the documents a handed-off question was answered from ("" = public),
    so the expert's answer is stored no wider than what the asker saw."""
    db["handoffs"].add_column("access", str)


MIGRATIONS: list[Migration] = [m001_initial, m002_knowledge_exchange, m003_handoff_access]


def migrate(db: sqlite_utils.Database, migrations: list[Migration]) -> None:
    """Apply numbered migrations not yet recorded in `_migrations`, each in its own transaction."""
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
    done = {row["name"] for row in db["_migrations"].rows}
    for migration in migrations:
        if migration.__name__ in done:
            continue
        with db.conn:
            migration(db)
            db["_migrations"].insert({"name": migration.__name__, "applied_at": _now()})


def open_checked(path: Path) -> sqlite_utils.Database:
    """The interaction database at `path`, migrated; sqlite3.DatabaseError if the file is damaged.

    A 0-byte file counts as damaged: SQLite would silently start an empty database in it.
    """
    if path.is_file() and path.stat().st_size == 0:
        raise sqlite3.DatabaseError("die Datei ist leer (0 Byte)")
    connection = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(result)
        db = sqlite_utils.Database(connection)
        migrate(db, MIGRATIONS)
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return db


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _secret(data_dir: Path) -> bytes:
    """The pseudonym key: $LOTSE_PSEUDONYM_KEY, else a random key kept (mode 600) in the data folder."""
    configured = os.environ.get("LOTSE_PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    path = data_dir / "pseudonym.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass
class UsageStats:
    """What `lotse stats` and `/status` report about use of the bot."""

    questions_per_day: list[tuple[str, int]]
    total: int
    answered_share: float
    thumbs_up: int
    thumbs_down: int
    top_unanswered: list[tuple[str, int]]


class Interactions:
    """Question log, feedback and users; thread-safe enough for one bot process (SQLite WAL)."""

    def __init__(self, path: Path, retention_days: int = 180) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.problem: str | None = None  # set when the file is damaged: admins see it in /status
        try:
            self.db = open_checked(path)
        except sqlite3.DatabaseError as error:
            # Answering matters more than the log: carry on in memory and tell the admins.
            self.failed(error)
            self.db = sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None))
            migrate(self.db, MIGRATIONS)
        self.key = _secret(path.parent)
        self.retention_days = retention_days
        self.purge()

    def failed(self, error: sqlite3.DatabaseError) -> None:
        """Note that the file is damaged (found on opening or while running) and log it once."""
        if self.problem is None:
            state = "ist beschädigt" if is_damage(error) else "ist nicht nutzbar"
            self.problem = (
                f"Die Fragen-Datenbank {self.path} {state} ({error}). Der Bot antwortet weiter, speichert "
                "Fragen, Bewertungen und Weiterleitungen aber nicht dauerhaft. Bitte `lotse doctor` ausführen."
            )
            log.error(self.problem)

    def pseudonym(self, user_id: int | str) -> str:
        return hmac.new(self.key, str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    def seen(self, user_id: int | str) -> bool:
        """Record a user; returns True when they are new."""
        pseudonym, now = self.pseudonym(user_id), _now()
        new = self.db.execute("SELECT 1 FROM users WHERE pseudonym = ?", [pseudonym]).fetchone() is None
        self.db["users"].upsert({"pseudonym": pseudonym, "last_seen": now, **({"first_seen": now} if new else {})}, pk="pseudonym")
        return new

    def log_question(self, user_id: int | str, channel: str, question: str, answered: bool, confidence: float,
                     top_source: str | None, generation: int) -> int:
        return int(self.db["questions"].insert(
            {"pseudonym": self.pseudonym(user_id), "asked_at": _now(), "channel": channel, "question": question,
             "answered": int(answered), "confidence": confidence, "top_source": top_source, "generation": generation}
        ).last_pk)

    def feedback(self, question_id: int, user_id: int | str, positive: bool) -> bool:
        """Store 👍/👎 for a logged question (the latest vote counts); False if the question is unknown."""
        if self.db.execute("SELECT 1 FROM questions WHERE id = ?", [question_id]).fetchone() is None:
            return False
        self.db["feedback"].upsert(
            {"question_id": question_id, "pseudonym": self.pseudonym(user_id), "value": 1 if positive else -1, "at": _now()},
            pk=("question_id", "pseudonym"),
        )
        return True

    def question(self, question_id: int) -> dict | None:
        rows = list(self.db["questions"].rows_where("id = ?", [question_id]))
        return rows[0] if rows else None

    def purge(self) -> int:
        """Delete questions (and their feedback) and closed hand-offs older than the retention period."""
        cutoff = (datetime.now(timezone.utc) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        old = "SELECT id FROM questions WHERE asked_at < ?"
        self.db.execute(f"DELETE FROM feedback WHERE question_id IN ({old})", [cutoff])
        closed = "SELECT id FROM handoffs WHERE status != 'open' AND closed_at < ?"
        self.db.execute(f"DELETE FROM handoff_messages WHERE handoff_id IN ({closed})", [cutoff])
        self.db.execute(f"DELETE FROM handoffs WHERE id IN ({closed})", [cutoff])
        return self.db.execute("DELETE FROM questions WHERE asked_at < ?", [cutoff]).rowcount

    def usage(self, days: int = 14, top: int = 5) -> UsageStats:
        db = self.db
        per_day = db.execute(
            "SELECT substr(asked_at, 1, 10) AS day, COUNT(*) FROM questions GROUP BY day ORDER BY day DESC LIMIT ?", [days]
        ).fetchall()
        total, answered = db.execute("SELECT COUNT(*), COALESCE(SUM(answered), 0) FROM questions").fetchone()
        up, down = db.execute(
            "SELECT COALESCE(SUM(value = 1), 0), COALESCE(SUM(value = -1), 0) FROM feedback"
        ).fetchone()
        unanswered = db.execute(
            "SELECT lower(trim(q.question)) AS text, COUNT(*) AS n FROM questions q "
            "WHERE q.answered = 0 OR q.id IN (SELECT question_id FROM feedback WHERE value = -1) "
            "GROUP BY text ORDER BY n DESC, MAX(q.asked_at) DESC LIMIT ?",
            [top],
        ).fetchall()
        return UsageStats(
            questions_per_day=[(day, n) for day, n in per_day], total=total,
            answered_share=(answered / total) if total else 0.0, thumbs_up=up, thumbs_down=down,
            top_unanswered=[(text, n) for text, n in unanswered],
        )

    def close(self) -> None:
        self.db.conn.close()
