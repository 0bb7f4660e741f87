"""Incremental, crash-safe indexing: knowledge folder → chunks → SQLite + FAISS generation.

A run copies the live generation, applies only what changed, embeds only text the cache has not
seen, and publishes the result atomically. Killed at any point, it leaves the live index intact.
"""
from __future__ import annotations

import functools
import itertools
import logging
import math
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from tqdm import tqdm

from .access import groups_of, narrow, sniff_access, widens
from .analysis import ANALYSIS_VERSION
from .cache import EmbeddingCache
from .delta import open_building, use_delta
from .changes import classify_changes, content_digest
from .chunking import CHUNKING_VERSION, chunk_document, embedding_input, embedding_text
from .document_writer import DocumentWriter, chunks_and_words
from .embed_stream import EmbedStream
from .read_ahead import read_ahead
from .embedder import Embedder, load_embedder, token_counter, worker_preload
from .folders import FolderDefaults
from .generations import VECTORS_NAME, Generations
from .health import DamagedGeneration, file_digest, open_store, verify_generation
from .lexical_files import write_lexical
from .lint import metadata_warnings
from .parse_pool import ParsePool
from .private_files import private_dir
from .readers import READER_VERSION, UnreadableDocument, supported_formats
from .records import Chunk, IndexReport, IndexWarning, ParsedDocument, Skipped
from .scan import SourceFile, read_source, scan_knowledge
from .settings import IndexSettings
from .store import SCHEMA_VERSION, IndexStore
from .unit_vectors import UNITS_VERSION, build_unit_vectors
from .supersede import resolve, target
from .vectors import build_vectors, save_vectors

log = logging.getLogger(__name__)

# Documents read, chunked and stored ahead of the one being embedded; only their chunk texts wait
# in between (some 25 per law), so reading can finish well before embedding does and the FTS
# analysis at its end overlaps with embedding too.
READ_AHEAD = 64

Progress = Callable[[str, int, int], None]
"""Called as (stage, done, total) while a run works; stages: 'lesen', 'einbetten'."""


class IndexingError(Exception):
    """The run could not index anything, or the store is unusable; the message is for the user."""

    def __init__(self, message: str, report: IndexReport | None = None) -> None:
        super().__init__(message)
        self.report = report


def signature(settings: IndexSettings) -> dict:
    """Everything that shapes stored chunks or vectors; any difference means a full rebuild."""
    return {
        "model": settings.model,
        "schema_version": SCHEMA_VERSION,
        "analysis_version": ANALYSIS_VERSION,
        "units": [UNITS_VERSION, settings.unit_vectors],
        "reader_version": READER_VERSION,
        "chunking": [CHUNKING_VERSION, settings.chunk_min_words, settings.chunk_max_words, settings.overlap_sentences],
    }


@dataclass
class _Parsed:
    source: SourceFile
    digest: str
    document: ParsedDocument
    chunks: list[Chunk]
    words: Counter[tuple[str, bool]]


class _Run:
    """State of one indexing run; the public entry point is `build_index`."""

    def __init__(self, settings: IndexSettings, embedder: Embedder | None, on_progress: Progress | None,
                 folders: FolderDefaults):
        self.settings = settings
        self._embedder = embedder
        self.on_progress = on_progress
        self.folders = folders
        self.pool = ParsePool(settings.max_parse_seconds, settings.max_parse_mb, worker_preload(settings.model))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model)
        return self._embedder

    def progress(self, stage: str, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(stage, done, total)

    def parse(
        self, pool: ParsePool, source: SourceFile, max_bytes: int, stored: dict, report: IndexReport
    ) -> _Parsed | None:
        """Read (in the worker, within budget) and chunk one file; one that cannot be read is skipped.

        The bytes are read here, one file at a time, so a run never holds all changed files in memory.
        """
        data: bytes | None = None
        settings, counter = self.settings, token_counter(self.embedder)
        chunk = functools.partial(chunks_and_words, chunk=functools.partial(
            chunk_document, count_tokens=counter or self.embedder.count_tokens, max_tokens=self.embedder.max_tokens,
            min_words=settings.chunk_min_words, max_words=settings.chunk_max_words, overlap=settings.overlap_sentences,
        ))
        try:
            data = read_source(source, max_bytes)
            digest = content_digest(data, self.folders.rules(source.rel).fingerprint)
            if counter is not None:  # chunked and counted in the worker too, off this process's GIL
                document, (chunks, words) = pool.parse_and_chunk(data, source.path, chunk)
            else:
                document = pool.parse(data, source.path)
            notes = self.folders.rules(source.rel).apply(document.meta)
        except UnreadableDocument as error:
            self.unreadable(source, data, str(error), stored, report)
            return None
        report.warnings.extend(IndexWarning(source.rel, note) for note in notes)
        if counter is None:
            chunks, words = chunk(document)
        return _Parsed(source, digest, document, chunks, words)

    def parse_all(self, files: list[tuple[SourceFile, str]], max_bytes: int, stored: dict, report: IndexReport,
                  cache: EmbeddingCache, writer: DocumentWriter) -> None:
        """Read, chunk and store every file, one at a time (the run never holds them all), then settle
        the vocabulary and FTS rows (`DocumentWriter.finish`).

        With `embed_while_reading` all of that runs on a thread up to READ_AHEAD documents ahead of
        this one, which embeds the chunk texts as they come: reading, storing and the FTS analysis
        overlap with embedding, and only the texts waiting to be embedded are held.
        """
        def produce() -> Iterator[list[str] | None]:
            with self.pool as pool:
                for source, _ in files:
                    item = self.parse(pool, source, max_bytes, stored, report)
                    if item is None:
                        yield []
                        continue
                    writer.add(item.source, item.digest, item.document, item.chunks, item.words)
                    yield [embedding_input(item.document.title, chunk) for chunk in item.chunks]
            yield None  # all read: the embedding side flushes while the vocabulary is settled
            writer.remove(report.withdrawn)
            writer.finish()

        overlapped = self.settings.embed_while_reading and bool(files)
        stream = EmbedStream(lambda: self.embedder, cache, self.settings.model, self.settings.batch_size,
                             self.embedder.dimension) if overlapped else None  # model loaded before the thread starts
        items = read_ahead(produce, READ_AHEAD) if overlapped else produce()
        bar = tqdm(total=len(files), desc="Lesen", unit="Datei", disable=not self.settings.progress or None)
        done = 0
        try:
            for texts in items:
                if texts is None:
                    bar.close()
                    if stream is not None:
                        report.chunks_embedded += stream.finish()
                    continue
                if stream is not None:
                    stream.add(texts)
                done += 1
                bar.update(1)
                self.progress("lesen", done, len(files))
        finally:
            if stream is not None:
                stream.close()  # a failed run leaves no slice embedding behind

    def unreadable(self, source: SourceFile, data: bytes | None, reason: str, stored: dict, report: IndexReport) -> None:
        """Skip a file; its previous version stays, unless that would show it to people the file
        (or its folder) now excludes: then it is withdrawn (fail closed) and the report says so."""
        old = stored.get(source.rel)
        if old is None:
            report.skipped.append(Skipped(source.rel, reason))
            return
        own = sniff_access(data, source.path.suffix.lower()) if data is not None else None
        if widens(groups_of(old.access), narrow(self.folders.rules(source.rel).access, own)):
            report.withdrawn.append(source.rel)
            report.skipped.append(Skipped(
                source.rel, f"{reason} – vorherige Fassung aus dem Index genommen: sie wäre für mehr Personen "
                            "sichtbar, als die Datei jetzt erlaubt",
            ))
        else:
            report.skipped.append(Skipped(source.rel, f"{reason} (vorherige Fassung bleibt im Index)"))

    def embed_missing(self, store: IndexStore, cache: EmbeddingCache, report: IndexReport) -> None:
        """Embed every chunk text the cache lacks, in chunk order and in `EmbedStream`'s slices (as
        while reading); each slice is saved at once."""
        stream = EmbedStream(lambda: self.embedder, cache, self.settings.model, self.settings.batch_size,
                             self.dimension(store))
        total, done = store.vector_count(), 0
        bar = tqdm(total=total, desc="Einbetten", unit="Abschnitt", disable=not self.settings.progress or None)
        try:
            for rows in store.embedding_inputs():
                stream.add([embedding_text(title, heading_path, text) for title, heading_path, text in rows])
                done += len(rows)
                bar.update(len(rows))
                self.progress("einbetten", done, total)
            report.chunks_embedded += stream.finish()
        finally:
            stream.close()
        bar.close()

    def dimension(self, store: IndexStore) -> int | None:
        """Length of this model's vectors: from the embedder if loaded, else from the previous manifest."""
        if self._embedder is not None:
            return self._embedder.dimension
        return store.manifest().get("dimension") or None

    def write_vectors(self, store: IndexStore, cache: EmbeddingCache, directory: Path, exact: bool = False) -> dict:
        """The generation's vector index over the store's own chunks (`exact`: flat, as a delta's); the
        vectors are read from the cache in batches straight into one array (never a second copy)."""
        ids, vectors, lacking = _gather_vectors(store, cache, self.settings.model, self.dimension(store))
        if lacking:
            raise IndexingError(f"Für {lacking} Abschnitte liefert das Modell keinen gültigen Vektor; der Index bleibt unverändert.")
        approximate_above = math.inf if exact else self.settings.approximate_above
        index, params = build_vectors(ids, vectors, approximate_above, self.settings.compact_above)
        save_vectors(index, directory / VECTORS_NAME)
        params["dimension"] = int(vectors.shape[1])
        params["sha256"] = file_digest(directory / VECTORS_NAME)
        return params


def build_index(
    settings: IndexSettings, embedder: Embedder | None = None, on_progress: Progress | None = None,
    known_groups: Iterable[str] | None = None,
) -> IndexReport:
    """Bring the index up to date with the knowledge folder; returns the run report.

    With `known_groups` (the configured access groups), documents restricted to other groups are
    reported as warnings. Raises IndexingError when the folder is missing or nothing at all could be
    indexed, and IndexBusy when another run holds the lock.
    """
    started = time.perf_counter()
    root = settings.knowledge_dir
    if not root.is_dir():
        raise IndexingError(f"Der Wissensordner {root} existiert nicht.")
    private_dir(settings.data_dir)
    generations = Generations(settings.index_dir)
    with generations.lock(), ExitStack() as cleanup:
        report = IndexReport()
        max_bytes = int(settings.max_file_mb * 1_000_000)
        files, report.skipped = scan_knowledge(root, max_bytes)
        report.seen = len(files) + len(report.skipped)
        folders = FolderDefaults(root.resolve(), [source.rel for source in files])
        report.warnings.extend(folders.warnings)
        run = _Run(settings, embedder, on_progress, folders)
        cleanup.callback(run.pool.close)  # the worker may start early (see classify_changes)
        live = generations.current()
        damage = _live_damage(generations, live)
        if damage:
            log.warning("Index: %s – er wird vollständig neu aufgebaut.", damage)
            report.repairs.append(f"{damage} – der Index wurde deshalb vollständig neu aufgebaut"
                                  + (" und die beschädigte Generation gelöscht." if live else "."))
        previous = open_store(live) if live and not damage else None
        manifest = previous.manifest() if previous is not None else {}
        rebuild = previous is None or manifest.get("signature") != signature(settings)
        stored = {} if rebuild or previous is None else previous.documents()
        changes = classify_changes(files, stored, folders, manifest.get("folder_defaults") or {}, max_bytes,
                            on_parse=run.pool.start_soon)
        as_delta = use_delta(settings, previous, rebuild, len(changes.parse) + len(changes.touched)
                             + len(changes.renamed) + len(changes.removed) + len(changes.unreadable))
        if previous is not None:
            previous.close()
        for source, reason in changes.unreadable:
            run.unreadable(source, None, reason, stored, report)
        report.unchanged = len(changes.unchanged) + len(changes.touched)
        report.renamed = len(changes.renamed)
        report.removed = len(changes.removed)
        report.rebuilt = rebuild and (live is not None or damage is not None)
        if not rebuild and changes.empty() and not report.withdrawn:
            report.generation = generations.number(live)
            report.chunks_total, documents = _live_summary(live)
            report.warnings.extend(metadata_warnings(documents, known_groups))
            report.warnings += _succession_warnings(live)
            report.seconds = time.perf_counter() - started
            return report

        building = generations.begin()
        store, pending = open_building(building, live, rebuild, as_delta)
        for old_path, source in changes.renamed:
            store.move_document(old_path, source.rel, source.size, source.mtime_ns)
        for source in changes.touched:
            store.touch_document(source.rel, source.size, source.mtime_ns)
        cache = EmbeddingCache(settings.cache_path)
        writer = DocumentWriter(store, stored, report, pending)
        # a store that starts without chunks gets all of them from reading: embedded while reading,
        # none can be missing afterwards (checking cost 0.15 s per 1,500 chunks, with the model idle)
        streamed = settings.embed_while_reading and store.vector_count() == 0
        try:
            writer.remove(changes.removed)
            run.parse_all(changes.parse, max_bytes, stored, report, cache, writer)
        except BaseException:
            cache.close()
            store.close()
            raise
        counts = store.counts()
        report.warnings.extend(metadata_warnings(store.document_metadata(), known_groups))
        if counts["documents"] == 0:
            store.close()
            cache.close()
            raise IndexingError(_nothing_indexed(report), report)
        try:
            if not streamed:
                run.embed_missing(store, cache, report)
            vector_params = run.write_vectors(store, cache, building, exact=as_delta)
            if settings.unit_vectors:
                vector_params["units"] = build_unit_vectors(
                    store, cache, lambda: run.embedder, settings.model, building, vector_params["dimension"],
                    settings.batch_size, lambda done, total: run.progress("einheiten", done, total))
            lexical = write_lexical(store, building, live, counts["chunks"], settings.tantivy_above)
        finally:
            cache.close()
        for repair in _cache_repairs(cache):
            log.warning("Index: %s", repair)
            report.repairs.append(repair)
        store.set_manifest(
            signature=signature(settings), model=settings.model, dimension=vector_params["dimension"],
            vectors=vector_params, lexical=lexical, generation=generations.number(building.with_suffix("")),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), documents=counts["documents"], chunks=counts["chunks"],
            folder_defaults=folders.hashes(),
        )
        store.commit()
        report.warnings += _succession_warnings(store)
        store.close()
        published = generations.publish(building, keep=settings.keep_generations, damaged=live if damage else None)
        report.generation = generations.number(published)
        report.chunks_total = counts["chunks"]
        report.seconds = time.perf_counter() - started
        return report


def _succession_warnings(source: IndexStore | Path) -> list[IndexWarning]:
    """Self-links and cycles in `superseded_by` (of a store or a generation's folder): those
    documents count as not superseded."""
    store = source if isinstance(source, IndexStore) else open_store(source)
    try:
        links = {path: target(successor) for path, successor in store.supersede_links().items()}
    finally:
        if store is not source:
            store.close()
    problems = resolve(links, set(links)).problems
    return [IndexWarning(path, f"{reason} – wird als nicht ersetzt behandelt")
            for path, reason in sorted(problems.items())]


def _gather_vectors(store: IndexStore, cache: EmbeddingCache, model: str,
                    dimension: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Chunk ids and their cached vectors in chunk-id order, read in batches into one preallocated
    array; also the count of chunks without a usable vector."""
    total = store.vector_count()
    batches = store.chunk_vector_key_batches()
    first = next(batches, [])
    if dimension is None and first:  # nothing was embedded and no manifest says it: ask the cache
        dimension = next(iter(cache.get_many(model, [first[0][1]]).values()), np.zeros(0)).shape[0] or None
    ids = np.empty(total, dtype=np.int64)
    vectors = np.empty((total, dimension or 0), dtype=np.float32)
    row = lacking = 0
    for batch in itertools.chain([first], batches) if first else ():
        ids[row : row + len(batch)] = [chunk_id for chunk_id, _ in batch]
        if dimension is None:
            lacking += len(batch)
        else:
            lacking += cache.read_into(model, [key for _, key in batch], vectors[row : row + len(batch)])
        row += len(batch)
    return ids, vectors, lacking


def _cache_repairs(cache: EmbeddingCache) -> list[str]:
    """What the run repaired in the embedding cache, for the report."""
    repairs = [cache.problem] if cache.problem else []
    if cache.discarded:
        repairs.append(f"{cache.discarded} unbrauchbare Vektoren im Einbettungs-Cache (falsche Länge, null oder "
                       "nicht endlich) wurden verworfen und neu eingebettet.")
    return repairs


def _live_damage(generations: Generations, live: Path | None) -> str | None:
    """What is wrong with the live generation (or the pointer to it), or None if it is intact."""
    problem = generations.pointer_problem()
    if problem or live is None:
        return problem
    try:
        verify_generation(live)
    except DamagedGeneration as error:
        return f"Generation {generations.number(live)} ist beschädigt: {error}"
    return None


def _live_summary(generation: Path) -> tuple[int, list[tuple[str, dict, str | None]]]:
    """The live generation's chunk count and document metadata (for a run with nothing to do)."""
    store = open_store(generation)
    try:
        return store.counts()["chunks"], store.document_metadata()
    finally:
        store.close()


def _nothing_indexed(report: IndexReport) -> str:
    if not report.seen:
        return f"Im Wissensordner liegen keine Dokumente (unterstützt: {supported_formats()})."
    return f"Keines der {report.seen} Dokumente konnte indiziert werden; Gründe siehe Bericht."
