"""A damaged index generation is never served: readers fall back to the newest intact one, and
`lotse index` notices and rebuilds, saying what happened."""
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from bot.cli import cli
from indexer import Index, IndexNotReady, IndexSettings, build_index
from indexer.generations import DB_NAME, VECTORS_NAME, Generations
from tests.fakes import FakeEmbedder

QUESTION = "Wie beantrage ich ein Diensthandy?"


def truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def garble_middle(path: Path) -> None:
    """Random bytes over the middle of the file: its header stays valid."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(os.urandom(max(size // 3, 4096)))


DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "vectors truncated": (VECTORS_NAME, truncate),
    "vectors random": (VECTORS_NAME, random_bytes),
    "vectors garbled inside": (VECTORS_NAME, garble_middle),
    "vectors deleted": (VECTORS_NAME, Path.unlink),
    "db truncated": (DB_NAME, truncate),
    "db random": (DB_NAME, random_bytes),
    "db garbled inside": (DB_NAME, garble_middle),
    "db deleted": (DB_NAME, Path.unlink),
}


DOCS = {
    "faq/diensthandy.md": ("Diensthandy beantragen", "Ein Diensthandy beantragen Sie im Serviceportal der IT."),
    "faq/vpn.md": ("VPN", "Der VPN-Zugang braucht eine Multi-Faktor-Authentifizierung."),
    "urlaub.md": ("Urlaub", "Urlaub beantragen Sie im Personalportal nach TVöD."),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three documents indexed twice: generation 2 is live, generation 1 the intact older one."""
    root = tmp_path_factory.mktemp("repair")
    for rel, (title, body) in DOCS.items():
        (root / "knowledge" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "knowledge" / rel).write_text(f"---\ntitle: {title}\n---\n\n{body}\n", encoding="utf-8")
    settings = IndexSettings(knowledge_dir=root / "knowledge", data_dir=root / "var", model="fake-repair", progress=False)
    build_index(settings, embedder=FakeEmbedder("fake-repair"))
    (root / "knowledge" / "kantine.md").write_text("---\ntitle: Kantine\n---\n\nDie Kantine öffnet um acht Uhr.\n")
    assert build_index(settings, embedder=FakeEmbedder("fake-repair")).generation == 2
    return root


@pytest.fixture
def two_generations(built: Path, tmp_path: Path) -> tuple[IndexSettings, FakeEmbedder]:
    shutil.copytree(built, tmp_path, dirs_exist_ok=True)
    settings = IndexSettings(knowledge_dir=tmp_path / "knowledge", data_dir=tmp_path / "var", model="fake-repair",
                             progress=False)
    return settings, FakeEmbedder("fake-repair")


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_live_generation_falls_back_then_index_rebuilds(two_generations, case):
    settings, embedder = two_generations
    name, damage = DAMAGE[case]
    damage(settings.index_dir / "gen-000002" / name)

    index = Index(settings, embedder=embedder)
    result = index.search(QUESTION)
    assert result.generation == 1 and result.best.source == "faq/diensthandy.md"
    assert "Generation 2 ist beschädigt" in index.problem and "neueste intakte Generation 1" in index.problem
    assert index.stats()["problem"] == index.problem

    report = build_index(settings, embedder=embedder)
    assert report.rebuilt and report.generation == 3 and report.indexed == 4
    assert any("Generation 2 ist beschädigt" in repair and "neu aufgebaut" in repair for repair in report.repairs)
    assert [g.name for g in Generations(settings.index_dir).published()] == ["gen-000001", "gen-000003"]
    index = Index(settings, embedder=embedder)
    assert index.search(QUESTION).generation == 3 and index.problem is None
    assert build_index(settings, embedder=embedder).repairs == []  # repaired for good


@pytest.mark.parametrize("damage", [lambda p: p.write_bytes(os.urandom(40)), Path.unlink,
                                    lambda p: p.write_text("gen-000099\n")], ids=["binary", "deleted", "dangling"])
def test_broken_pointer_falls_back_to_the_newest_intact_generation(two_generations, damage):
    settings, embedder = two_generations
    damage(Generations(settings.index_dir).pointer)
    index = Index(settings, embedder=embedder)
    assert index.search(QUESTION).generation == 2 and "CURRENT" in index.problem
    report = build_index(settings, embedder=embedder)
    assert report.rebuilt and any("CURRENT" in repair for repair in report.repairs)
    assert Index(settings, embedder=embedder).search(QUESTION).generation == 3


def test_lotse_index_and_stats_say_what_happened_and_what_was_done(config, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[index]\nknowledge_dir = "{config.index.knowledge_dir}"\ndata_dir = "{config.index.data_dir}"\n'
                    "progress = false\n")
    random_bytes(config.index.index_dir / "gen-000001" / VECTORS_NAME)
    run = CliRunner().invoke(cli, ["stats", "--config", str(path)])
    assert run.exit_code == 1 and "Generation 1 ist beschädigt" in run.output and "lotse index" in run.output
    output = CliRunner().invoke(cli, ["index", "--config", str(path)], catch_exceptions=False).output
    assert "nichts zu tun" not in output and "vollständig neu aufgebaut" in output
    assert "Generation 1 ist beschädigt: vectors.faiss ist beschädigt (Prüfsumme stimmt nicht)" in output
    assert "Generation 2" in CliRunner().invoke(cli, ["stats", "--config", str(path)], catch_exceptions=False).output


def test_no_intact_generation_says_what_to_do(two_generations):
    settings, embedder = two_generations
    for generation in Generations(settings.index_dir).published():
        truncate(generation / VECTORS_NAME)
    with pytest.raises(IndexNotReady, match="keine intakte ältere Generation.*lotse index"):
        Index(settings, embedder=embedder).search(QUESTION)
    assert build_index(settings, embedder=embedder).rebuilt
    assert Index(settings, embedder=embedder).search(QUESTION).best.source == "faq/diensthandy.md"


def test_a_generation_damaged_while_open_is_left_for_the_newest_intact_one(two_generations):
    settings, embedder = two_generations
    index = Index(settings, embedder=embedder)
    assert index.search(QUESTION).generation == 2 and index.problem is None
    random_bytes(settings.index_dir / "gen-000002" / DB_NAME)  # overwritten under the running reader
    result = index.search(QUESTION)
    assert result.generation == 1 and result.best.source == "faq/diensthandy.md"
    assert "Generation 2 ist beschädigt" in index.problem
