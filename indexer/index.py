"""`Index`: the one entry point for reading the index; follows new generations by itself."""
from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from .embedder import Embedder, load_embedder
from .generations import DB_NAME, Generations
from .health import DamagedGeneration, open_store
from .search import SearchResult, Snapshot
from .records import DocumentInfo
from .settings import IndexSettings, SearchSettings
from .store import SCHEMA_VERSION, IndexStore

log = logging.getLogger(__name__)
T = TypeVar("T")


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
        self._pointer: bytes | None = None
        self.problem: str | None = None  # damage found on opening, and what was done about it
        self._switch = threading.Lock()
        self._opening: threading.Thread | None = None  # a new generation being opened in the background

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model)
        return self._embedder

    def _current_snapshot(self) -> Snapshot:
        pointer = self._generations.pointer_state()
        snapshot = self._snapshot
        if snapshot is not None and self._pointer == pointer:
            return snapshot
        if snapshot is not None and snapshot.chunk_count >= self.settings.background_switch_above:
            self._open_in_background()
            return snapshot
        with self._switch:
            if self._snapshot is None or self._pointer != pointer:
                # The old snapshot stays usable for searches that are still running on it.
                self._snapshot, self.problem = self._open_best()
                self._pointer = pointer
            return self._snapshot

    def _open_in_background(self) -> None:
        """Open the new live generation on a thread while questions are answered from the old one."""
        with self._switch:
            if self._opening is not None and self._opening.is_alive():
                return
            self._opening = threading.Thread(target=self._switch_over, name="open-generation", daemon=True)
            self._opening.start()

    def _switch_over(self) -> None:
        pointer = self._generations.pointer_state()
        try:
            snapshot, problem = self._open_best()
        except Exception:  # noqa: BLE001 - the old snapshot keeps answering; the next question retries
            log.exception("Index: die neue Generation ließ sich nicht öffnen; es antwortet weiter die bisherige.")
            return
        with self._switch:
            self._snapshot, self.problem, self._pointer = snapshot, problem, pointer

    def wait_for_switch(self, timeout: float | None = None) -> bool:
        """Wait until a background switch to a new generation has finished; False on timeout."""
        opening = self._opening
        if opening is not None:
            opening.join(timeout)
            return not opening.is_alive()
        return True

    def _open_best(self) -> tuple[Snapshot, str | None]:
        """The live generation if intact, else the newest intact older one, and what went wrong."""
        candidates = self._generations.candidates()
        if not candidates:
            raise IndexNotReady("Es gibt noch keinen Index. Bitte zuerst `lotse index` ausführen.")
        live = self._generations.current()
        damage = self._generations.pointer_problem()
        for directory in candidates:
            try:
                self._check_readable(directory)
                snapshot = Snapshot(directory, self.embedder, self.search_settings)
            except (DamagedGeneration, sqlite3.DatabaseError) as error:
                damage = damage or f"Generation {Generations.number(directory)} ist beschädigt: {error}"
                log.warning("Index: %s", damage)
                continue
            except IndexNotReady:
                if directory == live:
                    raise
                continue  # an older generation of another version or model
            if damage is None:
                return snapshot, None
            problem = (f"{damage}. Verwendet wird die neueste intakte Generation {snapshot.generation}; "
                       "bitte `lotse index` ausführen, um den Index neu aufzubauen.")
            log.warning("Index: %s", problem)
            return snapshot, problem
        raise IndexNotReady(f"{damage}, und es gibt keine intakte ältere Generation. "
                            "Bitte `lotse index` ausführen, um den Index neu aufzubauen.")

    def _check_readable(self, directory: Path) -> None:
        """Refuse, with a clear instruction, an index of another schema version or model;
        DamagedGeneration if its database cannot be read."""
        store = open_store(directory)
        try:
            manifest = store.manifest()
        except sqlite3.DatabaseError as error:
            raise DamagedGeneration(f"{DB_NAME} ist unlesbar ({error})") from error
        finally:
            store.close()
        if (manifest.get("signature") or {}).get("schema_version") != SCHEMA_VERSION:
            raise IndexNotReady("Der Index stammt von einer anderen Programmversion. Bitte `lotse index` ausführen.")
        if manifest.get("model") != self.settings.model:
            raise IndexNotReady("Der Index wurde mit einem anderen Modell gebaut. Bitte `lotse index` ausführen.")

    @property
    def generation_served(self) -> int:
        """Number of the generation questions are answered from (behind `generation` while a new
        one opens in the background)."""
        return self._snapshot.generation if self._snapshot is not None else 0

    @property
    def generation(self) -> int:
        """Number of the live generation on disk (0 before the first build)."""
        return Generations.number(self._generations.current())

    def search(
        self, query: str, k: int | None = None, groups: Iterable[str] = (), per_document: bool | None = None
    ) -> SearchResult:
        """Hybrid search for `query` as seen by a member of `groups`."""
        return self._on_intact(lambda snapshot: snapshot.search(query, k or self.search_settings.k, groups, per_document))

    def _on_intact(self, read: Callable[[Snapshot], T]) -> T:
        """Run `read` on the current snapshot; if its files turn out damaged while open, verify
        again (falling back to the newest intact generation) and run it once more."""
        snapshot = self._current_snapshot()
        try:
            return read(snapshot)
        except sqlite3.DatabaseError as error:
            log.warning("Index: Generation %s ist beim Lesen beschädigt (%s); sie wird neu geprüft.",
                        snapshot.generation, error)
            with self._switch:
                if self._snapshot is snapshot:
                    self._snapshot = None  # the next call opens and verifies again
            return read(self._current_snapshot())

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
            "problem": self.problem,
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
        return self._on_intact(lambda snapshot: snapshot.lead(path, sentences))

