"""Everything under the data folder is for the service account only: files 0600, folders 0700.

The index holds restricted documents' text and `interactions.db` holds questions and pseudonyms, so the
modes are set explicitly (whatever the umask) when a file or folder is created, and tightened when an
older installation's file is opened. SQLite gives its -wal, -shm and -journal files the mode of the
database file, so creating the database file first is enough for those.
"""
from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
_SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    """Set `mode` on a file or folder we own (someone else's is left alone: we could not change it)."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return
    if status.st_mode & 0o777 != mode and status.st_uid == os.geteuid():
        os.chmod(path, mode)


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents as 0700, or tighten the existing folder to 0700."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # created by another process in the meantime
            pass
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path, exclusive: bool = False) -> Path:
    """Create an empty 0600 file at `path` if there is none (before a library writes it), else tighten it.

    With `exclusive`, an existing file raises FileExistsError (for files that must be created once).
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    if not exclusive and path.exists():
        _tighten(path, FILE_MODE)
        return path
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # os.open's mode is filtered by the umask
    finally:
        os.close(descriptor)
    return path


def private_database(path: Path) -> Path:
    """Prepare a SQLite file to be opened for writing: the file 0600, and any journal files left over."""
    private_file(path)
    for suffix in _SQLITE_SIDECARS:
        _tighten(path.with_name(path.name + suffix), FILE_MODE)
    return path
