"""The `lotse` command line: help that teaches, clear errors, and the commands over the real index."""
from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli


def invoke(*args: str, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def config_file(config, tmp_path: Path, extra: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[index]\nknowledge_dir = "{config.index.knowledge_dir}"\ndata_dir = "{config.index.data_dir}"\n'
        f"progress = false\n{extra}",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    command: click.Command = cli.commands[name]
    result = invoke(name, "--help")
    assert result.exit_code == 0 and command.help
    assert "Beispiel" in result.output


def test_missing_config_file_is_a_clear_error(tmp_path):
    result = invoke("stats", "--config", str(tmp_path / "fehlt.toml"))
    assert result.exit_code == 1 and "Konfigurationsdatei nicht gefunden" in result.output


@pytest.mark.parametrize(
    "content, message",
    [
        ("[index]\nchunk_max_words = 'viel'\n", "erwartet wird eine ganze Zahl"),
        ("[index]\nknowlege_dir = 'x'\n", "Unbekannte Einstellung [index] knowlege_dir"),
        ("[indx]\n", "Unbekannter Abschnitt [indx]"),
        ("[index\n", "ist fehlerhaft"),
    ],
)
def test_bad_config_values_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "config.toml"
    path.write_text(content)
    result = invoke("stats", env={"LOTSE_CONFIG": str(path)})
    assert result.exit_code == 1 and message in result.output


def test_search_before_the_first_index_says_what_to_run(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[index]\ndata_dir = "{tmp_path / "leer"}"\n')
    result = invoke("search", "Diensthandy", "--config", str(path))
    assert result.exit_code == 1 and "lotse index" in result.output


def test_bot_without_token_explains_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    path = tmp_path / "config.toml"
    path.write_text("")
    result = CliRunner().invoke(cli, ["bot", "--config", str(path)])
    assert result.exit_code == 2 and "BotFather" in result.output and "lotse chat" in result.output


def test_index_search_ask_and_stats(config, tmp_path):
    path = config_file(config, tmp_path)
    assert "nichts zu tun" in invoke("index", "--config", path).output
    found = json.loads(invoke("search", "Wie beantrage ich ein Diensthandy?", "--json", "--config", path).output)
    assert found["hits"][0]["source"] == "faq/diensthandy-beantragen.md" and found["answerable"]
    answer = invoke("ask", "Wer leitet die SCIU?", "--config", path).output
    assert "Chief Digital Officer" in answer and "Quellen:" in answer
    assert "Dokumente: 38" in invoke("stats", "--config", path).output


def test_terminal_chat_over_stdin(config, tmp_path):
    path = config_file(config, tmp_path)
    output = invoke("chat", "--config", path, input="Was bedeutet OZG?\n+\n/quellen\n/ende\n").output
    assert "OZG steht für Onlinezugangsgesetz" in output
    assert "Danke für Ihre Rückmeldung" in output and "Alle Quellen" in output and "Auf Wiedersehen" in output


def test_terminal_chat_without_input_shows_a_sample_answer(config, tmp_path):
    output = invoke("chat", "--config", config_file(config, tmp_path), input="").output
    assert "Beispielfrage" in output and "Quellen:" in output


def test_restricted_knowledge_only_for_the_group_in_the_terminal(config, tmp_path):
    path = config_file(config, tmp_path)
    question = "Wie hoch ist das Budget von Projekt Nordlicht?"
    assert "Nordlicht" not in invoke("ask", question, "--config", path).output.replace(question, "")
    assert "Nordlicht" in invoke("ask", question, "--group", "sciu-intern", "--config", path).output


def test_eval_prints_json(tmp_path):
    squad = {"data": [{"title": "T", "paragraphs": [{"context": "Die SCIU wurde 2021 gegründet.", "qas": [
        {"id": "1", "question": "Wann wurde die SCIU gegründet?", "answers": [{"text": "2021", "answer_start": 0}]}]}]}]}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(squad))
    report = json.loads(invoke("eval", str(path), "--json").output)
    assert report["mrr_at_10"] == 1.0 and {"recall_at_5", "ndcg_at_10", "latency_p95_ms", "indexing_seconds"} <= set(report)


def test_eval_rejects_a_file_that_is_neither_squad_nor_a_catalogue(tmp_path):
    path = tmp_path / "kaputt.json"
    path.write_text('{"version": 1}')
    result = invoke("eval", str(path))
    assert result.exit_code == 1 and "SQuAD" in result.output
    path.write_text("[1, 2]")
    result = invoke("eval", str(path))
    assert result.exit_code == 1 and "Fragenkatalog" in result.output


def test_index_warns_and_every_format_shows_stand_and_contact(config, tmp_path):
    root = config.index.knowledge_dir
    (root / "tippfehler.md").write_text("---\ntitle: Tippfehler\nacess: sciu-intern\n---\n\nNotizen zum Budget.\n")
    path = config_file(config, tmp_path, "[groups]\nsciu-intern = [1]\n")
    output = invoke("index", "--config", path, "-q").output
    assert "Warnungen:\n  - tippfehler.md: unbekannter Schlüssel „acess“ (gemeint: „access“?)" in output
    for query, source in [
        ("Pflichtfelder im Projektsteckbrief", "projekte/leitfaden-projektsteckbrief.docx"),
        ("Datenschutz bei Kameras und Sensoren", "anleitungen/merkblatt-datenschutz-sensorprojekte.pdf"),
        ("Wann ist die Digitalwerkstatt?", "sciu/termine-und-formate.html"),
        ("Durchwahl der Geschäftsstelle", "sciu/telefonliste-kontakte.txt"),
    ]:
        hits = json.loads(invoke("search", query, "-k", "10", "--json", "--config", path).output)["hits"]
        hit = next(h for h in hits if h["source"] == source)
        assert hit["updated"][:4] in {"2025", "2026"} and "(@" in hit["owner"]
