"""The tantivy lexical engine: FTS5's scores for its candidates, excluded chunks never back, its
files written into a generation, checked on open and kept private."""
from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, IndexSettings, build_index, lexical_files, tantivy_lexical
from indexer.analysis import Analyzer
from indexer.generations import Generations
from indexer.health import DamagedGeneration, verify_generation
from indexer.lexical import Lexical
from indexer.lexical_files import write_lexical
from indexer.store import IndexStore
from indexer.tantivy_lexical import BASE_LEXICAL, LEXICAL_DIR, TANTIVY, extend_tantivy
from tests.fakes import FakeEmbedder
from tests.test_delta import knowledge  # noqa: F401  (fixture: a copy of the sample knowledge folder)
from tests.test_lexical import store  # noqa: F401  (fixture: 400 chunks of analysed terms)

NOTHING = np.array([], np.int64)
QUERIES = ["Antrag BauGB", "Gleitzeit", "Frist Behörde LoRaWAN", "Stadt Verfahren Antrag", "Abschnitt"]


@pytest.fixture
def engines(store: IndexStore, tmp_path: Path) -> tuple[Lexical, Lexical]:  # noqa: F811
    """The same store searched by FTS5 alone and through a tantivy index of its rows."""
    fts5 = Lexical(store, Analyzer(), store.term_frequencies(), threading.Lock())
    record = write_lexical(store, tmp_path, None, store.counts()["chunks"], tantivy_above=0)
    assert record["kind"] == TANTIVY and (tmp_path / LEXICAL_DIR).is_dir()
    store.set_manifest(lexical=record)
    tantivy = Lexical(store, Analyzer(), store.term_frequencies(), threading.Lock())
    assert tantivy.engine is not None and fts5.engine is None
    return fts5, tantivy


def test_every_match_gets_fts5s_own_score(engines):
    fts5, tantivy = engines
    for query in QUERIES:
        expected, got = fts5.search(query, 1000, NOTHING), tantivy.search(query, 1000, NOTHING)
        assert expected.scores and got.scores.keys() == expected.scores.keys(), query
        assert all(got.scores[i] == pytest.approx(expected.scores[i], rel=1e-9) for i in got.scores), query
        assert got.complete and expected.complete


def test_a_short_list_holds_fts5_scores_and_its_best_hits(engines):
    """With fewer places than matches tantivy picks the candidates by its own BM25: every score is
    still FTS5's, and the best chunks of a query for rare terms are FTS5's best."""
    fts5, tantivy = engines
    for query in QUERIES:
        everything = fts5.search(query, 1000, NOTHING).scores
        got = tantivy.search(query, 10, NOTHING)
        assert len(got.scores) == 10 and not got.complete, query
        assert all(got.scores[i] == pytest.approx(everything[i], rel=1e-9) for i in got.scores), query
    rare = fts5.search("Gleitzeit BauGB", 3, NOTHING).scores
    assert tantivy.search("Gleitzeit BauGB", 3, NOTHING).scores.keys() == rare.keys()


@pytest.mark.parametrize("overfetch_up_to", [tantivy_lexical.OVERFETCH_UP_TO, 0], ids=["over-fetched", "in the query"])
def test_excluded_chunks_never_come_back(engines, monkeypatch, overfetch_up_to):
    monkeypatch.setattr(tantivy_lexical, "OVERFETCH_UP_TO", overfetch_up_to)
    _, tantivy = engines
    everything = tantivy.search("Antrag BauGB", 1000, NOTHING).scores
    best = sorted(everything, key=lambda i: -everything[i])
    excluded = np.array(best[:5] + best[-5:], dtype=np.int64)
    found = tantivy.search("Antrag BauGB", 10, excluded)
    assert len(found.scores) == 10 and not set(found.scores) & set(excluded.tolist())
    assert set(found.scores) == set(best[5:15])
    rare = tantivy.search("BauGB", 1000, NOTHING).scores
    none_left = tantivy.search("BauGB", 1000, np.array(sorted(rare), dtype=np.int64))
    assert rare and none_left.scores == {} and none_left.complete


def settings_for(knowledge: Path, data: Path, **changes) -> IndexSettings:
    values = dict(knowledge_dir=knowledge, data_dir=data, model="fake-tantivy", progress=False, tantivy_above=0)
    return IndexSettings(**{**values, **changes})


def test_a_build_writes_the_engine_chosen_by_size_into_the_generation(knowledge, tmp_path):  # noqa: F811
    embedder = FakeEmbedder("fake-tantivy")
    small = settings_for(knowledge, tmp_path / "small", tantivy_above=10**9)
    build_index(small, embedder=embedder)
    live = Generations(small.index_dir).current()
    assert verify_generation(live)["lexical"] == {"kind": "fts5"} and not (live / LEXICAL_DIR).exists()

    settings = settings_for(knowledge, tmp_path / "var")
    build_index(settings, embedder=embedder)
    live = Generations(settings.index_dir).current()
    manifest = verify_generation(live, full=True)
    assert manifest["lexical"]["kind"] == TANTIVY and manifest["lexical"]["rows"] == manifest["chunks"]
    assert {path.name for path in (live / LEXICAL_DIR).iterdir()} >= set(manifest["lexical"]["files"])
    for path in [live / LEXICAL_DIR, *(live / LEXICAL_DIR).iterdir()]:
        assert stat.S_IMODE(os.stat(path).st_mode) == (0o700 if path.is_dir() else 0o600), path
    # The same answers as with FTS5 alone: below 100 matches both score every matching chunk.
    for question in ["Wie beantrage ich ein Diensthandy?", "Wer leitet die SCIU?", "VPN im Homeoffice"]:
        ours, theirs = (Index(s, embedder=embedder).search(question, k=8) for s in (settings, small))
        assert [(h.source, round(h.score, 9)) for h in ours.hits] == [(h.source, round(h.score, 9)) for h in theirs.hits]


def test_a_damaged_tantivy_file_is_refused_and_the_older_generation_answers(knowledge, tmp_path):  # noqa: F811
    embedder = FakeEmbedder("fake-tantivy")
    settings = settings_for(knowledge, tmp_path / "var")
    for added in ({}, {"neu.md": "---\ntitle: Neu\n---\n\nDie Kantine öffnet um acht Uhr.\n"}):
        for name, text in added.items():
            (knowledge / name).write_text(text, encoding="utf-8")
        build_index(settings, embedder=embedder)
    live = Generations(settings.index_dir).current()
    biggest = max((live / LEXICAL_DIR).iterdir(), key=lambda path: path.stat().st_size)
    data = bytearray(biggest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    os.unlink(biggest)  # a new inode: not the identity checked before
    biggest.write_bytes(bytes(data))
    with pytest.raises(DamagedGeneration, match="Prüfsumme"):
        verify_generation(live)
    index = Index(settings, embedder=embedder)
    assert index.search("Wann öffnet die Kantine?").generation == 1 and "beschädigt" in index.problem
    os.unlink(biggest)
    with pytest.raises(DamagedGeneration, match="fehlt"):
        verify_generation(live)


def test_a_run_that_fails_while_writing_the_tantivy_index_leaves_the_live_generation(knowledge, tmp_path, monkeypatch):  # noqa: F811
    """The delta's tantivy index is written beside linked base files: a run that dies after tantivy
    wrote its files leaves the live generation's files as they were, and the next run finishes."""
    embedder = FakeEmbedder("fake-tantivy")
    settings = settings_for(knowledge, tmp_path / "var", delta_above=0, delta_share=100.0, unit_vectors=False)
    for text in ("", "Die Kantine öffnet um acht Uhr."):
        if text:
            (knowledge / "kantine.md").write_text(f"---\ntitle: Kantine\n---\n\n{text}\n", encoding="utf-8")
        build_index(settings, embedder=embedder)
    generations = Generations(settings.index_dir)
    live = generations.current()
    assert (live / BASE_LEXICAL).is_dir()

    def dies_after_writing(*args, **kwargs):
        extend_tantivy(*args, **kwargs)
        raise RuntimeError("killed after the tantivy commit")

    monkeypatch.setattr(lexical_files, "extend_tantivy", dies_after_writing)
    (knowledge / "kantine.md").write_text("---\ntitle: Kantine\n---\n\nDie Kantine öffnet um neun Uhr.\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="killed"):
        build_index(settings, embedder=embedder)
    assert generations.current() == live
    verify_generation(live, full=True)  # every tantivy file, the base's linked ones too, against its SHA-256
    assert Index(settings, embedder=embedder).search("Wann öffnet die Kantine?").best.text.endswith("acht Uhr.")

    monkeypatch.undo()
    report = build_index(settings, embedder=embedder)
    assert report.generation == 3 and not list(generations.root.glob("gen-*.tmp"))
    assert verify_generation(generations.current(), full=True)["lexical"]["kind"] == TANTIVY
    assert Index(settings, embedder=embedder).search("Wann öffnet die Kantine?").best.text.endswith("neun Uhr.")
