"""Nothing unusable leaves the embedding cache: bad vectors are re-embedded, a damaged file is set aside."""
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, IndexSettings, build_index
from indexer.generations import DB_NAME, VECTORS_NAME, Generations
from indexer.vectors import load_vectors
from tests.fakes import FakeEmbedder

DOCS = {
    "a.md": ("Diensthandy", "Ein Diensthandy beantragen Sie im Serviceportal der IT."),
    "b.md": ("VPN", "Der VPN-Zugang braucht eine Multi-Faktor-Authentifizierung."),
    "c.md": ("Urlaub", "Urlaub beantragen Sie im Personalportal nach TVöD."),
    "d.md": ("Kantine", "Die Kantine öffnet um acht Uhr."),
}


@pytest.fixture
def settings(tmp_path: Path) -> IndexSettings:
    for rel, (title, body) in DOCS.items():
        (tmp_path / "knowledge").mkdir(exist_ok=True)
        (tmp_path / "knowledge" / rel).write_text(f"---\ntitle: {title}\n---\n\n{body}\n", encoding="utf-8")
    settings = IndexSettings(knowledge_dir=tmp_path / "knowledge", data_dir=tmp_path / "var", model="fake-cache",
                             progress=False)
    build_index(settings, embedder=FakeEmbedder("fake-cache"))
    return settings


def change_a_document(settings: IndexSettings) -> None:
    (settings.knowledge_dir / "a.md").write_text("---\ntitle: Diensthandy\n---\n\nDas Diensthandy kommt per Post.\n")


def published_vectors(settings: IndexSettings) -> np.ndarray:
    index = load_vectors(Generations(settings.index_dir).current() / VECTORS_NAME)
    return index.index.reconstruct_n(0, index.ntotal)


def test_unusable_cached_vectors_are_re_embedded_never_published(settings):
    with sqlite3.connect(Generations(settings.index_dir).current() / DB_NAME) as db:
        keys = [key for (key,) in db.execute(
            "SELECT vector_key FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path != 'a.md' ORDER BY path")]
    db.close()
    with sqlite3.connect(settings.cache_path) as db:
        bad = {keys[0]: np.zeros(64, np.float32), keys[1]: np.full(64, np.nan, np.float32),
               keys[2]: np.ones(32, np.float32)}  # b, c, d: zero, not finite, wrong dimension
        db.executemany("UPDATE vectors SET vector = ? WHERE key = ?", [(v.tobytes(), k) for k, v in bad.items()])
    db.close()
    change_a_document(settings)
    embedder = FakeEmbedder("fake-cache")
    report = build_index(settings, embedder=embedder)
    # the changed a.md, and b, c, d again (chunk inputs start with their title line; the rest are answer units)
    assert report.chunks_embedded == 4 and sum("\n" in text for text in embedder.encoded) == 4
    assert any("3 unbrauchbare Vektoren" in repair for repair in report.repairs)
    vectors = published_vectors(settings)
    assert vectors.shape == (4, 64) and np.isfinite(vectors).all()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert Index(settings, embedder=embedder).search("Wann öffnet die Kantine?").best.source == "d.md"


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(os.urandom(p.stat().st_size)),
    lambda p: os.truncate(p, p.stat().st_size // 2),
], ids=["random", "truncated"])
def test_a_damaged_cache_file_is_moved_aside_and_recreated(settings, damage):
    damage(settings.cache_path)
    change_a_document(settings)
    embedder = FakeEmbedder("fake-cache")
    report = build_index(settings, embedder=embedder)
    assert report.chunks_embedded == 4, "everything is embedded again"
    assert any("Einbettungs-Cache war beschädigt" in repair and "neu angelegt" in repair for repair in report.repairs)
    backups = list(settings.cache_path.parent.glob("embeddings.db.beschaedigt-*"))
    assert [b.name for b in backups if not b.name.endswith(("-wal", "-shm"))]
    with sqlite3.connect(settings.cache_path) as db:
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == 8  # 4 chunks and their 4 sentences
    db.close()
    assert Index(settings, embedder=embedder).search("Wann öffnet die Kantine?").best.source == "d.md"


def test_read_into_fills_rows_of_usable_vectors_and_counts_the_rest(tmp_path: Path) -> None:
    from indexer.cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "cache.db")
    good = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    cache.put_many("m", {"gut": good, "null": np.zeros(3, np.float32), "kurz": np.ones(2, np.float32)})
    out = np.full((4, 3), 7.0, dtype=np.float32)
    assert cache.read_into("m", ["gut", "null", "kurz", "fehlt"], out) == 3
    assert out[0].tolist() == good.tolist() and (out[1:] == 7.0).all()
    assert cache.missing("m", ["gut", "null", "kurz"], 3) == ["null", "kurz"]  # unusable ones were dropped
    cache.close()
