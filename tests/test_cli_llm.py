"""`lotse ask --llm/--no-llm` and `lotse eval --llm` against the OpenAI-compatible stand-in."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from bot.catalogue_eval import QuestionResult, report
from bot.cli_eval import comparison_text
from openai_standin import Behaviour, OpenAIStandIn
from test_cli import config_file, invoke
from test_grounded_answers import cited, sentence

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def model() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as standin:
        standin.behaviour = Behaviour(reply=lambda p: cited(sentence(p, 1), 1))
        yield standin


def llm_section(model: OpenAIStandIn, enabled: bool) -> str:
    return (f'[llm]\nenabled = {str(enabled).lower()}\nbase_url = "{model.base_url}"\nmodel = "{model.model}"\n'
            "timeout_seconds = 10\n")


def test_ask_with_and_without_the_model(config, tmp_path: Path, model: OpenAIStandIn) -> None:
    path = config_file(config, tmp_path, llm_section(model, enabled=False))
    plain = invoke("ask", "Wer leitet die SCIU?", "--config", path).output
    assert model.requests == [] and "Sprachmodell" not in plain
    phrased = invoke("ask", "Wer leitet die SCIU?", "--llm", "--config", path).output
    assert len(model.requests) == 1 and "[1]." in phrased and "Von einem Sprachmodell formuliert" in phrased
    assert "Quellen:" in phrased and "Stand 2026-02-01" in phrased

    enabled = config_file(config, tmp_path, llm_section(model, enabled=True))
    assert "Sprachmodell" not in invoke("ask", "Wer leitet die SCIU?", "--no-llm", "--config", enabled).output
    assert len(model.requests) == 1


def test_ask_with_a_failing_model_answers_and_warns_on_stderr(config, tmp_path: Path, model: OpenAIStandIn) -> None:
    model.behaviour = Behaviour(status=500)
    result = invoke("ask", "Wer leitet die SCIU?", "--llm", "--config",
                    config_file(config, tmp_path, llm_section(model, enabled=False)))
    assert result.exit_code == 0 and "Smart City Innovation Unit" in result.stdout
    assert "Rückfall auf Auszug: 1 (Serverfehler 1)" in result.stderr


def test_ask_with_llm_but_no_model_configured_says_what_is_missing(config, tmp_path: Path) -> None:
    result = invoke("ask", "Wer leitet die SCIU?", "--llm", "--config", config_file(config, tmp_path))
    assert result.exit_code != 0 and "[llm] base_url und model" in result.output


def test_eval_reports_figures_with_and_without_the_model(config, tmp_path: Path, model: OpenAIStandIn) -> None:
    catalogue = tmp_path / "katalog.json"
    catalogue.write_text(json.dumps([
        {"id": "T1", "question": "Wer leitet die SCIU?", "style": "direct", "expected_source": "sciu/ueber-die-sciu.md",
         "alt_sources": [], "key_facts": ["Chief Digital Officer"], "group": None},
        {"id": "T2", "question": "Wie beantrage ich ein Diensthandy?", "style": "direct",
         "expected_source": "faq/diensthandy-beantragen.md", "alt_sources": [], "key_facts": ["IT-Serviceportal"],
         "group": None},
    ], ensure_ascii=False), encoding="utf-8")
    path = config_file(config, tmp_path, llm_section(model, enabled=False))
    report = json.loads(invoke("eval", str(catalogue), "--llm", "--json", "--config", path).output)
    assert report["without_model"]["overall"]["phrased"] == 0.0
    assert report["with_model"]["overall"]["phrased"] == 1.0 and len(model.requests) == 2
    assert report["with_model"]["overall"]["source_at_1"] == report["without_model"]["overall"]["source_at_1"]
    assert "formuliert und geprüft: 2" in report["model"]


def test_comparison_table_shows_both_runs_and_what_the_model_did() -> None:
    without = report([QuestionResult("T1", "direct", "Frage?", True, False, "Auszug.", [], True)])
    phrased = report([QuestionResult("T1", "direct", "Frage?", True, False, "Satz [1].", [], True, phrased=True)])
    text = comparison_text(without, phrased, "Modell: m · formuliert und geprüft: 1", details=False)
    assert text.startswith("Ohne Sprachmodell (Auszug):\n") and "Mit Sprachmodell (geprüft), formuliert: 1.00" in text
    assert text.endswith("Modell: m · formuliert und geprüft: 1")
