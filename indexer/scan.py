"""Find the files below the knowledge folder that can be indexed, and say why others are left out.

Hostile entries cost at most their own skip: symlink loops, names that are not UTF-8 or that hold
control characters (a newline in a name would forge lines in `lotse search` output, so such names
are skipped and shown escaped), FIFOs, sockets and devices (opening a FIFO blocks) are reported.
"""
from __future__ import annotations

import errno
import os
import stat as stat_mode
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .readers.errors import UnreadableDocument
from .records import Skipped
from .readers import READERS
from .settings import FOLDER_FILE

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KINDS = {
    stat_mode.S_IFIFO: "FIFO", stat_mode.S_IFSOCK: "Socket", stat_mode.S_IFCHR: "Gerätedatei",
    stat_mode.S_IFBLK: "Gerätedatei", stat_mode.S_IFDIR: "Ordner",
}


@dataclass
class SourceFile:
    """A candidate file: its path relative to the knowledge root and what `stat` says of it."""

    rel: str
    location: str  # the full path as a string: a Path per scanned file would cost more than its stat
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.location)


def _unsafe_char(char: str) -> bool:
    """Control, line-breaking and text-direction characters: they change how a printed line looks."""
    return unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in _BIDI_CONTROLS


def display_path(rel: str) -> str:
    """A path safe to print on one line: undecodable bytes as \\xNN, control characters escaped."""
    text = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return "".join(char.encode("unicode_escape").decode("ascii") if _unsafe_char(char) else char for char in text)


def _name_problem(rel: str) -> str | None:
    """Why a path cannot be indexed as it is named, or None."""
    if rel.isprintable():  # the common case: no control, format or separator character at all
        return None
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "Dateiname ist kein gültiges UTF-8 (bitte umbenennen)"
    if any(_unsafe_char(char) for char in rel):
        return "Dateiname enthält Steuerzeichen wie Zeilenumbrüche (bitte umbenennen)"
    return None


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a symbolic link cannot be followed (a loop, nothing behind it, outside the root), or None."""
    try:
        target = path.resolve(strict=True)
    except (RuntimeError, OSError) as error:  # RuntimeError: a loop (Python < 3.13)
        looping = isinstance(error, RuntimeError) or getattr(error, "errno", None) == errno.ELOOP
        return "Verknüpfung führt im Kreis" if looping else "Verknüpfung zeigt ins Leere"
    try:
        target.relative_to(root)
    except ValueError:
        return "Verknüpfung zeigt außerhalb des Wissensordners"
    return None


def _suffix(name: str) -> str:
    """The file name's extension as Path.suffix gives it ("" for "x." and ".x")."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _is_dir(entry: os.DirEntry) -> bool:
    """A folder, or a link to one, as os.walk sorts entries (an unreadable entry counts as a file)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _kind_problem(mode: int) -> str | None:
    if stat_mode.S_ISREG(mode):
        return None
    return f"keine normale Datei ({_KINDS.get(stat_mode.S_IFMT(mode), 'Sonderdatei')})"


def scan_knowledge(root: Path, max_bytes: int) -> tuple[list[SourceFile], list[Skipped]]:
    """All supported files below `root` (hidden ones ignored), in walk order: a folder's files by name,
    then its sub-folders by name."""
    root = root.resolve()
    files: list[SourceFile] = []
    skipped: list[Skipped] = []

    def skip(path: Path, reason: str) -> None:
        skipped.append(Skipped(display_path(_rel(path, root)), reason))

    def unreadable_folder(error: OSError) -> None:
        skip(Path(error.filename or root), f"Ordner nicht lesbar ({error.strerror})")

    # Walked as os.walk walks (a folder's files, then its sub-folders, all sorted by name), with
    # os.scandir: entries know their type without extra calls, paths stay strings until a file is
    # kept, and each name is checked once (its folders were checked on the way down).
    pending = [(root, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as found:
                entries = sorted((entry for entry in found if not entry.name.startswith(".")), key=lambda entry: entry.name)
        except OSError as error:
            unreadable_folder(error)
            continue
        kinds = [(entry, _is_dir(entry)) for entry in entries]
        folders: list[tuple[Path, str]] = []
        for entry, _ in filter(lambda kind: kind[1], kinds):
            rel = prefix + entry.name
            problem = _name_problem(entry.name)
            if entry.is_symlink():  # never walked: files inside the root are found by their real path
                problem = problem or _link_problem(Path(entry.path), root)
            elif not problem:
                folders.append((Path(entry.path), rel + "/"))
            if problem:
                skipped.append(Skipped(display_path(rel), problem))
        for entry, _ in filter(lambda kind: not kind[1], kinds):
            if entry.name == FOLDER_FILE:  # folder defaults: read by indexer/folders.py
                continue
            rel, suffix = prefix + entry.name, _suffix(entry.name)
            problem = _name_problem(entry.name)
            if problem is None and entry.is_symlink():
                problem = _link_problem(Path(entry.path), root)
            if problem is None and suffix.lower() not in READERS:
                problem = f"Dateiformat {suffix or '(ohne Endung)'} wird nicht unterstützt"
            if problem is None:
                try:
                    stat = entry.stat()
                except OSError as error:
                    problem = f"nicht lesbar ({error.strerror})"
                else:
                    problem = _kind_problem(stat.st_mode) or _size_problem(stat.st_size, max_bytes)
            if problem:
                skipped.append(Skipped(display_path(rel), problem))
            else:
                files.append(SourceFile(rel, entry.path, stat.st_size, stat.st_mtime_ns))
        pending.extend(reversed(folders))
    return files, skipped


def _size_problem(size: int, max_bytes: int) -> str | None:
    if size <= max_bytes:
        return None
    return f"zu groß ({size / 1e6:.1f} MB, Grenze {max_bytes / 1e6:.1f} MB)"


def read_source(source: SourceFile, max_bytes: int) -> bytes:
    """The bytes of a scanned file, checked again on the open handle.

    The file may have become a FIFO or grown since the scan: it is opened without blocking,
    checked with fstat, and read only up to the limit. Raises UnreadableDocument with the reason.
    """
    try:
        fd = os.open(source.location, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise UnreadableDocument(f"nicht lesbar ({error.strerror})") from error
    with os.fdopen(fd, "rb") as handle:
        problem = _kind_problem(os.fstat(fd).st_mode)
        if problem:
            raise UnreadableDocument(problem)
        os.set_blocking(fd, True)
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise UnreadableDocument(f"nicht lesbar ({error.strerror})") from error
    if len(data) > max_bytes:
        raise UnreadableDocument(_size_problem(len(data), max_bytes) or "zu groß")
    return data


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
