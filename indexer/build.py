"""Incremental, crash-safe indexing: knowledge folder → chunks → SQLite + FAISS generation.

A run copies the live generation, applies only what changed, embeds only text the cache has not
seen, and publishes the result atomically. Killed at any point, it leaves the live index intact.
"""
from __future__ import annotations

import hashlib
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
from .analysis import ANALYSIS_VERSION, Analyzer
from .cache import EmbeddingCache, text_key
from .delta import open_building, use_delta
from .chunking import CHUNKING_VERSION, chunk_document, embedding_input, embedding_text
from .embed_stream import EmbedStream
from .read_ahead import read_ahead
from .embedder import Embedder, load_embedder
from .folders import FolderDefaults
from .generations import VECTORS_NAME, Generations
from .glossary import glossary_entries, is_glossary
from .health import DamagedGeneration, file_digest, open_store, verify_generation
from .lint import metadata_warnings
from .parse_pool import ParsePool
from .private_files import private_dir
from .readers import READER_VERSION, UnreadableDocument, supported_formats
from .records import Chunk, IndexReport, IndexWarning, ParsedDocument, Skipped
from .scan import SourceFile, read_source, scan_knowledge
from .settings import IndexSettings
from .store import SCHEMA_VERSION, IndexStore, NewChunk
from .unit_vectors import UNITS_VERSION, build_unit_vectors
from .supersede import resolve, target
from .vectors import build_vectors, save_vectors

log = logging.getLogger(__name__)

# Documents parsed ahead of the one being embedded (bounds what reading holds beyond `parsed`).
READ_AHEAD = 8

Progress = Callable[[str, int, int], None]
"""Called as (stage, done, total) while a run works; stages: 'lesen', 'einbetten'."""


class IndexingError(Exception):
    """The run could not index anything, or the store is unusable; the message is for the user."""

    def __init__(self, message: str, report: IndexReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class _Changes:
    unchanged: list[SourceFile]
    touched: list[SourceFile]
    parse: list[tuple[SourceFile, str]]  # (file, content hash); bytes are read again when parsed
    renamed: list[tuple[str, SourceFile]]
    removed: list[str]
    unreadable: list[tuple[SourceFile, str]]

    def empty(self) -> bool:
        return not (self.touched or self.parse or self.renamed or self.removed)


def signature(settings: IndexSettings) -> dict:
    """Everything that shapes stored chunks or vectors; any difference means a full rebuild."""
    return {
        "model": settings.model,
        "schema_version": SCHEMA_VERSION,
        "analysis_version": ANALYSIS_VERSION,
        "units": [UNITS_VERSION, settings.unit_vectors_up_to],
        "reader_version": READER_VERSION,
        "chunking": [CHUNKING_VERSION, settings.chunk_min_words, settings.chunk_max_words, settings.overlap_sentences],
    }


def content_digest(data: bytes, folder_fingerprint: str) -> str:
    """What decides "changed": the file's bytes, plus the folder files that apply to it (if any)."""
    digest = hashlib.sha256(data)
    if folder_fingerprint:
        digest.update(b"\0" + folder_fingerprint.encode())
    return digest.hexdigest()


def _classify(
    files: list[SourceFile], stored: dict, folders: FolderDefaults, old_folders: dict[str, str], max_bytes: int,
    on_parse: Callable[[], None] = lambda: None,
) -> _Changes:
    """Sort the scanned files by what the run does with them; `on_parse` is called when the first
    file that needs parsing is found (the run starts its parse worker then)."""
    changes = _Changes([], [], [], [], [], [])
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


@dataclass
class _Parsed:
    source: SourceFile
    digest: str
    document: ParsedDocument
    chunks: list[Chunk]


class _Run:
    """State of one indexing run; the public entry point is `build_index`."""

    def __init__(self, settings: IndexSettings, embedder: Embedder | None, on_progress: Progress | None,
                 folders: FolderDefaults):
        self.settings = settings
        self._embedder = embedder
        self.on_progress = on_progress
        self.folders = folders
        self.pool = ParsePool(settings.max_parse_seconds, settings.max_parse_mb)

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
        try:
            data = read_source(source, max_bytes)
            digest = content_digest(data, self.folders.rules(source.rel).fingerprint)
            document = pool.parse(data, source.path)
            notes = self.folders.rules(source.rel).apply(document.meta)
        except UnreadableDocument as error:
            self.unreadable(source, data, str(error), stored, report)
            return None
        report.warnings.extend(IndexWarning(source.rel, note) for note in notes)
        settings = self.settings
        chunks = chunk_document(
            document, self.embedder.count_tokens, self.embedder.max_tokens,
            settings.chunk_min_words, settings.chunk_max_words, settings.overlap_sentences,
        )
        return _Parsed(source, digest, document, chunks)

    def parse_all(self, files: list[tuple[SourceFile, str]], max_bytes: int, stored: dict, report: IndexReport,
                  cache: EmbeddingCache) -> list[_Parsed]:
        """Parse and chunk every file; with `embed_while_reading` a thread reads ahead while this
        one embeds the chunks read so far."""
        def produce() -> Iterator[_Parsed | None]:
            with self.pool as pool:
                for source, _ in files:
                    yield self.parse(pool, source, max_bytes, stored, report)

        overlapped = self.settings.embed_while_reading
        items = read_ahead(produce, READ_AHEAD) if overlapped else produce()
        stream = EmbedStream(self.embedder, cache, self.settings.model, self.settings.batch_size) if overlapped and files else None
        parsed: list[_Parsed] = []
        bar = tqdm(total=len(files), desc="Lesen", unit="Datei", disable=not self.settings.progress or None)
        for done, item in enumerate(items, start=1):
            if item is not None:
                parsed.append(item)
                if stream is not None:
                    stream.add([embedding_input(item.document.title, chunk) for chunk in item.chunks])
            bar.update(1)
            self.progress("lesen", done, len(files))
        bar.close()
        if stream is not None:
            report.chunks_embedded += stream.finish()
        return parsed

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

    def store(self, store: IndexStore, parsed: _Parsed, analyzer: Analyzer, stored: dict, report: IndexReport) -> None:
        """Replace (or add) the document in the new generation with its chunks and FTS rows."""
        document, source = parsed.document, parsed.source
        title_terms = analyzer.index_text(document.title)
        rows = [
            NewChunk(
                position=chunk.position, text=chunk.text, heading_path=chunk.heading_path,
                vector_key=text_key(embedding_input(document.title, chunk)), fts_title=title_terms,
                fts_headings=analyzer.index_text(chunk.heading_path), fts_body=analyzer.index_text(chunk.text),
            )
            for chunk in parsed.chunks
        ]
        glossary = glossary_entries(document) if is_glossary(document) else []
        if source.rel in stored:  # its old version went before the vocabulary was counted
            report.changed += 1
        else:
            report.added += 1
        store.add_document(source.rel, document.title, parsed.digest, source.size, source.mtime_ns, document.meta, rows, glossary)

    def embed_missing(self, store: IndexStore, cache: EmbeddingCache, report: IndexReport) -> None:
        """Embed, batch by batch, every chunk text the cache lacks; each batch is saved at once."""
        model = self.settings.model
        missing = set(cache.missing(model, [key for _, key in store.chunk_vector_keys()], self.dimension(store)))
        if not missing:
            return
        texts: dict[str, str] = {}
        rows = store.db.execute(
            "SELECT c.vector_key, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id"
        )
        for key, title, heading_path, text in rows:
            if key in missing and key not in texts:
                texts[key] = embedding_text(title, heading_path, text)
        keys = list(texts)
        size = self.settings.batch_size * 4
        bar = tqdm(total=len(keys), desc="Einbetten", unit="Abschnitt", disable=not self.settings.progress or None)
        for start in range(0, len(keys), size):
            batch = keys[start : start + size]
            vectors = self.embedder.encode([texts[key] for key in batch], batch_size=self.settings.batch_size)
            cache.put_many(model, dict(zip(batch, vectors)))
            report.chunks_embedded += len(batch)
            bar.update(len(batch))
            self.progress("einbetten", min(start + size, len(keys)), len(keys))
        bar.close()

    def dimension(self, store: IndexStore) -> int | None:
        """Length of this model's vectors: from the embedder if loaded, else from the previous manifest."""
        if self._embedder is not None:
            return self._embedder.dimension
        return store.manifest().get("dimension") or None

    def write_vectors(self, store: IndexStore, cache: EmbeddingCache, directory: Path, exact: bool = False) -> dict:
        """The generation's vector index over the store's own chunks (`exact`: flat, as a delta's)."""
        pairs = store.chunk_vector_keys()
        found = cache.get_many(self.settings.model, [key for _, key in pairs], self.dimension(store))
        lacking = sum(key not in found for _, key in pairs)
        if lacking:
            raise IndexingError(f"Für {lacking} Abschnitte liefert das Modell keinen gültigen Vektor; der Index bleibt unverändert.")
        ids = np.array([chunk_id for chunk_id, _ in pairs], dtype=np.int64)
        dimension = next(iter(found.values())).shape[0] if found else (self.dimension(store) or 0)
        vectors = np.vstack([found[key] for _, key in pairs]) if pairs else np.zeros((0, dimension), np.float32)
        approximate_above = math.inf if exact else self.settings.approximate_above
        index, params = build_vectors(ids, vectors, approximate_above, self.settings.compact_above)
        save_vectors(index, directory / VECTORS_NAME)
        params["dimension"] = int(dimension)
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
        cleanup.callback(run.pool.close)  # the worker may start early (see _classify)
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
        changes = _classify(files, stored, folders, manifest.get("folder_defaults") or {}, max_bytes,
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
        try:
            parsed = run.parse_all(changes.parse, max_bytes, stored, report, cache)
        except BaseException:
            cache.close()
            store.close()
            raise
        replaced = [item.source.rel for item in parsed if item.source.rel in stored]
        analyzer = _update_vocabulary(store, [*changes.removed, *replaced, *report.withdrawn], parsed, pending)
        for item in parsed:
            run.store(store, item, analyzer, stored, report)
        counts = store.counts()
        report.warnings.extend(metadata_warnings(store.document_metadata(), known_groups))
        if counts["documents"] == 0:
            store.close()
            cache.close()
            raise IndexingError(_nothing_indexed(report), report)
        try:
            run.embed_missing(store, cache, report)
            vector_params = run.write_vectors(store, cache, building, exact=as_delta)
            if not as_delta and counts["chunks"] <= settings.unit_vectors_up_to:
                vector_params["units"] = build_unit_vectors(
                    store, cache, run.embedder, settings.model, building, settings.batch_size,
                    lambda done, total: run.progress("einheiten", done, total))
        finally:
            cache.close()
        for repair in _cache_repairs(cache):
            log.warning("Index: %s", repair)
            report.repairs.append(repair)
        store.set_manifest(
            signature=signature(settings), model=settings.model, dimension=vector_params["dimension"],
            vectors=vector_params, generation=generations.number(building.with_suffix("")),
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


def _update_vocabulary(store: IndexStore, gone: list[str], parsed: list[_Parsed],
                       pending: Counter[tuple[str, bool]] | None = None) -> Analyzer:
    """Remove the `gone` documents and return the analyzer for the new texts, exactly as a
    from-scratch build would have it (`pending`: word count changes not yet in the store).

    Compound splitting knows the words of the whole index, so the word counts lose the texts of
    removed and replaced documents and gain the new ones; kept chunks holding a word whose
    splitting changes with that are analysed again. Otherwise incremental runs drift from a
    fresh build (words of deleted documents stay known, new parts never split old compounds).
    A delta store analyses with its base's vocabulary until the fold (see delta_store.py).
    """
    previous = Analyzer(store.vocabulary())
    counts: Counter[tuple[str, bool]] = Counter(pending or {})
    for path in gone:
        counts.subtract(Analyzer.count_words(store.document_texts(path)))
        store.remove_document(path)
    counts.update(Analyzer.count_words(
        text for item in parsed
        for text in (item.document.title, *(c.heading_path for c in item.chunks), *(c.text for c in item.chunks))
    ))
    store.adjust_word_counts(counts)
    vocabulary = store.vocabulary()
    analyzer = previous if vocabulary == previous.vocabulary else Analyzer(vocabulary)
    changed = analyzer.changed_parts(previous)
    if changed:
        words = analyzer.affected_words((word for word, _ in store.word_counts()), changed)
        stems = {terms[0] for terms in map(previous.terms, words) if terms}
        fresh_rows = []
        for chunk_id, title, heading_path, text, *terms in store.analysed_chunks(store.chunks_with_terms(stems)):
            fresh = [analyzer.index_text(title), analyzer.index_text(heading_path), analyzer.index_text(text)]
            if fresh != terms:
                fresh_rows.append((chunk_id, *fresh))
        store.update_terms(fresh_rows)
    return analyzer


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
