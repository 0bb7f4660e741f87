"""What a run has to do: which scanned files are unchanged, only touched, new or changed, renamed,
removed or unreadable, decided by size and time first and by content digest where those differ."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from .folders import FolderDefaults
from .readers import UnreadableDocument
from .scan import SourceFile, read_source


@dataclass
class Changes:
    """The scanned files sorted by what the run does with them."""

    unchanged: list[SourceFile]
    touched: list[SourceFile]
    parse: list[tuple[SourceFile, str]]  # (file, content hash); bytes are read again when parsed
    renamed: list[tuple[str, SourceFile]]
    removed: list[str]
    unreadable: list[tuple[SourceFile, str]]

    def empty(self) -> bool:
        return not (self.touched or self.parse or self.renamed or self.removed)


def content_digest(data: bytes, folder_fingerprint: str) -> str:
    """What decides "changed": the file's bytes, plus the folder files that apply to it (if any)."""
    digest = hashlib.sha256(data)
    if folder_fingerprint:
        digest.update(b"\0" + folder_fingerprint.encode())
    return digest.hexdigest()


def classify_changes(
    files: list[SourceFile], stored: dict, folders: FolderDefaults, old_folders: dict[str, str], max_bytes: int,
    on_parse: Callable[[], None] = lambda: None,
) -> Changes:
    """Sort the scanned files by what the run does with them; `on_parse` is called when the first
    file that needs parsing is found (the run starts its parse worker then)."""
    changes = Changes([], [], [], [], [], [])
    for source in files:
        old = stored.get(source.rel)
        rules = folders.rules(source.rel)
        if (
            old and old.size == source.size and old.mtime_ns == source.mtime_ns
            and not rules.error and not folders.chain_changed(source.rel, old_folders)
        ):
            changes.unchanged.append(source)
            continue
        try:
            data = read_source(source, max_bytes)
        except UnreadableDocument as error:
            changes.unreadable.append((source, str(error)))
            continue
        digest = content_digest(data, rules.fingerprint)
        if old and old.content_hash == digest:
            changes.touched.append(source)
        else:
            if not changes.parse:
                on_parse()
            changes.parse.append((source, digest))
    seen = {source.rel for source in files}
    removed = [path for path in stored if path not in seen]
    removed_by_hash = {stored[path].content_hash: path for path in removed}
    for item in list(changes.parse):
        source, digest = item
        if source.rel not in stored and digest in removed_by_hash:
            old_path = removed_by_hash.pop(digest)
            changes.renamed.append((old_path, source))
            removed.remove(old_path)
            changes.parse.remove(item)
    changes.removed = removed
    return changes
