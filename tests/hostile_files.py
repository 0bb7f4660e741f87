"""Hostile entries for a knowledge folder, shared by the scan tests and the hostile-corpus test."""
from __future__ import annotations

import os
import socket
import stat
from pathlib import Path


def make_link_loops(folder: Path) -> list[str]:
    """Symlink loops between two files and between two links, and folders linking to each other.

    Returns the names (relative to `folder`) that must be reported as loops; the folders
    `eins` and `zwei` stay walkable.
    """
    os.symlink("b.md", folder / "a.md")
    os.symlink("a.md", folder / "b.md")
    os.symlink("kreis-2", folder / "kreis-1")
    os.symlink("kreis-1", folder / "kreis-2")
    for here, there in (("eins", "zwei"), ("zwei", "eins")):
        (folder / here).mkdir(exist_ok=True)
        os.symlink(f"../{there}", folder / here / f"zu-{there}")
    return ["a.md", "b.md", "kreis-1", "kreis-2"]


def make_special_files(folder: Path) -> dict[str, str]:
    """A FIFO, a socket and (where allowed) a character device; name → the kind the report names."""
    os.mkfifo(folder / "rohr.md")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(folder / "steckdose.txt"))
    listener.close()
    kinds = {"rohr.md": "FIFO", "steckdose.txt": "Socket"}
    try:
        os.mknod(folder / "geraet.md", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
        kinds["geraet.md"] = "Gerätedatei"
    except PermissionError:
        pass  # no CAP_MKNOD: devices go through the same type check as FIFOs and sockets
    return kinds
