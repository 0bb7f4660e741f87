"""`lotse eval` on question catalogues: how a city tests its own knowledge base before go-live."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.catalogue import CatalogueError, CatalogueQuestion, load_catalogue
from bot.catalogue_eval import contains_fact, run_catalogue, score_answer
from bot.cli import cli
from bot.config import Config
from bot.core import Answer, Source
from indexer.embedder import Embedder

DOCUMENTS = {
    "vpn-2025.md": '---\ntitle: "VPN-Anleitung 2025"\nowner: "Jonas Becker (@jonas_becker)"\nupdated: 2025-04-01\n---\n'
                   "Die VPN-Verbindung trennt sich nach zwölf Stunden automatisch. Die Anmeldung läuft über die Authenticator-App.\n",
    "vpn-2023.md": '---\ntitle: "VPN-Anleitung 2023"\nsuperseded_by: vpn-2025.md\nupdated: 2023-01-01\n---\n'
                   "Die VPN-Verbindung trennt sich nach acht Stunden automatisch. Die TAN kommt per SMS.\n",
    "haushalt.md": '---\ntitle: "Haushaltsnotiz 2026"\naccess: sciu-intern\nupdated: 2026-02-01\n---\n'
                   "Für das Projekt Nordlicht sind 48.500 Euro vorgesehen. Die Vergabe muss bis Juni veröffentlicht sein.\n",
    "urlaub.md": '---\ntitle: "Urlaub nach TVöD"\nupdated: 2026-01-01\n---\n'
                 "Bei einer Fünf-Tage-Woche beträgt der Erholungsurlaub 30 Arbeitstage im Jahr.\n",
}

CATALOGUE = [
    {"id": "Q1", "question": "Nach wie vielen Stunden trennt mich das VPN?", "style": "superseded",
     "expected_source": "vpn-2025.md", "alt_sources": [], "key_facts": ["zwölf Stunden"], "group": None,
     "forbidden_source": "vpn-2023.md"},
    {"id": "Q2", "question": "Wie viele Urlaubstage habe ich bei fünf Tagen pro Woche?", "style": "paraphrase",
     "expected_source": "urlaub.md", "alt_sources": [], "key_facts": ["30 Arbeitstage"], "group": None},
    {"id": "Q3", "question": "Wie viel Geld ist für das Projekt Nordlicht vorgesehen?", "style": "restricted",
     "expected_source": None, "alt_sources": [], "key_facts": ["48.500"], "group": None,
     "forbidden_source": "haushalt.md"},
    {"id": "Q4", "question": "Wie viel Geld ist für das Projekt Nordlicht vorgesehen?", "style": "paraphrase",
     "expected_source": "haushalt.md", "alt_sources": [], "key_facts": ["48.500 Euro"], "group": "sciu-intern"},
    {"id": "Q5", "question": "Wann hat die Kantine im Rathaus geöffnet?", "style": "unanswerable",
     "expected_source": None, "alt_sources": [], "key_facts": [], "group": None},
]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name, text in DOCUMENTS.items():
        (knowledge / name).write_text(text, encoding="utf-8")
    config = Config()
    config.index.knowledge_dir, config.index.data_dir, config.index.progress = knowledge, tmp_path / "var", False
    return config


def write_csv(path: Path, rows: list[dict]) -> None:
    columns = ["id", "question", "style", "expected_source", "alt_sources", "key_facts", "facts_all", "group",
               "forbidden_source"]
    lines = [";".join(columns)]
    for row in rows:
        cells = [row.get(c) or "" for c in columns]
        cells = ["|".join(c) if isinstance(c, list) else str(c) for c in cells]
        lines.append(";".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_json_and_csv_catalogues_read_the_same(tmp_path: Path):
    (tmp_path / "k.json").write_text(json.dumps(CATALOGUE), encoding="utf-8")
    write_csv(tmp_path / "k.csv", CATALOGUE)
    from_json, from_csv = load_catalogue(tmp_path / "k.json"), load_catalogue(tmp_path / "k.csv")
    assert [q.question for q in from_json] == [q.question for q in from_csv]
    assert from_csv[0].key_facts == ("zwölf Stunden",) and from_csv[0].forbidden_source == "vpn-2023.md"
    assert from_csv[3].group == "sciu-intern" and from_csv[2].expected_source is None


def test_a_broken_catalogue_is_refused_with_a_message(tmp_path: Path):
    (tmp_path / "k.json").write_text('[{"id": "Q1", "question": ""}]', encoding="utf-8")
    with pytest.raises(CatalogueError, match="Eintrag 1.*leer"):
        load_catalogue(tmp_path / "k.json")
    (tmp_path / "k.csv").write_text("frage;quelle\nx;y\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="Spalten"):
        load_catalogue(tmp_path / "k.csv")


def test_facts_count_whitespace_and_dashes_normalised_numbers_not_glued():
    assert contains_fact("Funktionszeit: 9:00 – 15:00 Uhr", "9:00-15:00 Uhr")
    assert contains_fact("mindestens  12\nZeichen", "12 Zeichen")
    assert not contains_fact("mindestens 112 Zeichen", "12 Zeichen")
    assert not contains_fact("Durchwahl -41012", "4101") and contains_fact("Durchwahl -4101.", "4101")


def test_a_leak_and_a_superseded_win_are_counted():
    secret = CatalogueQuestion("R", "Nordlicht?", "restricted", None, key_facts=("48.500",))
    leaked = Answer("Nordlicht?", "Es sind 48.500 Euro.", True, 0.9, [Source("H", "", "", None, None, path="haushalt.md")])
    restricted = {"haushalt.md": frozenset({"sciu-intern"})}
    assert score_answer(secret, leaked, restricted).leak
    declined = Answer("Nordlicht?", "Dazu habe ich nichts.", False, 0.1, [], [Source("U", "", "", None, None, path="urlaub.md")])
    assert not score_answer(secret, declined, restricted).leak
    old = CatalogueQuestion("S", "VPN?", "superseded", "vpn-2025.md", forbidden_source="vpn-2023.md", key_facts=("zwölf",))
    wrong = Answer("VPN?", "acht Stunden", True, 0.9, [Source("V", "", "", None, None, path="vpn-2023.md")])
    assert score_answer(old, wrong, {}).current_wins is False


def test_a_competing_documents_passage_counts_as_read_text():
    question = CatalogueQuestion("A", "Erfolgskriterien?", "paraphrase", "leitfaden.docx", key_facts=("Zielwert",))
    sources = [Source("P", "", "", None, None, path="prozess.md"), Source("L", "", "", None, None, path="leitfaden.docx")]
    answer = Answer("Erfolgskriterien?", "Ein Pilot hat Erfolgskriterien.", True, 0.9, sources,
                    alternative="Messbare Kriterien mit Zielwert", alternative_source=2)
    result = score_answer(question, answer, {})
    assert result.has_fact and result.words == 8


def test_run_catalogue_scores_every_question_as_the_bot_answers_it(config: Config, embedder: Embedder, tmp_path: Path):
    report = run_catalogue(config, [load_catalogue_row(row) for row in CATALOGUE], embedder=embedder)
    by_id = {r.id: r for r in report.results}
    assert by_id["Q1"].has_fact and by_id["Q1"].current_wins and by_id["Q1"].source_rank == 1
    assert by_id["Q2"].has_fact and by_id["Q2"].source_rank == 1
    assert not by_id["Q3"].answered and not by_id["Q3"].leak  # an outsider learns nothing
    assert by_id["Q4"].answered and by_id["Q4"].has_fact  # a member does
    assert not by_id["Q5"].answered
    overall = report.overall
    assert (overall.questions, overall.answerable, overall.restricted_leaks) == (5, 3, 0)
    assert overall.key_fact == 1.0 and overall.current_beats_superseded == 1.0
    assert overall.declined_when_unanswerable == 1.0 and overall.false_declines == 0.0
    assert set(report.styles) == {"superseded", "paraphrase", "restricted", "unanswerable"}
    assert not (config.index.data_dir / "interactions.db").exists()  # the live question log is untouched


def load_catalogue_row(row: dict) -> CatalogueQuestion:
    return CatalogueQuestion(row["id"], row["question"], row["style"], row["expected_source"],
                             tuple(row["alt_sources"]), tuple(row["key_facts"]), (), row["group"],
                             row.get("forbidden_source"))


def test_lotse_eval_prints_the_table_and_json(config: Config, tmp_path: Path):
    catalogue = tmp_path / "katalog.csv"
    write_csv(catalogue, CATALOGUE)
    settings = tmp_path / "lotse.toml"
    settings.write_text(f'[index]\nknowledge_dir = "{config.index.knowledge_dir}"\ndata_dir = "{config.index.data_dir}"\n'
                        "progress = false\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(catalogue), "--config", str(settings), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["overall"]["questions"] == 5 and figures["overall"]["restricted_leaks"] == 0
    assert set(figures["styles"]) == {"superseded", "paraphrase", "restricted", "unanswerable"}
    table = CliRunner().invoke(cli, ["eval", str(catalogue), "--config", str(settings), "--details"]).output
    assert table.splitlines()[1].startswith("gesamt") and "Q3 [restricted]" in table
