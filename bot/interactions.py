"""Interaction data in its own SQLite file, apart from the index, so a rebuild never loses it.

Users are stored only as keyed hashes (pseudonyms); questions as `[chat] store_questions` says (by default
without contact data); every row with personal data is deleted after the retention period. The file and the
key are readable by the service account only.
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
from indexer.private_files import private_database, private_dir, private_file

from .clock import Clock, stamp, utc_now
from .ids import pseudonym_source, qualify
from .redaction import StoreQuestions, stored_question

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


def m004_prefixed_ids(db: sqlite_utils.Database) -> None:
    """Chat, user and message ids become text with the front as prefix (bot.ids), so a Matrix ID or
    event id fits beside a Telegram number; stored Telegram numbers become "telegram:123"."""
    columns = {"handoffs": ["asker_chat_id", "expert_chat_id"], "handoff_messages": ["chat_id", "message_id"],
               "expert_ids": ["user_id"]}
    for table, names in columns.items():
        db[table].transform(types={name: str for name in names})
    for table, name in [("handoffs", "asker_chat_id"), ("handoffs", "expert_chat_id"),
                        ("handoff_messages", "chat_id"), ("expert_ids", "user_id")]:
        db.execute(f"UPDATE [{table}] SET [{name}] = 'telegram:' || [{name}] "
                   f"WHERE [{name}] IS NOT NULL AND instr([{name}], ':') = 0")


MIGRATIONS: list[Migration] = [m001_initial, m002_knowledge_exchange, m003_handoff_access, m004_prefixed_ids]


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


def shareable(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """`db` ready for the fronts' threads: sqlite-utils tests at the first upsert whether SQLite knows
    ON CONFLICT by creating and dropping a table, which fails ("database table is locked") while another
    thread's statement runs on the same connection. The test is done here, once, before any thread."""
    db.supports_on_conflict  # noqa: B018 - sqlite-utils keeps the answer
    return db


def open_checked(path: Path) -> sqlite_utils.Database:
    """The interaction database at `path`, migrated; sqlite3.DatabaseError if the file is damaged.

    A 0-byte file counts as damaged: SQLite would silently start an empty database in it.
    """
    if path.is_file() and path.stat().st_size == 0:
        raise sqlite3.DatabaseError("die Datei ist leer (0 Byte)")
    connection = sqlite3.connect(private_database(path), check_same_thread=False, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(result)
        db = shareable(sqlite_utils.Database(connection))
        migrate(db, MIGRATIONS)
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return db


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class PseudonymKeyLost(Exception):
    """The pseudonym key is gone while the database holds pseudonymised rows; the message says what to do."""


def _key_lost_message(key: Path, database: Path) -> str:
    return (
        f"Der Schlüssel für die Pseudonyme fehlt: {key} gibt es nicht (mehr), und LOTSE_PSEUDONYM_KEY ist nicht "
        f"gesetzt. {database} enthält aber schon pseudonymisierte Daten. Mit einem neuen Schlüssel würde der Bot "
        "niemanden wiedererkennen: Onboarding-Fortschritt, Rückmeldungen und offene Weiterleitungen gingen verloren. "
        "Deshalb wird kein neuer Schlüssel angelegt.\n"
        f"• Wiederherstellen: pseudonym.key aus derselben Sicherung wie interactions.db nach {key} kopieren "
        f"(chmod 600) – oder LOTSE_PSEUDONYM_KEY wieder setzen, falls der Schlüssel dort stand.\n"
        f"• Bewusst neu beginnen: {database} beiseitelegen (z. B. in interactions-alt.db umbenennen). Beim nächsten "
        "Start entstehen eine leere Datenbank und ein neuer Schlüssel."
    )


def _secret(data_dir: Path, database: Path, has_pseudonyms: bool) -> bytes:
    """The pseudonym key: $LOTSE_PSEUDONYM_KEY, else a random key kept (mode 600) in the data folder.

    A new key is only made for a database without pseudonymised rows; else PseudonymKeyLost.
    """
    configured = os.environ.get("LOTSE_PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    path = data_dir / "pseudonym.key"
    if not path.exists():
        if has_pseudonyms:
            raise PseudonymKeyLost(_key_lost_message(path, database))
        try:
            private_file(path, exclusive=True).write_text(secrets.token_hex(32))
        except FileExistsError:  # another process made it a moment ago
            pass
    return private_file(path).read_text().strip().encode()


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

    def __init__(self, path: Path, retention_days: int = 180, store_questions: StoreQuestions = "redacted",
                 clock: Clock = utc_now) -> None:
        private_dir(path.parent)
        self.path = path
        self.problem: str | None = None  # set when the file is damaged: admins see it in /status
        try:
            self.db = open_checked(path)
        except sqlite3.DatabaseError as error:
            # Answering matters more than the log: carry on in memory and tell the admins.
            self.failed(error)
            self.db = shareable(sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)))
            migrate(self.db, MIGRATIONS)
        self.key = _secret(path.parent, path, self._has_pseudonyms())
        self.retention_days = retention_days
        self.store_questions = store_questions
        self.clock = clock  # "now" for the retention cutoff: the clock that stamps onboarding and hand-offs
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

    def _has_pseudonyms(self) -> bool:
        tables = ("users", "questions", "feedback", "onboarding", "onboarding_steps", "handoffs")
        return any(self.db.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE pseudonym IS NOT NULL)").fetchone()[0]
                   for table in tables)

    def pseudonym(self, user_id: int | str) -> str:
        """The keyed hash of a user id; 123 and "telegram:123" are the same person (bot.ids)."""
        source = pseudonym_source(qualify(user_id))
        return hmac.new(self.key, source.encode(), hashlib.sha256).hexdigest()[:24]

    def seen(self, user_id: int | str) -> bool:
        """Record a user; returns True when they are new."""
        pseudonym, now = self.pseudonym(user_id), _now()
        new = self.db.execute("SELECT 1 FROM users WHERE pseudonym = ?", [pseudonym]).fetchone() is None
        self.db["users"].upsert({"pseudonym": pseudonym, "last_seen": now, **({"first_seen": now} if new else {})}, pk="pseudonym")
        return new

    def log_question(self, user_id: int | str, channel: str, question: str, answered: bool, confidence: float,
                     top_source: str | None, generation: int) -> int:
        """Log a question; its text is kept as `store_questions` says (None with "none")."""
        return int(self.db["questions"].insert(
            {"pseudonym": self.pseudonym(user_id), "asked_at": _now(), "channel": channel,
             "question": stored_question(question, self.store_questions),
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
        """Delete every row with personal data older than the retention period; returns how many.

        Questions and their feedback by when they were asked, users by when they were last seen,
        onboarding progress by its last step, hand-offs by when they were closed (or opened, if never).
        Learned expert ids stay: they route hand-offs and are refreshed when an expert writes.
        """
        cutoff = stamp(self.clock() - timedelta(days=self.retention_days))
        old_questions = "SELECT id FROM questions WHERE asked_at < ?"
        old_handoffs = "SELECT id FROM handoffs WHERE COALESCE(closed_at, created_at) < ?"
        old_onboarding = "SELECT pseudonym FROM onboarding WHERE last_step_at < ?"
        statements = [
            f"DELETE FROM feedback WHERE question_id IN ({old_questions})",
            f"DELETE FROM handoff_messages WHERE handoff_id IN ({old_handoffs})",
            f"DELETE FROM handoffs WHERE id IN ({old_handoffs})",
            "DELETE FROM questions WHERE asked_at < ?",
            f"DELETE FROM onboarding_steps WHERE pseudonym IN ({old_onboarding}) OR (done_at < ? AND pseudonym NOT IN "
            "(SELECT pseudonym FROM onboarding))",
            "DELETE FROM onboarding WHERE last_step_at < ?",
            "DELETE FROM users WHERE last_seen < ?",
        ]
        return sum(self.db.execute(sql, [cutoff] * sql.count("?")).rowcount for sql in statements)

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
            "WHERE q.question IS NOT NULL AND (q.answered = 0 OR q.id IN (SELECT question_id FROM feedback WHERE value = -1)) "
            "GROUP BY text ORDER BY n DESC, MAX(q.asked_at) DESC LIMIT ?",
            [top],
        ).fetchall()
        return UsageStats(
            questions_per_day=[(day, n) for day, n in per_day], total=total,
            answered_share=(answered / total) if total else 0.0, thumbs_up=up, thumbs_down=down,
            top_unanswered=[(text, n) for text, n in unanswered],
        )

    def doubtful_questions(self, since: str = "") -> list[tuple[str, str, bool, bool, bool]]:
        """(question, asked at, declined or unsure, got 👎, handed off) of every question asked at or
        after `since` (ISO time; "" for all), oldest first: what the knowledge-gap report groups."""
        rows = self.db.execute(
            "SELECT q.question, q.asked_at, q.answered = 0, "
            "EXISTS (SELECT 1 FROM feedback f WHERE f.question_id = q.id AND f.value = -1), "
            "EXISTS (SELECT 1 FROM handoffs h WHERE h.question_id = q.id) "
            "FROM questions q WHERE q.asked_at >= ? ORDER BY q.asked_at", [since],
        ).fetchall()
        return [(text, asked_at, bool(unsure), bool(down), bool(handed)) for text, asked_at, unsure, down, handed in rows]

    def close(self) -> None:
        self.db.conn.close()
