"""Timestamped copies of damaged files, kept beside them before anything is repaired."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's companion files belong to the backup too


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
