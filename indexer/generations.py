"""Index generations on disk: build beside the live one, then switch atomically.

Layout under `<data>/index/`: `gen-000007/` (index.db + vectors.faiss), `CURRENT` naming the live one,
and `.lock` held by the one process that builds. Readers only ever open a published generation.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .private_files import private_dir, private_file

DB_NAME = "index.db"
VECTORS_NAME = "vectors.faiss"
_GEN = re.compile(r"^gen-(\d{6})$")


class IndexBusy(Exception):
    """Another process is building the index right now."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Generations:
    """The generation directories below one index directory."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Path | None:
        """The live generation directory, or None before the first build or if `CURRENT` is broken."""
        name = self._pointer_name()
        path = self.root / name if name else None
        return path if name and _GEN.match(name) and path.is_dir() else None

    def _pointer_name(self) -> str | None:
        state = self.pointer_state()
        return None if state is None else state.decode("utf-8", errors="replace").strip()

    def pointer_state(self) -> bytes | None:
        """The raw content of `CURRENT`: readers reopen when it changes."""
        try:
            return self.pointer.read_bytes()
        except FileNotFoundError:
            return None

    def pointer_problem(self) -> str | None:
        """What is wrong with `CURRENT` when generations exist but it names none of them."""
        if self.current() is not None or not self.published():
            return None
        name = self._pointer_name()
        if name is None:
            return "Die Datei CURRENT fehlt"
        if not _GEN.match(name):
            return "Die Datei CURRENT ist beschädigt (kein Generationsname)"
        return f"CURRENT nennt die fehlende Generation {name}"

    def candidates(self) -> list[Path]:
        """Generations a reader may open, best first: the live one, then the others newest first."""
        live = self.current()
        older = [path for path in reversed(self.published()) if path != live]
        return [live, *older] if live else older

    @staticmethod
    def number(path: Path | None) -> int:
        match = _GEN.match(path.name) if path else None
        return int(match.group(1)) if match else 0

    def published(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if _GEN.match(p.name) and p.is_dir())

    def begin(self) -> Path:
        """A fresh, empty build directory for the next generation; stale ones from killed runs go."""
        private_dir(self.root)
        for stale in self.root.glob("gen-*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)
        numbers = [self.number(p) for p in self.published()]
        building = self.root / f"gen-{max(numbers, default=0) + 1:06d}.tmp"
        building.mkdir()
        private_dir(building)
        return building

    def publish(self, building: Path, keep: int = 2, damaged: Path | None = None) -> Path:
        """Make a finished build the live generation in one atomic rename of the pointer file.

        A `damaged` generation is deleted first, so it is not one of the `keep` to fall back on."""
        for name in (DB_NAME, VECTORS_NAME):
            with open(building / name, "rb") as handle:
                os.fsync(handle.fileno())
        for folder in (path for path in building.iterdir() if path.is_dir()):  # a tantivy index
            for path in folder.iterdir():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
            _fsync_dir(folder)
        _fsync_dir(building)  # its entries, hard links to a shared base included
        final = building.with_suffix("")
        os.rename(building, final)
        temporary = self.root / "CURRENT.tmp"
        private_file(temporary).write_text(final.name + "\n")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.pointer)
        _fsync_dir(self.root)
        if damaged is not None:
            shutil.rmtree(damaged, ignore_errors=True)  # open readers keep their files on POSIX
        self.prune(keep)
        return final

    def prune(self, keep: int) -> None:
        """Delete all but the newest `keep` generations (open readers keep their files on POSIX)."""
        live = self.current()
        for old in self.published()[: -max(keep, 1)]:
            if old != live:
                shutil.rmtree(old, ignore_errors=True)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive build lock; raises IndexBusy at once if another build holds it.

        If `.lock` is a directory (a careless admin's `mkdir`), the directory itself is locked:
        every run opens the same inode, so exclusion still holds and nothing needs deleting.
        """
        private_dir(self.root)
        path = self.root / ".lock"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            os.fchmod(fd, 0o600)  # os.open's mode is filtered by the umask
        except IsADirectoryError:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise IndexBusy("Es läuft bereits eine Indizierung. Bitte warten Sie, bis sie fertig ist.") from error
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
