"""The interaction database is shared by the fronts' worker threads."""
from __future__ import annotations

from pathlib import Path

from bot.interactions import Interactions


def test_a_first_upsert_works_while_another_statement_is_still_running(tmp_path: Path) -> None:
    # A front's thread may be reading (a cursor not yet read to its end) while another records a user:
    # sqlite-utils' first upsert used to test the SQLite version by creating and dropping a table,
    # which fails with "database table is locked" while any statement on the connection is running.
    interactions = Interactions(tmp_path / "interactions.db")
    for pseudonym in ("a", "b"):
        interactions.db.execute("INSERT INTO users (pseudonym, first_seen, last_seen) VALUES (?, '', '')", [pseudonym])
    reading = interactions.db.execute("SELECT pseudonym FROM users")
    reading.fetchone()  # the statement stays active
    assert interactions.seen("telegram:3") is True
    assert reading.fetchone() is not None
    interactions.close()
