"""Embedding while reading (`embed_while_reading`) builds exactly the index the sequential run builds."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from indexer import IndexSettings, build_index
from indexer.generations import DB_NAME, VECTORS_NAME, Generations
from indexer.health import file_digest

REPO = Path(__file__).resolve().parent.parent


def contents(settings: IndexSettings) -> tuple[list, list, list, str]:
    """Documents, chunks, FTS rows and the vector file's digest of the live generation."""
    live = Generations(settings.index_dir).current()
    with sqlite3.connect(live / DB_NAME) as db:
        documents = db.execute("SELECT id, path, title, content_hash, meta FROM documents ORDER BY id").fetchall()
        chunks = db.execute("SELECT id, document_id, position, text, heading_path, vector_key FROM chunks ORDER BY id").fetchall()
        fts = db.execute("SELECT rowid, title, headings, body FROM chunks_fts ORDER BY rowid").fetchall()
    return documents, chunks, fts, file_digest(live / VECTORS_NAME)


def test_overlapped_pipeline_builds_a_byte_identical_index(tmp_path, embedder):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    for source in sorted((REPO / "knowledge").rglob("*.md"))[:6]:  # more slices, and text seen twice
        (knowledge / f"kopie-{source.name}").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    reports, built = [], []
    for overlapped in (False, True):
        settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / f"var-{overlapped}", progress=False,
                                 embed_while_reading=overlapped, batch_size=8)
        reports.append(build_index(settings, embedder=embedder))
        built.append(contents(settings))
    sequential, overlapped = built
    assert reports[0].chunks_embedded == reports[1].chunks_embedded > 8 + 16 + 32  # several slices (8, 16, 32, 64 texts)
    assert len(sequential[1]) > reports[0].chunks_embedded  # copies: some texts are embedded once for two chunks
    assert sequential == overlapped


def test_a_run_with_nothing_to_embed_never_loads_the_model(tmp_path, monkeypatch):
    """Removing a document re-checks every chunk against the cache, but loads no model for it
    (answer-unit vectors, which still load it, are off here)."""
    from indexer import build as build_module
    from tests.fakes import FakeEmbedder

    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in ("a", "b"):
        (knowledge / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n\nText über {name} und mehr.\n", encoding="utf-8")
    for overlapped in (False, True):
        settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / f"var-{overlapped}", model="fake-lazy",
                                 progress=False, embed_while_reading=overlapped, unit_vectors=False)
        assert build_index(settings, embedder=FakeEmbedder("fake-lazy")).chunks_embedded == 2
    (knowledge / "b.md").unlink()

    def refuse(spec):
        raise AssertionError(f"model {spec} loaded for a run with nothing to embed")

    monkeypatch.setattr(build_module, "load_embedder", refuse)
    for overlapped in (False, True):
        settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / f"var-{overlapped}", model="fake-lazy",
                                 progress=False, embed_while_reading=overlapped, unit_vectors=False)
        report = build_index(settings)
        assert (report.removed, report.chunks_embedded, report.chunks_total) == (1, 0, 1)
