"""The lexical side with top-k pruning: a tantivy index of the analysed chunk terms.

FTS5's bm25() scores every row that holds any query term; tantivy's block-max WAND skips blocks
of postings that cannot reach the current top k. Analysis stays in indexer/analysis.py: tantivy
gets the FTS5 columns' terms, already analysed, split at spaces. The three columns go into one
field, each term repeated by its (whole-number) column weight (title 3, headings 2, body 1): a
term's frequency is then FTS5's weighted sum, and a question stays a plain union of term queries,
the case block-max WAND handles. Length normalisation counts the repeated terms and the idf is
tantivy's ln(1 + (N − n + 0.5) / (n + 0.5)), so tantivy's ranking only picks the candidates; their
scores come from FTS5's formula (lexical.py, bm25.py).

The index lives in the generation folder (`lexical/`); its files are written once and never
changed, so a delta generation links them and adds its own segment (see `extend_tantivy`).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import tantivy

from .private_files import private_dir, private_file

LEXICAL_DIR = "lexical"
BASE_LEXICAL = "base.lexical"  # a delta generation's link to its base's files
FTS5, TANTIVY = "fts5", "tantivy"  # the kinds in the manifest's `lexical` record
ID, TERMS = "id", "terms"
HEAP = 64_000_000  # writer memory before it flushes a segment
# Up to this many excluded chunks the pruned search asks for limit + excluded hits and drops them;
# more are left out inside the query. Measured on 200,000 rows, 6-term questions: 2,000 excluded
# 1.7 ms against 9.0 ms inside the query, 20,000 excluded 12.6 against 19.5 ms (CPU p50).
OVERFETCH_UP_TO = 20_000
_LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field(ID, indexed=True, fast=True)
    builder.add_text_field(TERMS, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


def weighted_terms(columns: Sequence[str | None], weights: Sequence[float]) -> str:
    """One row's FTS5 columns as one text, each column repeated by its (whole-number) weight."""
    return " ".join(" ".join([column] * int(weight)) for column, weight in zip(columns, weights) if column)


def _commit(writer: tantivy.IndexWriter, directory: Path) -> None:
    writer.commit()
    writer.wait_merging_threads()
    # Tantivy creates its files with the umask's mode; its lock files stay (0600, empty), since
    # a reader would otherwise create one when it opens the index.
    for path in directory.iterdir():
        private_file(path)


def _add(writer: tantivy.IndexWriter, rows: Iterable[tuple[int, str | None, str | None, str | None]],
         weights: Sequence[float]) -> int:
    count = 0
    for chunk_id, *columns in rows:
        writer.add_document(tantivy.Document(id=int(chunk_id), terms=weighted_terms(columns, weights)))
        count += 1
    return count


def write_tantivy(directory: Path, rows: Iterable[tuple[int, str | None, str | None, str | None]],
                  weights: Sequence[float]) -> int:
    """A new tantivy index in `directory` (created) from FTS rows (chunk id, title, headings, body);
    returns the number of documents."""
    private_dir(directory)
    index = tantivy.Index(_schema(), path=str(directory), reuse=False)
    writer = index.writer(HEAP, 1)
    count = _add(writer, rows, weights)
    _commit(writer, directory)
    return count


def extend_tantivy(source: Path, directory: Path, removed: Iterable[int],
                   rows: Iterable[tuple[int, str | None, str | None, str | None]], weights: Sequence[float]) -> int:
    """`directory` as `source` (linked, never written: tantivy writes new files only) minus the
    `removed` chunk ids plus new rows; returns the number of documents added."""
    private_dir(directory)
    for path in source.iterdir():
        if path.name not in _LOCKS:
            os.link(path, directory / path.name)
    # meta.json and .managed.json are replaced by tantivy (write, then rename): copies keep it that way
    for name in ("meta.json", ".managed.json"):
        if (directory / name).exists():
            (directory / name).unlink()
            shutil.copyfile(source / name, private_file(directory / name))
    index = tantivy.Index.open(str(directory))
    writer = index.writer(HEAP, 1)
    for chunk_id in removed:
        writer.delete_documents_by_term(ID, int(chunk_id))
    count = _add(writer, rows, weights)
    _commit(writer, directory)
    return count


def tantivy_files(directory: Path) -> list[Path]:
    """The files a tantivy index folder holds (lock files aside)."""
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name not in _LOCKS)


class TantivyLexical:
    """BM25 with block-max WAND over one generation's `lexical/` index; safe to search from any thread."""

    def __init__(self, directory: Path) -> None:
        self.index = tantivy.Index.open(str(directory))
        self.index.config_reader(reload_policy="Manual")
        self.searcher = self.index.searcher()
        self.schema = self.index.schema

    def count(self) -> int:
        return self.searcher.num_docs

    def search(self, terms: Sequence[str], limit: int, excluded: np.ndarray) -> list[tuple[int, float]]:
        """The `limit` best (chunk id, score) of the rows holding any of `terms`, best first;
        `excluded` chunk ids never appear (left out in the query or dropped after it)."""
        if not terms or limit <= 0:
            return []
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, TERMS, term)) for term in terms]
        fetch = limit
        if len(excluded) <= OVERFETCH_UP_TO:
            fetch += len(excluded)
            query = tantivy.Query.boolean_query(should)
        else:
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, tantivy.Query.boolean_query(should)),
                (tantivy.Occur.MustNot, tantivy.Query.term_set_query(self.schema, ID, excluded.tolist())),
            ])
        hits = self.searcher.search(query, fetch, count=False).hits
        if not hits:
            return []
        ids = self.searcher.fast_field_values(ID, [address for _, address in hits])
        banned = set(excluded.tolist())
        found = [(int(chunk_id), float(score)) for (score, _), chunk_id in zip(hits, ids)
                 if chunk_id is not None and int(chunk_id) not in banned]
        return found[:limit]
