"""FTS terms made in the worker process are the terms made here."""
from __future__ import annotations

from indexer.analysis import Analyzer
from indexer.chunking import chunk_document
from indexer.fts_rows import ANALYSE_APART, fts_rows, terms_of
from indexer.readers import read_document

from tests.conftest import SAMPLE_KNOWLEDGE


def test_terms_from_the_worker_equal_terms_made_here():
    rows = []
    for path in sorted(SAMPLE_KNOWLEDGE.rglob("*.md")):
        document = read_document(path.read_bytes(), path)
        rows += [(len(rows) + n, document.title, chunk.heading_path, chunk.text)
                 for n, chunk in enumerate(chunk_document(document))]
    analyzer = Analyzer(Analyzer.build_vocabulary(text for row in rows for text in row[1:]))
    batches = [rows[start : start + 7] for start in range(0, len(rows), 7)]
    here = list(fts_rows(analyzer, iter(batches), ANALYSE_APART))
    apart = list(fts_rows(analyzer, iter(batches), ANALYSE_APART + 1))
    assert len(batches) > 3 and here == apart == [terms_of(Analyzer(analyzer.vocabulary), rows) for rows in batches]
    assert any("strategi" in row[3].split() for batch in apart for row in batch)  # a compound split by the vocabulary
