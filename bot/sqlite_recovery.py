"""Rescue the readable rows of a damaged SQLite file into a fresh database of the same schema.

Pure Python (the `sqlite3` shell's `.recover` is not part of Python's API): every table of the
target is filled from the damaged file in rowid order; when a damaged page breaks the scan, a
binary search finds the first rowid after it that can be read again, so only the rows on damaged
pages are lost.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

MAX_ROWID = 2**63 - 1


@dataclass
class Recovery:
    """Rows rescued per table, and the tables where damage cost rows (or the whole table)."""

    rows: dict[str, int] = field(default_factory=dict)
    damaged_tables: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def recover_rows(damaged: Path, target: sqlite3.Connection) -> Recovery:
    """Copy what can be read from `damaged` into the tables `target` already has (same names and
    columns); existing rows in `target` win. Never raises for damage in `damaged`."""
    recovery = Recovery()
    tables = [row[0] for row in target.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )]
    try:
        source = sqlite3.connect(damaged)
    except sqlite3.DatabaseError:
        return Recovery({}, tables)
    try:
        for table in tables:
            columns = [row[1] for row in target.execute(f"PRAGMA table_info([{table}])")]
            try:
                available = {row[1] for row in source.execute(f"PRAGMA table_info([{table}])")}
            except sqlite3.DatabaseError:
                recovery.damaged_tables.append(table)
                continue
            shared = [column for column in columns if column in available]
            if not shared:
                if available or table not in _tables(source):
                    continue  # not in the old file (an older schema): nothing lost
                recovery.damaged_tables.append(table)
                continue
            reader = _Reader(source, table, shared)
            names = ", ".join(f"[{column}]" for column in shared)
            marks = ", ".join("?" * len(shared))
            before = target.total_changes
            target.execute("BEGIN")  # one transaction per table, also on an autocommit connection
            try:
                target.executemany(f"INSERT OR IGNORE INTO [{table}] ({names}) VALUES ({marks})", reader.rows())
            except BaseException:
                target.execute("ROLLBACK")
                raise
            target.execute("COMMIT")
            recovery.rows[table] = target.total_changes - before
            if reader.damaged:
                recovery.damaged_tables.append(table)
    finally:
        source.close()
    return recovery


def _tables(source: sqlite3.Connection) -> set[str]:
    try:
        return {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return set()


class _Reader:
    """The readable rows of one table, in rowid order, stepping over damaged pages."""

    def __init__(self, source: sqlite3.Connection, table: str, columns: list[str]) -> None:
        self.source = source
        self.sql = (f"SELECT rowid, {', '.join(f'[{c}]' for c in columns)} FROM [{table}] "
                    "WHERE rowid >= ? ORDER BY rowid")
        self.damaged = False

    def rows(self) -> Iterator[tuple]:
        start: int | None = -MAX_ROWID
        while start is not None:
            last = None
            try:
                for row in self.source.execute(self.sql, [start]):
                    last = row[0]
                    yield row[1:]
                return
            except sqlite3.DatabaseError:
                self.damaged = True
                start = self._next_readable(last if last is not None else start)

    def _readable(self, start: int) -> bool:
        try:
            self.source.execute(self.sql, [start]).fetchone()
            return True
        except sqlite3.DatabaseError:
            return False

    def _next_readable(self, broken_after: int) -> int | None:
        """The smallest rowid > `broken_after` from which a scan starts without error, or None."""
        step = 1
        while not self._readable(broken_after + step):
            if broken_after + step >= MAX_ROWID // 2:
                return None
            step *= 2
        low, high = broken_after + step // 2, broken_after + step  # low fails (or is the break), high reads
        while high - low > 1:
            middle = (low + high) // 2
            if self._readable(middle):
                high = middle
            else:
                low = middle
        return high
