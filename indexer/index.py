"""`Index`: the one entry point for reading the index; follows new generations by itself."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Iterable

from .embedder import Embedder, load_embedder
from .generations import DB_NAME, Generations
from .search import SearchResult, Snapshot
from .records import DocumentInfo
from .settings import IndexSettings, SearchSettings
from .store import SCHEMA_VERSION, IndexStore


class IndexNotReady(Exception):
    """No index has been built yet; the message tells the user what to run."""


class Index:
    """Read side of the index. Cheap to keep open; `search` switches to a newer generation,
    whoever built it, without a restart and without failing a question."""

    def __init__(
        self, settings: IndexSettings, search: SearchSettings | None = None, embedder: Embedder | None = None
    ) -> None:
        self.settings = settings
        self.search_settings = search or SearchSettings()
        self._embedder = embedder
        self._generations = Generations(settings.index_dir)
        self._snapshot: Snapshot | None = None
        self._switch = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model)
        return self._embedder

    def _current_snapshot(self) -> Snapshot:
        live = self._generations.current()
        if live is None:
            raise IndexNotReady("Es gibt noch keinen Index. Bitte zuerst `lotse index` ausführen.")
        snapshot = self._snapshot
        if snapshot is not None and snapshot.directory == live:
            return snapshot
        with self._switch:
            if self._snapshot is None or self._snapshot.directory != live:
                self._check_readable(live)
                # The old snapshot stays usable for searches that are still running on it.
                self._snapshot = Snapshot(live, self.embedder, self.search_settings)
            return self._snapshot

    def _check_readable(self, live: Path) -> None:
        """Refuse, with a clear instruction, an index of another schema version or model."""
        try:
            store = IndexStore(live / DB_NAME, readonly=True)
            try:
                manifest = store.manifest()
            finally:
                store.close()
        except sqlite3.DatabaseError:
            manifest = {}
        if (manifest.get("signature") or {}).get("schema_version") != SCHEMA_VERSION:
            raise IndexNotReady("Der Index stammt von einer anderen Programmversion. Bitte `lotse index` ausführen.")
        if manifest.get("model") != self.settings.model:
            raise IndexNotReady("Der Index wurde mit einem anderen Modell gebaut. Bitte `lotse index` ausführen.")

    @property
    def generation(self) -> int:
        """Number of the live generation on disk (0 before the first build)."""
        return Generations.number(self._generations.current())

    def search(
        self, query: str, k: int | None = None, groups: Iterable[str] = (), per_document: bool | None = None
    ) -> SearchResult:
        """Hybrid search for `query` as seen by a member of `groups`."""
        return self._current_snapshot().search(query, k or self.search_settings.k, groups, per_document)

    def stats(self) -> dict:
        """Documents, chunks, model and generation of the live index."""
        snapshot = self._current_snapshot()
        counts = snapshot.store.counts()
        manifest = snapshot.manifest
        return {
            "generation": snapshot.generation,
            "documents": counts["documents"],
            "chunks": counts["chunks"],
            "glossary_entries": counts["glossary"],
            "model": manifest.get("model"),
            "dimension": manifest.get("dimension"),
            "vectors": manifest.get("vectors"),
            "built_at": manifest.get("built_at"),
            "path": str(snapshot.directory),
        }

    def documents(self, groups: Iterable[str] | None = None) -> list[DocumentInfo]:
        """The documents of the live generation a member of `groups` may see, sorted by path.

        None means every document, restricted ones included: only for bookkeeping that shows
        nobody their content (owners' handles, a document's access); each carries its `access`."""
        docs = self._current_snapshot().documents.values()
        found = (DocumentInfo(d.path, d.title, d.meta, d.access) for d in docs)
        return sorted((d for d in found if groups is None or d.visible_to(groups)), key=lambda d: d.path)

    def document(self, path: str) -> DocumentInfo | None:
        """The document at `path` (whatever its access), or None if the index does not (or no longer) hold it."""
        return next((d for d in self.documents() if d.path == path), None)

    def lead(self, path: str, sentences: int = 2, groups: Iterable[str] = ()) -> str:
        """The first sentences of a document's first paragraph ("" for an unknown path or one that
        a member of `groups` may not see)."""
        document = self.document(path)
        if document is None or not document.visible_to(groups):
            return ""
        return self._current_snapshot().lead(path, sentences)

