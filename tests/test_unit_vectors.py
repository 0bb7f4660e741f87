"""Stored answer-unit vectors (int8, memory-mapped) against embedding the units at question time,
in whole and in delta generations."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, IndexSettings, build_index
from indexer.delta_store import has_base
from indexer.generations import Generations
from indexer.health import DamagedGeneration, open_store, verify_generation
from indexer.unit_files import BASE_PREFIX, FILES, UnitPart, UnitWriter, quantize
from indexer.unit_vectors import UnitVectors, unit_texts, unit_titles
from indexer.units import split_units
from tests.fakes import FakeEmbedder

REPO = Path(__file__).resolve().parent.parent


def test_int8_rows_keep_cosines_and_rows_per_chunk(tmp_path):
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((40, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[7] = 0.0  # a question inside a paragraph: a zero row
    writer = UnitWriter(tmp_path, 512)
    writer.add([3, 4], [10, 0], vectors[:10])  # chunk 4 has no units
    writer.add([9], [30], vectors[10:])  # ids 5-8 belong to no chunk
    assert writer.close() == 40
    part = UnitPart.open(tmp_path)
    assert part is not None and part.vectors.dtype == np.int8 and len(part.vectors) == 40
    assert [part.span(i) for i in (2, 3, 4, 5, 9, 10)] == [None, (0, 10), (10, 10), (10, 10), (10, 40), None]
    query = vectors[20] * 0.8 + vectors[21] * 0.6
    cosines = part.cosines(0, 40, query)
    assert np.abs(cosines - vectors @ query).max() < 0.01
    assert cosines[7] == 0.0
    assert np.allclose(part.cosines(10, 40, query), cosines[10:], atol=1e-6)  # rows read from the middle of the file
    rows, scales = quantize(vectors[:1])
    assert np.abs(rows.astype(np.float32) * scales[:, None] - vectors[:1]).max() <= scales[0] / 2 + 1e-7


def test_damaged_unit_files_are_not_used(tmp_path):
    writer = UnitWriter(tmp_path, 8)
    writer.add([1], [2], np.ones((2, 8), np.float32))
    writer.close()
    np.save(tmp_path / "unit_scales.npy", np.ones(3, np.float32))  # one row too many
    assert UnitPart.open(tmp_path) is None
    (tmp_path / "units.npy").unlink()
    assert UnitVectors.load(tmp_path) is None


def test_stored_unit_vectors_equal_embedding_at_question_time(sample_build, embedder):
    """Every chunk of the sample index has one stored row per answer unit, and its cosines with a
    question are those of embedding the unit texts now (within int8 rounding)."""
    live = Generations(sample_build / "var" / "index").current()
    units = UnitVectors.load(live)
    assert units is not None
    store = open_store(live)
    try:
        titles = unit_titles(store.document_titles())
        rows = store.db.execute("SELECT id, text, heading_path FROM chunks ORDER BY id").fetchall()
    finally:
        store.close()
    query = embedder.encode(["Wann und wo soll ich mich am ersten Arbeitstag einfinden?"])[0]
    stored = units.similarities([chunk_id for chunk_id, _, _ in rows], query)
    checked = 0
    for chunk_id, text, heading_path in rows:
        texts = unit_texts(split_units(text, heading_path), titles)
        assert len(stored.get(chunk_id, [])) == len(texts)
        if texts and checked < 40:
            fresh = np.array([embedder.encode([t])[0] @ query if t else 0.0 for t in texts])
            assert np.abs(stored[chunk_id] - fresh).max() < 0.01, text[:80]
            checked += 1
    assert checked == 40


def unit_rows(settings: IndexSettings) -> dict[tuple[str, int], list[float]]:
    """(document path, chunk position) → the cosines of its units with a fixed direction."""
    live = Generations(settings.index_dir).current()
    store = open_store(live)
    try:
        rows = store.db.execute(
            "SELECT c.id, d.path, c.position FROM chunks c JOIN documents d ON d.id = c.document_id").fetchall()
    finally:
        store.close()
    query = np.linspace(-1, 1, 64).astype(np.float32)
    found = UnitVectors.load(live).similarities([chunk_id for chunk_id, _, _ in rows], query)
    return {(path, position): np.round(found.get(chunk_id, np.zeros(0)), 4).tolist() for chunk_id, path, position in rows}


def requoted(live: Path) -> set[str]:
    """Paths of the base documents some of whose chunks have unit rows in the delta's own files."""
    own = UnitPart.open(live)
    store = open_store(live)
    try:
        rows = store.db.execute("SELECT c.id, d.path FROM base.chunks c JOIN base.documents d ON d.id = c.document_id")
        return {path for chunk_id, path in rows if (span := own.span(chunk_id)) and span[1] > span[0]}
    finally:
        store.close()


def test_a_delta_carries_the_changed_documents_units_and_links_the_base(tmp_path):
    """Add, change, rename (a changed title that other documents quote) and delete in delta
    generations: the unit vectors equal a fresh build's for every chunk, the base's files are
    linked, not copied."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    embedder = FakeEmbedder("fake-units")
    settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "var", model="fake-units", progress=False,
                             delta_above=0, delta_share=100.0, keep_generations=20)
    build_index(settings, embedder=embedder)
    generations = Generations(settings.index_dir)
    base = generations.current()
    inodes = [os.stat(base / name).st_ino for name in FILES]
    faq = knowledge / "faq" / "diensthandy-beantragen.md"
    title = "Wie beantrage ich ein Diensthandy?"  # quoted in onboarding/03-geraete.md, of the base
    new = f"---\ntitle: Neu\n---\n\nSiehe auch „{title}“. Die Kantine öffnet um 11 Uhr.\n"
    steps = [
        lambda: (knowledge / "neu.md").write_text(new, encoding="utf-8"),
        lambda: faq.write_text(faq.read_text(encoding="utf-8").replace(title, "Diensthandy beantragen", 1),
                               encoding="utf-8"),
        lambda: (knowledge / "neu.md").rename(knowledge / "umbenannt.md"),
        lambda: (knowledge / "umbenannt.md").unlink(),
    ]
    for n, step in enumerate(steps):
        step()
        report = build_index(settings, embedder=embedder)
        assert not report.rebuilt
        live = generations.current()
        assert has_base(live)
        assert [os.stat(live / f"{BASE_PREFIX}{name}").st_ino for name in FILES] == inodes, "linked, not copied"
        fresh = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / f"fresh-{n}", model="fake-units",
                              progress=False, delta_above=10**9)
        build_index(fresh, embedder=embedder)
        assert unit_rows(settings) == unit_rows(fresh), n
        if n >= 1:  # the base chunk quoting the old title has its units embedded again in the delta
            assert requoted(live) == {"onboarding/03-geraete.md"}
        shutil.rmtree(fresh.data_dir)


def test_a_truncated_unit_file_marks_the_generation_damaged(tmp_path):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "a.md").write_text("---\ntitle: A\n---\n\nDie Kantine öffnet um 11 Uhr. Sie schließt um 14 Uhr.\n")
    settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "var", model="fake-units", progress=False)
    build_index(settings, embedder=FakeEmbedder("fake-units"))
    live = Generations(settings.index_dir).current()
    assert verify_generation(live)["vectors"]["units"] == 2
    path = live / "units.npy"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DamagedGeneration, match="units.npy"):
        verify_generation(live)


def test_a_search_embeds_only_the_question_even_deep_in_a_long_document(tmp_path):
    """With stored unit vectors nothing but the question is embedded, also when the answer stands
    in a chunk past the first 50 of a long document (those the reranking reads)."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    filler = " ".join(f"Verwaltungsvorgang{n} wird ordnungsgemäß dokumentiert." for n in range(40))
    sections = [f"## Abschnitt {n}\n\nThema{n} betrifft die Abteilung {n}. {filler}\n" for n in range(70)]
    sections[64] = f"## Abschnitt 64\n\nDer Wasserspender im Foyer wird jeden Montag gereinigt. {filler}\n"
    (knowledge / "lang.md").write_text("---\ntitle: Handbuch\n---\n\n" + "\n".join(sections), encoding="utf-8")
    embedder = FakeEmbedder("fake-units")
    settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "var", model="fake-units", progress=False)
    build_index(settings, embedder=embedder)
    index = Index(settings, embedder=embedder)
    embedder.encoded.clear()
    result = index.search("Wann wird der Wasserspender gereinigt?")
    assert "Wasserspender" in result.passage
    assert embedder.encoded == ["Wann wird der Wasserspender gereinigt?"]
    store = open_store(Generations(settings.index_dir).current())
    try:
        position = store.db.execute("SELECT position FROM chunks WHERE id = ?", [result.answer.chunk_id]).fetchone()[0]
    finally:
        store.close()
    assert position >= 50


def test_closing_the_unit_files_releases_their_handles(tmp_path):
    writer = UnitWriter(tmp_path, 8)
    writer.add([1], [2], np.ones((2, 8), np.float32))
    writer.close()
    part = UnitPart.open(tmp_path)
    part.close()
    assert part.vectors.file.closed and part.scales.file.closed
