"""Storing parsed documents as they arrive, so a run never holds the changed part of the corpus.

Compound splitting knows the words of the whole index, so a chunk's FTS terms can only be made
once every new text has been counted. The run used to keep every parsed document until then. Now
each document goes into the new generation at once (document, chunks, glossary) and leaves only its
word counts behind; `finish` settles the vocabulary exactly as a from-scratch build would have it,
re-analyses kept chunks whose splitting changed (otherwise incremental runs drift from a fresh
build: words of deleted documents stay known, new parts never split old compounds), and then
writes the FTS rows of the new chunks, reading them back from SQLite in batches.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable

from .analysis import Analyzer
from .cache import text_key
from .chunking import embedding_input
from .fts_rows import fts_rows
from .glossary import glossary_entries, is_glossary
from .records import Chunk, IndexReport, ParsedDocument
from .scan import SourceFile
from .store import IndexStore, NewChunk, StoredDocument

DOCUMENTS_PER_STEP = 50  # new documents whose chunks `finish` analyses and inserts at a time


def document_words(title: str, chunks: list[Chunk]) -> Counter[tuple[str, bool]]:
    """The word counts a document adds to the vocabulary: its title, heading paths and chunk texts
    (`IndexStore.document_texts` gives the same texts back when it leaves)."""
    return Analyzer.count_words((title, *(chunk.heading_path for chunk in chunks), *(chunk.text for chunk in chunks)))


def chunks_and_words(document: ParsedDocument, chunk: Callable[[ParsedDocument], list[Chunk]]
                     ) -> tuple[list[Chunk], Counter[tuple[str, bool]]]:
    """A document's chunks and word counts: what the parse worker hands back with the document."""
    chunks = chunk(document)
    return chunks, document_words(document.title, chunks)


class DocumentWriter:
    """Adds parsed documents to a generation's store; call `finish` once all are added."""

    def __init__(self, store: IndexStore, stored: dict[str, StoredDocument], report: IndexReport,
                 pending: Counter[tuple[str, bool]] | None = None) -> None:
        self.store, self.stored, self.report = store, stored, report
        # word-count change, applied in `finish`; `pending`: changes not yet in the store (a folded delta's)
        self.counts: Counter[tuple[str, bool]] = Counter(pending or {})
        self.new_documents: list[int] = []

    def remove(self, paths: Iterable[str]) -> None:
        """Take documents out of the generation; their words leave the vocabulary in `finish`."""
        for path in paths:
            self.counts.subtract(Analyzer.count_words(self.store.document_texts(path)))
            self.store.remove_document(path)

    def add(self, source: SourceFile, digest: str, document: ParsedDocument, chunks: list[Chunk],
            words: Counter[tuple[str, bool]] | None = None) -> None:
        """Replace (or add) the document with its chunks; FTS rows follow in `finish`. `words`: its
        `document_words`, if counted already (in the parse worker)."""
        if source.rel in self.stored:
            self.remove([source.rel])
            self.report.changed += 1
        else:
            self.report.added += 1
        self.counts.update(words if words is not None else document_words(document.title, chunks))
        rows = [NewChunk(position=chunk.position, text=chunk.text, heading_path=chunk.heading_path,
                         vector_key=text_key(embedding_input(document.title, chunk))) for chunk in chunks]
        glossary = glossary_entries(document) if is_glossary(document) else []
        self.new_documents.append(self.store.add_document(
            source.rel, document.title, digest, source.size, source.mtime_ns, document.meta, rows, glossary))

    def finish(self) -> None:
        """Settle the vocabulary, re-analyse kept chunks it changes, write the new chunks' FTS rows."""
        store = self.store
        previous = Analyzer(store.vocabulary())
        store.adjust_word_counts(self.counts)
        self.counts = Counter()
        vocabulary = store.vocabulary()  # a delta analyses with its base's vocabulary until the fold
        analyzer = previous if vocabulary == previous.vocabulary else Analyzer(vocabulary)
        changed = analyzer.changed_parts(previous)
        if changed and store.fts_count():  # a first build has no analysed chunk to look through
            words = analyzer.affected_words((word for word, _ in store.word_counts()), changed)
            stems = {terms[0] for terms in map(previous.terms, words) if terms}
            fresh_rows = []
            for chunk_id, title, heading_path, text, *terms in store.analysed_chunks(store.chunks_with_terms(stems)):
                fresh = [analyzer.index_text(title), analyzer.index_text(heading_path), analyzer.index_text(text)]
                if fresh != terms:
                    fresh_rows.append((chunk_id, *fresh))
            store.update_terms(fresh_rows)
        new = self.new_documents
        batches = (store.chunk_texts(new[start : start + DOCUMENTS_PER_STEP]) for start in range(0, len(new), DOCUMENTS_PER_STEP))
        for rows in fts_rows(analyzer, batches, len(new)):
            store.insert_terms(rows)
        self.new_documents = []
