"""No side door: a restricted document (an onboarding step, the successor of a public document)
reaches no outsider by any command or bot path, while a member of its group does see it.

Real components throughout: a temporary knowledge base indexed with the real model, the `lotse`
commands through click, and the real Telegram bot polling the Bot API stand-in."""
from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import frontmatter
import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Config, load_config
from bot.core import ChatCore
from bot.fronts.telegram import build_application
from indexer import Index, build_index
from indexer.embedder import Embedder
from telegram_standin import StandIn, run_polling
from test_exchange_bot import expert_answers, hand_off_after_thumbs_down, tap
from test_search import write
from test_telegram_bot import TOKEN, Harness, buttons_of, text_of

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

OUTSIDER, MEMBER, ADMIN, EXPERT = 5001, 5002, 5003, 5004
TITLE = "Projekt Silberfuchs – interne Parkordnung"
SECRET_DOC = ("Ab Juni parken Dienstwagen nur noch im Parkdeck Zinnober auf Ebene minus drei.",
              "Der Schlüssel zum Parkdeck Zinnober liegt im Tresor mit dem Code 4711-Silberfuchs.")
SECRET_ANSWER = "Im Parkdeck Zinnober gibt es zwölf Ladesäulen für Dienstwagen."
# No question below contains these, so any of them in an outsider's view came from the documents.
SECRETS = (TITLE, *SECRET_DOC, SECRET_ANSWER, "Zinnober", "Silberfuchs", "4711", "silberfuchs.md")
PARKING = "Wo parken Dienstwagen ab Juni?"
CHARGING = "Wie viele Ladesäulen für Dienstwagen gibt es im neuen Parkdeck?"


@pytest.fixture
def lotse_config(tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> Config:
    """The temporary knowledge base, indexed, and a config file the `lotse` commands read."""
    root = tmp_path / "knowledge"
    write(root, "intern/silberfuchs.md", " ".join(SECRET_DOC), title=json.dumps(TITLE, ensure_ascii=False),
          access="geheim", onboarding="2", owner='"Rita Rabe (@rita_rabe)"', updated="2026-05-01")
    write(root, "parken.md", "Dienstwagen parken im Hof hinter dem Rathaus. Die Zufahrt liegt an der Westseite.",
          title="Parkregeln für Dienstwagen", superseded_by="intern/silberfuchs.md", updated="2025-01-10")
    write(root, "willkommen.md", "Herzlich willkommen im Team der Stadtverwaltung. Am ersten Tag holen Sie Ihren "
          "Dienstausweis an der Pforte ab.", title='"Onboarding 1: Willkommen im Team"', onboarding="1")
    write(root, "checkliste.md", "In der ersten Woche richten Sie Ihr Postfach ein und lernen Ihr Team kennen.",
          title='"Onboarding 3: Checkliste erste Woche"', onboarding="3")
    write(root, "kantine.md", "Die Kantine im Erdgeschoss öffnet um 11:30 Uhr und schließt um 14 Uhr.",
          title="Kantine", owner='"Karl Koch (@karl_koch)"')
    settings = tmp_path / "lotse.toml"
    settings.write_text(f'[index]\nknowledge_dir = "{root}"\ndata_dir = "{tmp_path / "var"}"\nprogress = false\n'
                        f"[groups]\ngeheim = [{MEMBER}]\n", encoding="utf-8")
    monkeypatch.setenv("LOTSE_CONFIG", str(settings))
    config = load_config(settings)
    build_index(config.index, embedder=embedder)
    return config


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def lotse(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def bot(lotse_config: Config, embedder: Embedder) -> Iterator[Harness]:
    config = lotse_config
    with contextlib.ExitStack() as stack:
        standin = stack.enter_context(StandIn(TOKEN, "wissenslotse_bot"))
        settings = config.telegram
        settings.token, settings.base_url = TOKEN, standin.base_url
        settings.allowed_users, settings.admins, settings.rate_limit_per_minute = [OUTSIDER, MEMBER, EXPERT], [ADMIN], 100
        config.handoff.experts = {"@rita_rabe": EXPERT}  # owner of the restricted document, not a member
        config.handoff.fallback_chat_id = ADMIN
        core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
        stack.callback(core.interactions.close)
        app = build_application(config, core)
        loop = stack.enter_context(run_polling(app))
        yield Harness(standin, core, app, loop, config)  # type: ignore[arg-type]


def walk_onboarding(bot: Harness, user_id: int, steps: int) -> list[str]:
    """/onboarding, then "Weiter" and "Erledigt" through `steps` steps; every text shown."""
    overview = bot.send(user_id, "/onboarding")
    shown = [text_of(overview)]
    step = tap(bot, user_id, overview, "Weiter ▶")
    for _ in range(steps):
        shown.append(text_of(step))
        if "✅ Erledigt" not in buttons_of(step):
            break
        step = tap(bot, user_id, step, "✅ Erledigt")
    shown.append(text_of(step))
    return shown


def test_an_outsider_finds_no_side_door(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    # The member sees the restricted document: as an answer, as onboarding step 2.
    member_answer = bot.send(MEMBER, PARKING)
    assert SECRET_DOC[0] in text_of(member_answer) and TITLE in text_of(member_answer)
    member_path = text_of(bot.send(MEMBER, "/onboarding"))
    assert f"2. {TITLE}" in member_path and "(0 von 3 erledigt)" in member_path
    tap(bot, MEMBER, tap(bot, MEMBER, bot.send(MEMBER, "/onboarding"), "Weiter ▶"), "✅ Erledigt")  # now at step 2

    # The outsider asks, looks at all sources, presses "Mehr Quellen", forges the member's button.
    answer = bot.send(OUTSIDER, PARKING)
    assert "Hof hinter dem Rathaus" in text_of(answer) and "eraltet" in text_of(answer)  # the old one, flagged
    bot.send(OUTSIDER, "/quellen")
    if "Mehr Quellen" in buttons_of(answer):
        tap(bot, OUTSIDER, answer, "Mehr Quellen")
    member_question = buttons_of(member_answer)["👍"].split(":")[1]
    bot.press(OUTSIDER, OUTSIDER, answer.result["message_id"], f"m:{member_question}")
    bot.send(OUTSIDER, "Wo ist der Schlüssel zum neuen Parkdeck?")
    path = walk_onboarding(bot, OUTSIDER, 2)
    assert "(0 von 2 erledigt)" in path[0] and "Schritt 2 von 2: Checkliste erste Woche" in "\n".join(path)

    # The member hands a follow-up to the document's owner (not a member); the answer stays restricted.
    follow_up = bot.send(MEMBER, CHARGING)
    question = hand_off_after_thumbs_down(bot, MEMBER, follow_up, EXPERT)
    assert SECRET_ANSWER in expert_answers(bot, EXPERT, question, SECRET_ANSWER, MEMBER, "rita_rabe")
    [entry] = (bot.config.index.knowledge_dir / "faq").glob("expertenantwort-*.md")
    assert frontmatter.load(entry).metadata["access"] == ["geheim"]
    assert SECRET_ANSWER in text_of(bot.send(MEMBER, CHARGING))
    bot.send(OUTSIDER, CHARGING)
    bot.send(OUTSIDER, "/quellen")

    # The admin (not a member) looks at /status, /luecken and /pruefen.
    status = text_of(bot.send(ADMIN, "/status"))
    assert "bei Schritt 2. 🔒 vertraulicher Schritt" in status
    bot.send(ADMIN, "/luecken")
    review = text_of(bot.send(ADMIN, "/pruefen"))
    assert "Zugriff: nur Gruppe geheim" in review and "nur für Mitglieder" in review  # the text is not shown

    seen_by_outsiders = [c.params.get("text", "") for c in bot.standin.calls()
                         if c.params.get("chat_id") in (OUTSIDER, EXPERT, ADMIN) and c.method != "getUpdates"]
    seen_by_outsiders += [c.params.get("text", "") or "" for c in bot.standin.calls("answerCallbackQuery")]
    for text in seen_by_outsiders:
        assert not leaks(text), text

    # The command line, as an outsider and as a member.
    for query in (PARKING, CHARGING, "Schlüssel Tresor Code Parkdeck"):
        for args in (["search", query, "-k", "50"], ["search", query, "-k", "50", "--json"], ["ask", query]):
            assert not leaks(lotse(*args)), args
    chatted = lotse("chat", stdin=f"{PARKING}\n/quellen\n{CHARGING}\n/quellen\n/onboarding\n/weiter\n/erledigt\n"
                                  "/erledigt\n/onboarding\n")
    assert "Hof hinter dem Rathaus" in chatted and "[veraltet]" in chatted and "(2 von 2 erledigt)" in chatted
    assert not leaks(chatted)
    gaps = lotse("gaps")
    assert "Ladesäulen" in gaps and not leaks(gaps)  # the member's question, but nothing from the documents
    member_search = lotse("search", PARKING, "--group", "geheim")
    assert SECRET_DOC[0] in member_search and "parken.md" not in member_search  # replaced for the member
    assert SECRET_ANSWER in lotse("ask", CHARGING, "--group", "geheim")

    for record in caplog.records:
        assert not leaks(record.getMessage()), record.getMessage()
