"""Folder defaults: a `_ordner.toml` gives every file below its folder `access`, `owner`, `department`.

That is how admins restrict a whole folder of PDFs. Rules along a path combine so that nothing
widens: `access` is narrowed by every folder file on the way down and by the file itself (a file or
sub-folder may narrow, never widen); `owner` and `department` come from the nearest folder file and
only fill what the file does not say itself. A folder file that cannot be read stops every file
below it (fail closed) until it is fixed.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .access import RESTRICTED, Wish, narrow, sniff_access
from .readers.errors import UnreadableDocument
from .readers.metadata import access_groups, near_miss
from .records import IndexWarning
from .settings import FOLDER_FILE

FOLDER_KEYS = ("access", "owner", "department")
MAX_FOLDER_FILE_BYTES = 64_000


@dataclass(frozen=True)
class FolderRules:
    """What the folder files above one file say: the combined access wish, nearest owner and
    department, a fingerprint for change detection, and the error if one could not be read."""

    access: Wish = None
    owner: str | None = None
    department: str | None = None
    error: str | None = None
    fingerprint: str = ""

    def apply(self, meta: dict[str, Any]) -> list[str]:
        """Add the folder's defaults to a document's metadata; returns warnings.

        Raises UnreadableDocument when a folder file is broken or the file's own `access` has no
        group in common with the folder's (it may narrow, never widen).
        """
        if self.error:
            raise UnreadableDocument(self.error)
        for key in ("owner", "department"):
            value = getattr(self, key)
            if value and meta.get(key) in (None, ""):
                meta[key] = value
        if not isinstance(self.access, frozenset):
            return []
        folder = sorted(self.access)
        if "access" not in meta:
            meta["access"] = folder
            return []
        own = list(meta["access"])
        kept = [group for group in own if group in self.access]
        if not kept:
            raise UnreadableDocument(
                f"„access: {', '.join(own)}“ liegt außerhalb der Ordnervorgabe „{', '.join(folder)}“ "
                f"({FOLDER_FILE}); eine Datei darf den Zugriff nur einschränken"
            )
        meta["access"] = kept
        dropped = [group for group in own if group not in self.access]
        if dropped:
            return [f"Gruppe(n) {', '.join(dropped)} aus „access“ entfernt: nicht in der Ordnervorgabe ({FOLDER_FILE})"]
        return []


@dataclass
class _FolderFile:
    digest: str
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    wish: Wish = None


class FolderDefaults:
    """All folder files on the paths of the given files, read once per run."""

    def __init__(self, root: Path, rels: list[str]) -> None:
        self.root = root
        self.warnings: list[IndexWarning] = []
        self.files: dict[str, _FolderFile] = {}
        folders = {str(parent) for folder in {_folder(rel) for rel in rels} for parent in PurePosixPath(folder, "x").parents}
        for folder in sorted(folders):
            found = self._read(folder)
            if found is not None:
                self.files[folder] = found
        self._rules: dict[str, FolderRules] = {}
        self._changed: dict[str, bool] = {}

    def _rel(self, folder: str) -> str:
        return f"{folder}/{FOLDER_FILE}" if folder != "." else FOLDER_FILE

    def _read(self, folder: str) -> _FolderFile | None:
        path = self.root / folder / FOLDER_FILE
        try:
            info = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FOLDER_FILE_BYTES:
            return _FolderFile(
                f"invalid:{info.st_mode}:{info.st_size}", error=f"{self._rel(folder)}: keine normale Textdatei "
                f"bis {MAX_FOLDER_FILE_BYTES // 1000} KB – Dateien darunter werden nicht indiziert", wish=RESTRICTED,
            )
        try:
            data = path.read_bytes()
        except OSError as error:
            return _FolderFile(
                f"unreadable:{info.st_mtime_ns}", error=f"Ordnervorgaben {self._rel(folder)} nicht lesbar ({error.strerror})",
                wish=RESTRICTED,
            )
        digest = hashlib.sha256(data).hexdigest()
        try:
            values = tomllib.loads(data.decode("utf-8-sig"))
            access = access_groups(values["access"]) if "access" in values else None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, UnreadableDocument) as error:
            reason = str(error) if isinstance(error, UnreadableDocument) else "fehlerhaftes TOML"
            return _FolderFile(
                digest, error=f"Ordnervorgaben {self._rel(folder)} nicht lesbar ({reason})",
                wish=sniff_access(data, ".toml"),
            )
        for key in values:
            if key not in FOLDER_KEYS:
                guess = near_miss(key)
                hint = f" (gemeint: „{guess}“?)" if guess in FOLDER_KEYS else ""
                self.warnings.append(IndexWarning(self._rel(folder), f"unbekannter Schlüssel „{key}“{hint}; erlaubt: {', '.join(FOLDER_KEYS)}"))
        known = {key: values[key] for key in ("owner", "department") if isinstance(values.get(key), str)}
        return _FolderFile(digest, values=known, wish=frozenset(access) if access else None)

    def hashes(self) -> dict[str, str]:
        """Folder → digest of its folder file; stored in the manifest to see what changed."""
        return {folder: found.digest for folder, found in self.files.items()}

    def rules(self, rel: str) -> FolderRules:
        """The combined rules for the file at `rel` (a path below the knowledge folder)."""
        folder = _folder(rel)
        cached = self._rules.get(folder)
        if cached is None:
            chain = [str(p) for p in reversed(PurePosixPath(folder, "x").parents) if str(p) in self.files]
            access: Wish = None
            values: dict[str, Any] = {}
            error = None
            for name in chain:
                found = self.files[name]
                access = narrow(access, found.wish)
                values.update(found.values)
                error = error or found.error
            if isinstance(access, frozenset) and not access and error is None:
                error = "Ordnervorgaben widersprechen sich: keine Gruppe in „access“ bleibt übrig"
            fingerprint = json.dumps([[name, self.files[name].digest] for name in chain]) if chain else ""
            cached = FolderRules(access, values.get("owner"), values.get("department"), error, fingerprint)
            self._rules[folder] = cached
        return cached

    def chain_changed(self, rel: str, previous: dict[str, str]) -> bool:
        """Whether a folder file on the path of `rel` was added, changed or removed since `previous`
        (answered once per folder: the run asks for every file against the same `previous`)."""
        folder = _folder(rel)
        changed = self._changed.get(folder)
        if changed is None:
            changed = any(
                (current.digest if current else None) != previous.get(name)
                for name in map(str, PurePosixPath(folder, "x").parents) for current in [self.files.get(name)]
            )
            self._changed[folder] = changed
        return changed


def _folder(rel: str) -> str:
    """The folder of a path below the knowledge root, as PurePosixPath names it ("." for the root)."""
    head, _, _ = rel.rpartition("/")
    return head or "."
