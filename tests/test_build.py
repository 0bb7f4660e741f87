"""Incremental indexing: only what changed is read and embedded; bad files are skipped with a reason."""
import os
from pathlib import Path

import pytest

from indexer import Index, IndexBusy, IndexingError, IndexSettings, build_index
from indexer.generations import DB_NAME, Generations
from indexer.store import IndexStore
from tests.docx_files import docx_bytes, paragraph
from tests.fakes import FakeEmbedder

DOC = """---
title: {title}
owner: Lena Hoffmann (@lena_hoffmann)
updated: 2026-05-01
---

# {title}

## Abschnitt

{body}
"""


def write(root: Path, rel: str, title: str, body: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DOC.format(title=title, body=body), encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> IndexSettings:
    knowledge = tmp_path / "knowledge"
    write(knowledge, "a.md", "Diensthandy", "Ein Diensthandy beantragen Sie im Serviceportal der IT.")
    write(knowledge, "b.md", "VPN", "Der VPN-Zugang braucht eine Multi-Faktor-Authentifizierung.")
    write(knowledge, "sub/c.md", "Urlaub", "Urlaub beantragen Sie im Personalportal nach TVöD.")
    return IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "var", model="fake-a", progress=False)


def documents(settings: IndexSettings) -> set[str]:
    store = IndexStore(Generations(settings.index_dir).current() / DB_NAME, readonly=True)
    try:
        return set(store.documents())
    finally:
        store.close()


def test_first_run_adds_everything_second_run_does_nothing(settings):
    model = FakeEmbedder("fake-a")
    first = build_index(settings, embedder=model)
    assert (first.added, first.generation, first.chunks_total) == (3, 1, 3)
    embedded = len(model.encoded)
    second = build_index(settings, embedder=model)
    assert (second.added, second.unchanged, second.chunks_embedded, second.generation) == (0, 3, 0, 1)
    assert len(model.encoded) == embedded


def test_edit_reembeds_only_the_changed_document(settings):
    model = FakeEmbedder("fake-a")
    build_index(settings, embedder=model)
    model.encoded.clear()
    write(settings.knowledge_dir, "b.md", "VPN", "Der VPN-Zugang läuft seit 2025 über die Authenticator-App.")
    report = build_index(settings, embedder=model)
    assert (report.changed, report.unchanged, report.chunks_embedded, report.generation) == (1, 2, 1, 2)
    # the chunk and its one sentence (an answer unit); nothing of the unchanged documents
    assert model.encoded and all("Authenticator-App" in text for text in model.encoded)


def test_deleted_file_leaves_the_index(settings):
    build_index(settings, embedder=FakeEmbedder("fake-a"))
    (settings.knowledge_dir / "a.md").unlink()
    report = build_index(settings, embedder=FakeEmbedder("fake-a"))
    assert report.removed == 1 and documents(settings) == {"b.md", "sub/c.md"}


def test_renamed_or_moved_file_is_not_reembedded(settings):
    model = FakeEmbedder("fake-a")
    build_index(settings, embedder=model)
    model.encoded.clear()
    (settings.knowledge_dir / "archiv").mkdir()
    os.rename(settings.knowledge_dir / "a.md", settings.knowledge_dir / "archiv" / "handy.md")
    report = build_index(settings, embedder=model)
    assert (report.renamed, report.chunks_embedded, model.encoded) == (1, 0, [])
    assert documents(settings) == {"archiv/handy.md", "b.md", "sub/c.md"}


def test_touched_file_is_not_reembedded(settings):
    model = FakeEmbedder("fake-a")
    build_index(settings, embedder=model)
    model.encoded.clear()
    os.utime(settings.knowledge_dir / "a.md", ns=(1, 1))
    report = build_index(settings, embedder=model)
    assert (report.unchanged, report.chunks_embedded) == (3, 0)


def test_other_model_rebuilds_everything(settings):
    build_index(settings, embedder=FakeEmbedder("fake-a"))
    settings.model = "fake-b"
    other = FakeEmbedder("fake-b")
    report = build_index(settings, embedder=other)
    assert report.rebuilt and report.added == 3 and report.chunks_embedded == 3
    assert Index(settings, embedder=other).stats()["model"] == "fake-b"


def test_embedding_cache_survives_a_rebuild(settings):
    build_index(settings, embedder=FakeEmbedder("fake-a"))
    settings.model = "fake-b"
    build_index(settings, embedder=FakeEmbedder("fake-b"))
    settings.model = "fake-a"
    back = FakeEmbedder("fake-a")
    report = build_index(settings, embedder=back)
    assert report.rebuilt and report.chunks_embedded == 0 and back.encoded == []


def test_bad_input_is_skipped_with_reasons_and_the_run_goes_on(settings, tmp_path):
    root = settings.knowledge_dir
    (root / "leer.md").write_text("")
    (root / "bild.png").write_bytes(b"\x89PNG\r\n")
    (root / "binaer.txt").write_bytes(b"abc\x00def")
    (root / "kaputt.md").write_text("---\ntitle: [offen\n---\nText")
    (root / "riesig.txt").write_text("Wort " * 300_000)
    outside = tmp_path / "draussen.md"
    write(tmp_path, "draussen.md", "Geheim", "Außerhalb des Wissensordners.")
    (root / "link.md").symlink_to(outside)
    settings.max_file_mb = 1.0
    report = build_index(settings, embedder=FakeEmbedder("fake-a"))
    reasons = {item.path: item.reason for item in report.skipped}
    assert set(reasons) == {"leer.md", "bild.png", "binaer.txt", "kaputt.md", "riesig.txt", "link.md"}
    assert "außerhalb" in reasons["link.md"] and "zu groß" in reasons["riesig.txt"]
    assert report.added == 3


def test_a_file_that_breaks_keeps_its_previous_version(settings):
    build_index(settings, embedder=FakeEmbedder("fake-a"))
    (settings.knowledge_dir / "a.md").write_text("---\ntitle: [offen\n---\nText")
    report = build_index(settings, embedder=FakeEmbedder("fake-a"))
    assert "vorherige Fassung bleibt" in report.skipped[0].reason
    assert "a.md" in documents(settings)


def test_nothing_indexable_is_an_error(tmp_path):
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "leer.md").write_text("")
    settings = IndexSettings(knowledge_dir=tmp_path / "knowledge", data_dir=tmp_path / "var", progress=False)
    with pytest.raises(IndexingError) as error:
        build_index(settings, embedder=FakeEmbedder())
    assert error.value.report.skipped[0].path == "leer.md"


def test_missing_knowledge_folder_is_an_error(tmp_path):
    settings = IndexSettings(knowledge_dir=tmp_path / "fehlt", data_dir=tmp_path / "var")
    with pytest.raises(IndexingError, match="existiert nicht"):
        build_index(settings, embedder=FakeEmbedder())


def test_a_second_concurrent_run_is_refused(settings):
    with Generations(settings.index_dir).lock():
        with pytest.raises(IndexBusy, match="bereits eine Indizierung"):
            build_index(settings, embedder=FakeEmbedder("fake-a"))


def test_readers_follow_new_generations_without_restart(settings):
    model = FakeEmbedder("fake-a")
    build_index(settings, embedder=model)
    index = Index(settings, embedder=model)
    assert index.search("Diensthandy").best.source == "a.md"
    write(settings.knowledge_dir, "d.md", "Gleitzeit", "Die Gleitzeit regelt die Dienstvereinbarung Arbeitszeit.")
    build_index(settings, embedder=model)
    assert index.search("Gleitzeit Dienstvereinbarung").best.source == "d.md"
    assert index.generation == 2


def test_old_generations_are_pruned(settings):
    model = FakeEmbedder("fake-a")
    for n in range(4):
        write(settings.knowledge_dir, "a.md", "Diensthandy", f"Version {n} der Anleitung für das Diensthandy.")
        build_index(settings, embedder=model)
    names = [p.name for p in Generations(settings.index_dir).published()]
    assert names == ["gen-000003", "gen-000004"]


def test_a_lock_that_is_a_directory_still_locks(settings):
    (settings.index_dir / ".lock").mkdir(parents=True)
    assert build_index(settings, embedder=FakeEmbedder("fake-a")).added == 3
    with Generations(settings.index_dir).lock():
        with pytest.raises(IndexBusy):
            build_index(settings, embedder=FakeEmbedder("fake-a"))


def test_a_file_over_the_time_budget_is_skipped_and_the_run_goes_on(settings):
    (settings.knowledge_dir / "lang.docx").write_bytes(docx_bytes(paragraph("Absatz") * 300_000))
    settings.max_parse_seconds = 0.5
    report = build_index(settings, embedder=FakeEmbedder("fake-a"))
    assert [(item.path, "max_parse_seconds" in item.reason) for item in report.skipped] == [("lang.docx", True)]
    assert report.added == 3


def test_the_parse_worker_starts_only_when_a_file_needs_parsing(settings, monkeypatch):
    from indexer.parse_pool import ParsePool

    started: list[ParsePool] = []
    start = ParsePool._start_now

    def counted(pool: ParsePool):
        if pool._connection is None:
            started.append(pool)
        return start(pool)

    monkeypatch.setattr(ParsePool, "_start_now", counted)
    model = FakeEmbedder("fake-a")
    build_index(settings, embedder=model)
    assert len(started) == 1
    assert build_index(settings, embedder=model).unchanged == 3
    (settings.knowledge_dir / "b.md").touch()
    assert build_index(settings, embedder=model).unchanged == 3
    assert len(started) == 1  # nothing (or only a time stamp) changed: no worker
    write(settings.knowledge_dir, "b.md", "VPN", "Der VPN-Zugang braucht ein Token.")
    assert build_index(settings, embedder=model).changed == 1
    assert len(started) == 2 and started[1]._process is None  # started once, and closed after the run
