"""Delta generations: a run on a large index writes only the changed documents beside a shared,
immutable base; search over base + delta answers as a fresh build of the same files would."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from indexer import Index, IndexSettings, build_index
from indexer.analysis import Analyzer
from indexer.bm25 import Bm25
from indexer.delta_store import BASE_DB, BASE_VECTORS, has_base
from indexer.generations import DB_NAME, VECTORS_NAME, Generations
from indexer.health import DamagedGeneration, verify_generation
from indexer.lexical import COLUMN_WEIGHTS
from indexer.store import IndexStore, fts_totals
from indexer.tantivy_lexical import BASE_LEXICAL, LEXICAL_DIR, tantivy_files
from tests.fakes import FakeEmbedder
from tests.test_access_rules import SECRET
from tests.test_access_rules import md as write
from tests.test_incremental_drift import QUERIES, edit

REPO = Path(__file__).resolve().parent.parent


def delta_settings(knowledge: Path, data: Path, **changes) -> IndexSettings:
    """Deltas from the first chunk on, answer-unit vectors included."""
    values = dict(knowledge_dir=knowledge, data_dir=data, model="fake-delta", progress=False,
                  delta_above=0, delta_share=100.0)
    return IndexSettings(**{**values, **changes})


def content(settings: IndexSettings, embedder, groups=()) -> list:
    """What a user sees for every query: sources, headings, texts, scores, the answer passage."""
    index = Index(settings, embedder=embedder)
    out = []
    for query in QUERIES:
        result = index.search(query, k=8, groups=groups)
        out.append((query, round(result.confidence, 9), result.answerable, result.passage,
                    [(hit.source, hit.heading_path, hit.text, round(hit.score, 9)) for hit in result.hits]))
    return out


def fresh_build(knowledge: Path, data: Path, embedder, **changes) -> IndexSettings:
    settings = delta_settings(knowledge, data, **{**changes, "delta_above": 10**9})
    build_index(settings, embedder=embedder)
    assert not has_base(Generations(settings.index_dir).current())
    return settings


@pytest.fixture
def knowledge(tmp_path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", folder)
    return folder


def compound_parts_changed(base: Path, fresh: IndexSettings) -> set[str]:
    """Compound parts a fresh build of the same files knows differently from the base's."""
    stores = [IndexStore(base / DB_NAME, readonly=True),
              IndexStore(Generations(fresh.index_dir).current() / DB_NAME, readonly=True)]
    try:
        before, after = (Analyzer(store.vocabulary()) for store in stores)
    finally:
        for store in stores:
            store.close()
    return after.changed_parts(before)


def inodes(folder: Path) -> dict[str, int]:
    """File name → inode of a tantivy index folder (none if there is no such folder)."""
    return {path.name: path.stat().st_ino for path in tantivy_files(folder)} if folder.exists() else {}


@pytest.mark.parametrize("lexical", ["fts5", "tantivy"])
def test_add_change_delete_rename_match_a_fresh_build(knowledge, tmp_path, lexical):
    """After each single-document add, change, delete or rename, a delta generation finds the same
    hits with the same texts as a fresh build of the same files, with the same scores whenever
    compounds split as in the base (deltas keep the base's vocabulary). Folding many changes into
    a new base gives a fresh build's index and results exactly. With a tantivy index the delta's
    adds its own segment and deletes to the base's linked files."""
    engine = {"tantivy_above": 0 if lexical == "tantivy" else 10**9}
    embedder = FakeEmbedder("fake-delta")
    parked = tmp_path / "parked"
    parked.mkdir()
    for rel in ("strategie", "sciu/haushaltsnotiz-2026.md"):
        shutil.move(knowledge / rel, parked / Path(rel).name)
    settings = delta_settings(knowledge, tmp_path / "var", keep_generations=20, **engine)
    build_index(settings, embedder=embedder)
    generations = Generations(settings.index_dir)
    base = generations.current()
    assert not has_base(base)
    base_files = [os.stat(base / DB_NAME).st_ino, os.stat(base / VECTORS_NAME).st_ino]
    base_lexical = inodes(base / LEXICAL_DIR)
    assert bool(base_lexical) == (lexical == "tantivy")

    steps = [
        lambda: edit(knowledge / "sciu" / "ueber-die-sciu.md", "Smart City", "Smart-City-Einheit"),
        lambda: (knowledge / "projekte" / "digitaler-zwilling.md").unlink(),
        lambda: shutil.move(parked / "haushaltsnotiz-2026.md", knowledge / "sciu" / "haushaltsnotiz-2026.md"),
        lambda: (knowledge / "onboarding" / "03-geraete.md").rename(knowledge / "onboarding" / "03-ausstattung.md"),
        lambda: edit(knowledge / "faq" / "diensthandy-beantragen.md", "Diensthandy", "Dienstsmartphone"),
        lambda: (knowledge / "sciu" / "haushaltsnotiz-2026.md").unlink(),  # added in a delta, deleted again
    ]
    compared = 0
    for step in steps:
        step()
        report = build_index(settings, embedder=embedder)
        assert not report.rebuilt and not report.skipped
        live = generations.current()
        assert has_base(live)
        assert [os.stat(live / BASE_DB).st_ino, os.stat(live / BASE_VECTORS).st_ino] == base_files, "linked, not copied"
        assert inodes(live / BASE_LEXICAL) == base_lexical
        assert verify_generation(live, full=True)["lexical"]["kind"] == lexical
        fresh = fresh_build(knowledge, tmp_path / f"fresh-{report.generation}", embedder, **engine)
        mine, theirs = content(settings, embedder), content(fresh, embedder)
        if not compound_parts_changed(base, fresh):
            assert mine == theirs, step
            compared += 1
        else:  # the same hits with the same texts; where compounds split differently, the order may differ
            assert [{hit[:3] for hit in a[4]} for a in mine] == [{hit[:3] for hit in b[4]} for b in theirs], step
        shutil.rmtree(fresh.data_dir)
    assert compared >= 1

    shutil.move(parked / "strategie", knowledge / "strategie")  # many new words: compounds split anew
    assert compound_parts_changed(base, fresh_build(knowledge, tmp_path / "fresh", embedder, **engine))
    build_index(delta_settings(knowledge, tmp_path / "var", delta_share=0.0001, **engine), embedder=embedder)
    assert not has_base(generations.current()), "folded into a new base"
    assert verify_generation(generations.current(), full=True)["lexical"]["kind"] == lexical
    assert content(settings, embedder) == content(delta_settings(knowledge, tmp_path / "fresh"), embedder)


def test_merged_bm25_equals_fts5_bm25(knowledge, tmp_path):
    """The re-scoring formula is FTS5's own: given one table's statistics, it gives every score
    that table's bm25() gives."""
    embedder = FakeEmbedder("fake-delta")
    settings = delta_settings(knowledge, tmp_path / "var")
    build_index(settings, embedder=embedder)
    (knowledge / "leer.md").write_text("---\ntitle: Notiz\n---\n\nKurze Notiz ohne Inhalt zum Testen.\n", encoding="utf-8")
    build_index(settings, embedder=embedder)
    live = Generations(settings.index_dir).current()
    base = IndexStore(live / BASE_DB, readonly=True)
    try:
        expression = '"sciu" OR "vpn" OR "leit" OR "antrag" OR "digital"'
        expected = dict(base.db.execute(
            "SELECT rowid, -bm25(chunks_fts, ?, ?, ?) FROM chunks_fts WHERE chunks_fts MATCH ?",
            [*COLUMN_WEIGHTS, expression]).fetchall())
        terms = ["sciu", "vpn", "leit", "antrag", "digital"]
        # Statistics without the one added document: the base's own.
        formula = Bm25(*fts_totals(base.db.conn, "main"), dict(base.db.execute("SELECT term, doc FROM chunks_terms")),
                       COLUMN_WEIGHTS)
        got = formula.scores(terms, base.db.execute(
            "SELECT rowid, title, headings, body FROM chunks_fts WHERE chunks_fts MATCH ?", [expression]))
        assert len(expected) > 20 and got.keys() == expected.keys()
        assert all(abs(got[key] - expected[key]) < 1e-9 * max(1.0, abs(expected[key])) for key in expected)
    finally:
        base.close()


NEW_SECRET = "Das Budget für Projekt Nordlicht steigt auf 95.000 Euro."


def texts(settings: IndexSettings, query: str, groups=()) -> dict[str, str]:
    """source → text of every hit for `query` as a member of `groups` sees it (outdated ones too)."""
    index = Index(settings, embedder=FakeEmbedder("fake-delta"))
    return {hit.source: hit.text for hit in index.search(query, k=30, groups=groups, per_document=False).hits}


ENGINES = pytest.mark.parametrize("tantivy_above", [10**9, 0], ids=["fts5", "tantivy"])


@ENGINES
def test_access_rules_hold_across_base_and_delta(knowledge, tmp_path, tantivy_above):
    """A public base version withdrawn by a restricted change, a restricted document added in the
    delta, and a deleted one: none reaches an outsider, by search or the document list."""
    write(knowledge, "budget.md", SECRET, "title: Budget Nordlicht")
    write(knowledge, "alt.md", "Projekt Nordlicht Altbestand: Budget 10.000 Euro.", "title: Altbestand Nordlicht")
    settings = delta_settings(knowledge, tmp_path / "var", tantivy_above=tantivy_above)
    build_index(settings, embedder=FakeEmbedder("fake-delta"))
    query = "Budget Projekt Nordlicht Euro"
    assert "budget.md" in texts(settings, query)

    write(knowledge, "budget.md", NEW_SECRET, "title: Budget Nordlicht\naccess: sciu-intern")
    write(knowledge, "leitung.md", "Projekt Nordlicht: Budgetreserve der Leitung 5.000 Euro.",
          "title: Reserve Nordlicht\naccess: leitung")
    (knowledge / "alt.md").unlink()
    build_index(settings, embedder=FakeEmbedder("fake-delta"), known_groups=("sciu-intern", "leitung"))
    assert has_base(Generations(settings.index_dir).current())

    outsider = texts(settings, query)
    assert not {"budget.md", "leitung.md", "alt.md"} & set(outsider)
    assert not any("80.000" in text or "95.000" in text or "5.000" in text for text in outsider.values())
    insider = texts(settings, query, {"sciu-intern"})
    assert insider["budget.md"].endswith(NEW_SECRET) and "leitung.md" not in insider and "alt.md" not in insider
    assert "leitung.md" in texts(settings, query, {"leitung"})
    index = Index(settings, embedder=FakeEmbedder("fake-delta"))
    assert not {"budget.md", "leitung.md", "alt.md"} & {doc.path for doc in index.documents(groups=())}
    assert [doc.path for doc in index.documents() if doc.path == "budget.md"] == ["budget.md"]


@ENGINES
def test_a_large_delta_is_folded_into_a_new_base(knowledge, tmp_path, tantivy_above):
    embedder = FakeEmbedder("fake-delta")
    settings = delta_settings(knowledge, tmp_path / "var", tantivy_above=tantivy_above)
    build_index(settings, embedder=embedder)
    edit(knowledge / "sciu" / "ueber-die-sciu.md", "SCIU", "SCIU (Stadtentwicklungsabteilung)")
    build_index(settings, embedder=embedder)
    generations = Generations(settings.index_dir)
    assert has_base(generations.current())

    (knowledge / "projekte" / "digitaler-zwilling.md").unlink()
    folding = delta_settings(knowledge, tmp_path / "var", delta_share=0.0001, tantivy_above=tantivy_above)
    report = build_index(folding, embedder=embedder)
    folded = generations.current()
    assert report.generation == 3 and not has_base(folded)
    fresh = fresh_build(knowledge, tmp_path / "fresh", embedder, tantivy_above=tantivy_above)
    assert content(settings, embedder) == content(fresh, embedder)

    edit(knowledge / "faq" / "diensthandy-beantragen.md", "Diensthandy", "Dienstsmartphone")
    build_index(settings, embedder=embedder)
    live = generations.current()
    assert has_base(live) and os.stat(live / BASE_DB).st_ino == os.stat(folded / DB_NAME).st_ino
    fresh = fresh_build(knowledge, tmp_path / "fresh-2", embedder, tantivy_above=tantivy_above)
    assert content(settings, embedder) == content(fresh, embedder)


def test_damaged_delta_falls_back_and_a_damaged_base_is_rebuilt(knowledge, tmp_path):
    embedder = FakeEmbedder("fake-delta")
    settings = delta_settings(knowledge, tmp_path / "var", keep_generations=3)
    build_index(settings, embedder=embedder)
    edit(knowledge / "sciu" / "ueber-die-sciu.md", "SCIU", "SCIU (Stadtentwicklungsabteilung)")
    build_index(settings, embedder=embedder)
    edit(knowledge / "faq" / "diensthandy-beantragen.md", "Diensthandy", "Dienstsmartphone")
    build_index(settings, embedder=embedder)
    generations = Generations(settings.index_dir)
    live = generations.current()

    with open(live / VECTORS_NAME, "r+b") as handle:  # the live delta's own vectors
        handle.truncate(100)
    index = Index(settings, embedder=embedder)
    assert index.search("Wie beantrage ich ein Dienstsmartphone?").generation == 2
    assert "Generation 3 ist beschädigt" in index.problem

    garbled = generations.published()[0] / DB_NAME  # the base, linked into every later generation
    with open(garbled, "r+b") as handle:
        handle.seek(4096)
        handle.write(os.urandom(8192))
    with pytest.raises(Exception, match="keine intakte ältere Generation"):
        Index(settings, embedder=embedder).search("Wer leitet die SCIU?")
    report = build_index(settings, embedder=embedder)
    assert report.rebuilt and not has_base(generations.current())
    assert Index(settings, embedder=embedder).search("Wie beantrage ich ein Dienstsmartphone?").best is not None


def test_base_checked_in_full_once_then_by_identity_and_in_full_by_doctor(knowledge, tmp_path):
    """Damage that keeps a base file's size and time (bit rot) passes the per-generation check;
    `lotse doctor` (a full check) finds it. Any write that changes the file is found at once."""
    embedder = FakeEmbedder("fake-delta")
    settings = delta_settings(knowledge, tmp_path / "var")
    build_index(settings, embedder=embedder)
    edit(knowledge / "sciu" / "ueber-die-sciu.md", "SCIU", "SCIU (Stadtentwicklungsabteilung)")
    build_index(settings, embedder=embedder)
    live = Generations(settings.index_dir).current()
    verify_generation(live)
    base = live / BASE_VECTORS
    before = base.stat()
    with open(base, "r+b") as handle:
        handle.seek(before.st_size // 2)
        handle.write(os.urandom(64))
    os.utime(base, ns=(before.st_atime_ns, before.st_mtime_ns))
    verify_generation(live)  # same identity as checked: not hashed again
    with pytest.raises(DamagedGeneration, match="base.faiss ist beschädigt"):
        verify_generation(live, full=True)
    os.utime(base)  # a new file time: checked in full again
    with pytest.raises(DamagedGeneration, match="base.faiss ist beschädigt"):
        verify_generation(live)
