"""Find the files below the knowledge folder that can be indexed, and say why others are left out."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .records import Skipped
from .settings import FOLDER_FILE, SUPPORTED_SUFFIXES


@dataclass
class SourceFile:
    """A candidate file: its path relative to the knowledge root and what `stat` says of it."""

    rel: str
    path: Path
    size: int
    mtime_ns: int


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def scan_knowledge(root: Path, max_bytes: int) -> tuple[list[SourceFile], list[Skipped]]:
    """All supported files below `root` (hidden ones ignored), sorted by relative path."""
    root = root.resolve()
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                if not _inside(here / name, root):
                    skipped.append(Skipped(_rel(here / name, root), "Verknüpfung zeigt außerhalb des Wissensordners"))
        for name in sorted(filenames):
            if name.startswith(".") or name == FOLDER_FILE:  # folder defaults: read by indexer/folders.py
                continue
            path = here / name
            rel = _rel(path, root)
            if path.is_symlink() and not _inside(path, root):
                skipped.append(Skipped(rel, "Verknüpfung zeigt außerhalb des Wissensordners"))
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append(Skipped(rel, f"Dateiformat {path.suffix or '(ohne Endung)'} wird nicht unterstützt"))
                continue
            try:
                stat = path.stat()
            except OSError as error:
                skipped.append(Skipped(rel, f"nicht lesbar ({error.strerror})"))
                continue
            if stat.st_size > max_bytes:
                skipped.append(
                    Skipped(rel, f"zu groß ({stat.st_size / 1e6:.1f} MB, Grenze {max_bytes / 1e6:.1f} MB)")
                )
                continue
            files.append(SourceFile(rel, path, stat.st_size, stat.st_mtime_ns))
    return files, skipped


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
