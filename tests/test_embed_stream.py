"""Embedding while reading (`embed_while_reading`) builds exactly the index the sequential run builds."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from indexer import IndexSettings, build_index
from indexer.cache import EmbeddingCache, text_key
from indexer.embed_stream import EmbedStream
from indexer.embedder import Pending, encode_soon
from indexer.generations import DB_NAME, VECTORS_NAME, Generations
from indexer.health import file_digest
from tests.fakes import FakeEmbedder

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


class _Recording:
    """A FakeEmbedder whose `encode_soon` records when slices start and when their vectors are
    taken, and can fail a slice."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.inner, self.fail_at, self.events = FakeEmbedder("fake-soon"), fail_at, []
        self.name, self.dimension, self.max_tokens = self.inner.name, self.inner.dimension, self.inner.max_tokens

    def encode(self, texts, batch_size=32):
        return self.inner.encode(texts, batch_size)

    def encode_soon(self, texts, batch_size=32):
        number = sum(event == "start" for event, _ in self.events) + 1
        self.events.append(("start", number))
        recording, failing = self, number == self.fail_at

        class Later(Pending):
            def result(self):
                recording.events.append(("result", number))
                if failing:
                    raise RuntimeError(f"slice {number} failed")
                return super().result()

            def cancel(self):
                recording.events.append(("cancel", number))

        return Later(self.inner.encode(texts, batch_size))


def test_each_slice_starts_before_the_one_ahead_is_saved(tmp_path):
    embedder, cache = _Recording(), EmbeddingCache(tmp_path / "cache.db")
    stream = EmbedStream(lambda: embedder, cache, embedder.name, batch_size=2, dimension=embedder.dimension)
    texts = [f"Text Nummer {n}" for n in range(2 + 4 + 8 + 3)]  # slices of 2, 4 and 8 texts, then 3 left
    for n in range(0, len(texts), 3):
        stream.add(texts[n:n + 3])
        if ("result", 1) not in embedder.events:
            assert not cache.get_many(embedder.name, [text_key(texts[0])])  # started, not yet saved
    assert stream.finish() == len(texts)
    assert embedder.events == [("start", 1), ("start", 2), ("result", 1), ("start", 3), ("result", 2),
                               ("start", 4), ("result", 3), ("result", 4)]
    vectors = cache.get_many(embedder.name, [text_key(text) for text in texts])
    assert len(vectors) == len(texts)
    assert all((vectors[text_key(text)] == embedder.inner.encode([text])[0]).all() for text in texts)
    cache.close()


def test_a_failed_slice_stops_the_one_behind_it(tmp_path):
    embedder, cache = _Recording(fail_at=1), EmbeddingCache(tmp_path / "cache.db")
    stream = EmbedStream(lambda: embedder, cache, embedder.name, batch_size=2, dimension=embedder.dimension)
    with pytest.raises(RuntimeError, match="slice 1 failed"):
        stream.add([f"Text {n}" for n in range(6)])  # slice 1 (2 texts) runs, slice 2 (4) starts, 1 fails
    assert embedder.events == [("start", 1), ("start", 2), ("result", 1), ("cancel", 2)]
    stream.close()  # nothing running any more
    assert embedder.events[-1] == ("cancel", 2) and stream.running is None
    cache.close()


def test_encode_soon_gives_the_vectors_of_encode_and_releases_the_blas_limit(embedder):
    texts = [f"Absatz {n}: Die Stadt Bochum regelt hier die Nummer {n} ihrer Satzung." for n in range(90)]
    first, second = encode_soon(embedder, texts[:40], 8), encode_soon(embedder, texts[40:], 8)  # both queued
    together = np.concatenate([first.result(), second.result()])
    assert together.tobytes() == np.concatenate([embedder.encode(texts[:40], 8), embedder.encode(texts[40:], 8)]).tobytes()
    assert embedder._one_blas_thread._users == 0
    abandoned = encode_soon(embedder, texts, 8)
    abandoned.cancel()  # a failed run: parts not started are dropped, running ones awaited
    assert embedder._one_blas_thread._users == 0
