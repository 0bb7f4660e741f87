"""Phrased answers end to end: ChatCore with the real index and embedding model, talking real HTTP
and SSE to the OpenAI-compatible stand-in, which is told to answer well or to misbehave.

For each case the test checks the reply the person gets: the checked sentences, or the extractive
answer with no error text."""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

import pytest

from bot.config import Config, LlmSettings
from bot.core import Answer, Asker, ChatCore
from bot.grounded.check import sentences
from indexer import Index
from indexer.embedder import Embedder
from indexer.sentences import split_sentences
from openai_standin import Behaviour, OpenAIStandIn, passages_in

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

PHONE = "Wie beantrage ich ein Diensthandy?"
DESK = "Welche Durchwahl hat der IT-Servicedesk?"
ASKER = Asker("tester")
ERROR_WORDS = ("Fehler", "error", "Error", "Zeitüberschreitung", "timeout")


def sentence(passages: dict[int, str], number: int, containing: str = "", skip: int = 0) -> str:
    """A plain sentence of passage `number` (the first, after `skip`, containing `containing`)."""
    found = [s for line in passages[number].splitlines() for s in split_sentences(line)
             if containing in s and len(s.split()) >= 4 and s[0].isupper() and s.endswith(".")]
    return found[skip]


def cited(text: str, number: int) -> str:
    return f"{text.rstrip('.')} [{number}]."


@pytest.fixture
def model() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as standin:
        yield standin


@pytest.fixture
def cores(config: Config, embedder: Embedder, model: OpenAIStandIn) -> Iterator[tuple[ChatCore, ChatCore]]:
    """A core with the model (timeout 2 s) and one without, sharing index and question log."""
    config.llm = LlmSettings(enabled=True, base_url=model.base_url, model=model.model, timeout_seconds=2.0)
    index = Index(config.index, config.search, embedder=embedder)
    core = ChatCore(config, index)
    plain = ChatCore(replace(config, llm=LlmSettings()), index, core.interactions)
    yield core, plain
    core.interactions.close()


def ask(cores: tuple[ChatCore, ChatCore], question: str) -> tuple[Answer, Answer, list[str]]:
    """The phrased answer, the extractive answer, and the texts streamed meanwhile."""
    core, plain = cores
    streamed: list[str] = []
    answer = core.ask(question, ASKER, streamed.append)
    return answer, plain.ask(question, ASKER), streamed


def assert_extractive(answer: Answer, extractive: Answer) -> None:
    assert not answer.phrased
    assert answer.text == extractive.text
    assert [s.path for s in answer.sources] == [s.path for s in extractive.sources]
    assert not any(word in answer.text for word in ERROR_WORDS)


def test_correct_answer_with_citations_is_served_as_written(cores, model: OpenAIStandIn) -> None:
    model.behaviour = Behaviour(reply=lambda p: f"{sentence(p, 1)} [1] {cited(sentence(p, 1, skip=1), 1)}")
    answer, extractive, streamed = ask(cores, PHONE)
    passages = passages_of(model)
    assert answer.phrased and answer.answered
    assert answer.text == " ".join([cited(sentence(passages, 1), 1), cited(sentence(passages, 1, skip=1), 1)])
    assert [s.path for s in answer.sources] == [s.path for s in extractive.sources]  # sources as today
    assert all(s.updated for s in answer.sources)  # each with its Stand
    assert streamed and streamed[0] == cited(sentence(passages, 1), 1)  # checked sentences, as they complete
    assert cores[0].phraser.stats.phrased == 1


def test_prompt_carries_the_shown_sources_as_numbered_passages(cores, model: OpenAIStandIn) -> None:
    model.behaviour = Behaviour(reply=lambda p: cited(sentence(p, 1), 1))
    answer, _, _ = ask(cores, PHONE)
    request = model.requests[-1]
    assert request["stream"] is True and request["model"] == model.model
    user = request["messages"][1]["content"]
    for number, source in enumerate(answer.sources, start=1):
        assert f"[{number}] {source.title}" in user and f"Stand: {source.updated}" in user


@pytest.mark.parametrize("fault", [
    pytest.param(lambda p: cited(sentence(p, 1), 7), id="cites-passage-not-given"),
    pytest.param(lambda p: "You request a service phone through the IT service portal [1].", id="english"),
    pytest.param(lambda p: "Nach dem Bundesreisekostengesetz gilt eine Tagespauschale von 28 Euro [1].",
                 id="own-knowledge"),
    pytest.param(lambda p: "Die Unterlagen beantworten diese Frage nicht.", id="says-not-answered"),
])
def test_answer_that_loses_its_core_gives_the_extractive_answer(cores, model: OpenAIStandIn, fault) -> None:
    model.behaviour = Behaviour(reply=fault)
    answer, extractive, streamed = ask(cores, PHONE)
    assert_extractive(answer, extractive)
    assert streamed == []  # nothing unchecked was shown meanwhile
    assert cores[0].phraser.stats.fallbacks["check"] == 1


@pytest.mark.parametrize("fault", [
    pytest.param(lambda p: cited(sentence(p, 1, "-5555").replace("-5555", "-5565"), 1), id="invented-extension"),
    pytest.param(lambda p: cited(sentence(p, 1, "-5555").rstrip(".") + ", zuständig ist Klaus Wendeburg", 1),
                 id="invented-name"),
    pytest.param(lambda p: cited(sentence(p, 1, "-5555").rstrip(".") + " bis zum 17. Juni 2031", 1), id="invented-date"),
    pytest.param(lambda p: cited(sentence(p, 1, "-5555"), 2), id="fact-of-1-cited-as-2"),
    pytest.param(lambda p: sentence(p, 1, "-5555"), id="no-citation"),
])
def test_unsupported_sentence_is_dropped_and_the_rest_served(cores, model: OpenAIStandIn, fault) -> None:
    model.behaviour = Behaviour(reply=lambda p: f"{cited(sentence(p, 1, 'Durchwahl'), 1)} {fault(p)}")
    answer, _, streamed = ask(cores, DESK)
    passages = passages_of(model)
    assert "5555" not in passages.get(2, "")  # the wrong-citation case needs the fact to be only in [1]
    good = cited(sentence(passages, 1, "Durchwahl"), 1)
    assert answer.phrased and answer.text == good
    assert all(text == good for text in streamed)  # the faulty sentence was never shown
    assert cores[0].phraser.stats.dropped_sentences == 1


def test_english_question_on_german_passages_is_not_sent_to_the_model(cores, model: OpenAIStandIn) -> None:
    model.behaviour = Behaviour(reply="You set up the VPN with the city's VPN client [1].")
    answer, extractive, _ = ask(cores, "How do I set up the VPN?")
    assert answer.answered and answer.language == "en"
    assert answer.text == extractive.text and not answer.phrased
    assert model.requests == [] and cores[0].phraser.stats.english_unchecked == 1


def test_restricted_passages_do_not_go_to_the_model_unless_allowed(cores, model: OpenAIStandIn) -> None:
    core, plain = cores
    member = Asker("member", groups=frozenset({"sciu-intern"}))
    model.behaviour = Behaviour(reply=lambda p: cited(sentence(p, 1), 1))
    answer = core.ask("Was ist Projekt Nordlicht?", member)
    assert answer.answered and "haushaltsnotiz-2026.md" in answer.sources[0].path
    assert not answer.phrased and answer.text == plain.ask("Was ist Projekt Nordlicht?", member).text
    assert model.requests == [] and core.phraser.stats.restricted_unsent == 1
    core.config.llm.send_restricted = True  # the city decides its model server may see them
    assert core.ask("Was ist Projekt Nordlicht?", member).phrased and len(model.requests) == 1


def test_declined_question_never_reaches_the_model(cores, model: OpenAIStandIn) -> None:
    answer, extractive, _ = ask(cores, "Wie ist das Wetter morgen?")
    assert not answer.answered and answer.text == extractive.text
    assert model.requests == []


@pytest.mark.parametrize("behaviour, kind", [
    pytest.param(Behaviour(reply=" ".join(["Wort"] * 30), piece_words=1, delay=0.25), "timeout", id="slow-stream"),
    pytest.param(Behaviour(reply=lambda p: cited(sentence(p, 1), 1) + " " + cited(sentence(p, 1, skip=1), 1),
                           stall_after=2), "timeout", id="stalls-mid-answer"),
    pytest.param(Behaviour(status=500), "http", id="http-500"),
    pytest.param(Behaviour(raw='{"choices": [ this is not json'), "malformed", id="malformed-json-body"),
    pytest.param(Behaviour(raw='data: {"choices": [ this is not json\n\n'), "malformed", id="malformed-event"),
    pytest.param(Behaviour(raw='data: {"error": {"message": "overloaded"}}\n\n'), "http", id="error-event"),
    pytest.param(Behaviour(reply=lambda p: cited(sentence(p, 1), 1) + " " + cited(sentence(p, 1), 1),
                           piece_words=4, broken_after=5), "malformed", id="broken-event"),
])
def test_model_failure_gives_the_extractive_answer_and_is_counted(cores, model: OpenAIStandIn, behaviour: Behaviour,
                                                                 kind: str, caplog: pytest.LogCaptureFixture) -> None:
    model.behaviour = behaviour
    caplog.set_level(logging.WARNING, logger="bot.grounded")
    answer, extractive, _ = ask(cores, PHONE)
    assert_extractive(answer, extractive)
    assert "Sprachmodell" in caplog.text and "Diensthandy" not in caplog.text  # logged, without content
    assert dict(cores[0].phraser.stats.fallbacks) == {kind: 1}
    assert f"Rückfall auf Auszug: 1" in cores[0].phraser.stats.summary(model.model)


def test_reviewed_faq_entry_is_served_as_written(cores, model: OpenAIStandIn, config: Config) -> None:
    faq = Path(config.index.knowledge_dir) / "faq" / "kantine-oeffnungszeiten.md"
    faq.write_text(
        "---\ntitle: \"FAQ: Wann hat die Kantine im Rathaus geöffnet?\"\nowner: \"SCIU-Team (@sciu_bochum)\"\n"
        "updated: 2026-05-02\nreviewed: true\n---\n\n## Antwort\n\nDie Kantine im Rathaus hat montags bis "
        "freitags von 11:30 bis 14:00 Uhr geöffnet.\n", encoding="utf-8")
    cores[0].reindex()
    model.behaviour = Behaviour(reply=lambda p: cited(sentence(p, 1), 1))
    answer, extractive, _ = ask(cores, "Wann hat die Kantine im Rathaus geöffnet?")
    assert answer.sources[0].path == "faq/kantine-oeffnungszeiten.md"
    assert not answer.phrased and answer.text == extractive.text and "11:30" in answer.text
    assert model.requests == [] and cores[0].phraser.stats.faq_as_written == 1


def passages_of(model: OpenAIStandIn) -> dict[int, str]:
    """The numbered passages of the model's latest request."""
    return passages_in(model.requests[-1]["messages"])
