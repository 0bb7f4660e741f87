"""Many incremental runs end in the same index, and the same search results, as one fresh build."""
import shutil
from pathlib import Path

from indexer import Index, IndexSettings, build_index
from indexer.generations import DB_NAME, Generations
from indexer.store import IndexStore
from tests.fakes import FakeEmbedder

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    "Wer leitet die SCIU?", "Wie beantrage ich ein Diensthandy?", "Was steht in der Strategie?",
    "Wie funktioniert der VPN-Zugang?", "Wie viele Sensoren hat das LoRaWAN-Projekt?", "Was ist das OZG?",
    "Wann ist der Jour fixe?", "Wie viel Urlaub habe ich?", "Was kostet das Parkleitsystem?",
    "Welche Daten veröffentlicht das Portal?", "Wer ist mein Ansprechpartner für Geräte?",
    "Gibt es eine Haushaltssperre?", "Wie melde ich einen Sicherheitsvorfall?", "Was macht das Wandelteam?",
]


def index_content(settings: IndexSettings) -> tuple[dict, object]:
    """FTS terms per (document, chunk position), and the word counts, of the live generation."""
    store = IndexStore(Generations(settings.index_dir).current() / DB_NAME, readonly=True)
    try:
        rows = store.db.execute(
            "SELECT d.path, c.position, f.title, f.headings, f.body FROM chunks c "
            "JOIN documents d ON d.id = c.document_id JOIN chunks_fts f ON f.rowid = c.id"
        )
        return {(path, position): terms for path, position, *terms in rows}, store.word_counts()
    finally:
        store.close()


def results(settings: IndexSettings, embedder: FakeEmbedder) -> list:
    index = Index(settings, embedder=embedder)
    out = []
    for query in QUERIES:
        result = index.search(query, k=8)
        out.append((query, round(result.confidence, 9), result.answerable, result.passage,
                    [(hit.source, hit.heading_path, round(hit.score, 9)) for hit in result.hits]))
    return out


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_incremental_runs_match_a_fresh_build(tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    parked = tmp_path / "parked"
    parked.mkdir()
    for rel in ("strategie", "projekte/smart-parking.md", "sciu/haushaltsnotiz-2026.md", "faq"):
        shutil.move(knowledge / rel, parked / Path(rel).name)
    embedder = FakeEmbedder("fake-drift")
    settings = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "var", model="fake-drift", progress=False)
    build_index(settings, embedder=embedder)

    steps = [
        lambda: shutil.move(parked / "strategie", knowledge / "strategie"),  # adds "Strategie", "Konzept", …
        lambda: shutil.move(parked / "smart-parking.md", knowledge / "projekte" / "smart-parking.md"),
        lambda: edit(knowledge / "sciu" / "ueber-die-sciu.md", "SCIU", "SCIU (Stadtentwicklungsabteilung)"),
        lambda: (knowledge / "projekte" / "digitaler-zwilling.md").unlink(),  # its words leave the vocabulary
        lambda: shutil.move(parked / "haushaltsnotiz-2026.md", knowledge / "sciu" / "haushaltsnotiz-2026.md"),
        lambda: (knowledge / "onboarding" / "03-geraete.md").rename(knowledge / "onboarding" / "03-ausstattung.md"),
        lambda: shutil.move(parked / "faq", knowledge / "faq"),
        lambda: (knowledge / "strategie" / "smart-city-konzept.md").unlink(),
        lambda: edit(knowledge / "faq" / "diensthandy-beantragen.md", "Diensthandy", "Dienstsmartphone"),
        lambda: (knowledge / "sciu" / "wandelteam.md").rename(knowledge / "wandelteam.md"),
        lambda: (knowledge / "neu.md").write_text(
            "---\ntitle: Parkraumstrategie\n---\n\nDie Parkraumstrategie ergänzt das Parkleitsystem und die "
            "Sensorstrategie der Stadtverwaltung. Zwillingsdaten fließen ins Datenportal.\n", encoding="utf-8"),
    ]
    for step in steps:
        step()
        report = build_index(settings, embedder=embedder)
        assert not report.rebuilt and not report.skipped

    fresh = IndexSettings(knowledge_dir=knowledge, data_dir=tmp_path / "fresh", model="fake-drift", progress=False)
    build_index(fresh, embedder=embedder)

    incremental_fts, incremental_words = index_content(settings)
    fresh_fts, fresh_words = index_content(fresh)
    assert incremental_words == fresh_words
    differing = [key for key in fresh_fts if incremental_fts.get(key) != fresh_fts[key]]
    assert set(incremental_fts) == set(fresh_fts) and differing == []
    assert results(settings, embedder) == results(fresh, embedder)
