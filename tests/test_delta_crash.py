"""SIGKILL at each step of a delta run leaves the live delta generation answering; the next run finishes."""
from __future__ import annotations

import os
import signal
import time

import pytest

from indexer import Index, IndexSettings, build_index
from indexer.delta_store import BASE_DB, BASE_VECTORS, has_base
from indexer.generations import Generations
from indexer.health import verify_generation
from indexer.unit_files import BASE_PREFIX, VECTORS_FILE
from indexer.unit_vectors import UnitVectors
from tests.test_crash import cached_vectors, grow_knowledge, run_and_kill

pytestmark = pytest.mark.slow
DELTA = {"delta_above": 0, "delta_share": 100.0}
BASE_UNITS = BASE_PREFIX + VECTORS_FILE


@pytest.mark.parametrize("tantivy_above", [10**9, 0], ids=["fts5", "tantivy"])
def test_kill_at_each_step_of_a_delta_run_then_a_good_run(tmp_path, embedder, tantivy_above):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "basis.md").write_text("---\ntitle: Basis\n---\n\nDie SCIU wurde 2021 gegründet.\n")
    for n, topic in enumerate(["Kantine", "Parkplätze", "Urlaub", "Dienstreisen", "Drucker"]):
        (knowledge / f"thema-{n}.md").write_text(f"---\ntitle: {topic}\n---\n\nHinweise zum Thema {topic}.\n")
    options = {**DELTA, "tantivy_above": tantivy_above}
    settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "var", progress=False, **options)
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\nknowledge_dir = "{knowledge}"\ndata_dir = "{tmp_path / "var"}"\n'
                      + "".join(f"{key} = {value}\n" for key, value in options.items()))
    build_index(settings, embedder=embedder)
    (knowledge / "leitung.md").write_text("---\ntitle: Leitung\n---\n\nDie SCIU leitet Frau Dr. Meyer.\n")
    build_index(settings, embedder=embedder)
    generations = Generations(settings.index_dir)
    live = generations.current()
    assert has_base(live)
    base = [os.stat(live / name).st_ino for name in (BASE_DB, BASE_VECTORS, BASE_UNITS)]
    grow_knowledge(knowledge, copies=12)

    def building(name: str) -> bool:
        return any(path.exists() for path in generations.root.glob(f"gen-*.tmp/{name}"))

    kill_points = {
        "once the new generation is being built": lambda: any(generations.root.glob("gen-*.tmp")),
        "once the base is linked into it": lambda: building(BASE_DB),
        "while the delta is written and embedded": lambda: building("index.db") and cached_vectors(settings) > 60,
        "later while embedding": lambda: cached_vectors(settings) > 250,
        "while the delta's answer-unit vectors are written": lambda: building(VECTORS_FILE),
    }
    for point, ready in kill_points.items():
        assert run_and_kill(config, ready) == -signal.SIGKILL, point
        assert verify_generation(live, full=True)["lexical"]["kind"] == ("fts5" if tantivy_above else "tantivy")
        index = Index(settings, embedder=embedder)
        assert index.generation == 2 and index.problem is None, point
        assert index.search("Wann wurde die SCIU gegründet?").best.source == "basis.md", point
        assert index.search("Wer leitet die SCIU?").best.source == "leitung.md", point

    report = build_index(settings, embedder=embedder)
    assert report.generation == 3 and report.added == 12 * 12
    assert report.chunks_embedded < report.chunks_total - 250, "work of killed runs was kept in the cache"
    assert not list(generations.root.glob("gen-*.tmp"))
    live = generations.current()
    assert has_base(live) and [os.stat(live / name).st_ino for name in (BASE_DB, BASE_VECTORS, BASE_UNITS)] == base
    assert UnitVectors.load(live) is not None, "the delta carries its units, the base's are linked"
    index = Index(settings, embedder=embedder)
    assert index.search("SCIU-Kopie-3 Wandelteam").best.source.startswith("kopie-3-")
    assert index.search("Wer leitet die SCIU?").best.source == "leitung.md"
