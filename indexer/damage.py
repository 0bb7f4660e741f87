"""Damaged files: telling SQLite damage from a file that is merely busy, and keeping a timestamped
copy beside a damaged file before anything repairs it."""
from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's companion files belong to the backup too
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB (primary codes)


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """Whether an SQLite error means a damaged file, not a locked, busy or unreachable one.

    Errors raised without a code (our own, e.g. for a failed `PRAGMA quick_check`) count as damage.
    """
    code = getattr(error, "sqlite_errorcode", None)
    return code is None or code & 0xFF in _DAMAGE_CODES


def back_up(path: Path, move: bool = False) -> Path:
    """Copy (or move) `path` and its SQLite companion files to `<name>.beschaedigt-<UTC time>`;
    returns the backup path. Nothing is overwritten: a second backup in the same second gets a suffix."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.beschaedigt-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.beschaedigt-{stamp}-{number}")
    for suffix in ("", *SIDECARS):
        source = path.with_name(path.name + suffix)
        if source.exists():
            destination = target.with_name(target.name + suffix)
            if move:
                source.replace(destination)
            else:
                shutil.copy2(source, destination)
    return target
