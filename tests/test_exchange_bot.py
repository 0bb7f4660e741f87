"""The knowledge-exchange loop end to end: real python-telegram-bot polling the Bot API stand-in,
the real index of the sample knowledge base, the real embedding model, and a clock the test moves."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timezone

import frontmatter
import pytest

from bot.clock import ManualClock
from bot.config import Config
from bot.core import ChatCore
from bot.interactions import Interactions
from bot.fronts.telegram import build_application
from indexer import Index
from indexer.embedder import Embedder
from telegram_standin import Call, StandIn, run_polling
from test_telegram_bot import ADMIN, MEMBER, TOKEN, USER, Harness, buttons_of, text_of

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

EXPERT, FALLBACK = 3001, 4004
# A declined question goes to the topic expert (here by the keyword "Fahrrad"), never to the owner of
# the nearest, unrelated document.
UNANSWERABLE = "Wo kann ich im Rathaus mein Fahrrad abstellen?"
PARAPHRASE = "Wo stelle ich mein Fahrrad am Rathaus ab?"
EXPERT_ANSWER = "Fahrräder stellen Sie im Innenhof des Rathauses ab. Der Fahrradkeller öffnet mit dem Dienstausweis."


class ExchangeBot:
    """Starts (and restarts) the real bot against one stand-in, with a manual clock."""

    def __init__(self, config: Config, embedder: Embedder, standin: StandIn, stack: contextlib.ExitStack) -> None:
        self.config, self.embedder, self.standin, self.stack = config, embedder, standin, stack
        self.clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        self.running: contextlib.ExitStack | None = None
        self.harness: Harness | None = None

    def start(self) -> Harness:
        settings = self.config.telegram
        settings.token, settings.base_url = TOKEN, self.standin.base_url
        settings.allowed_users, settings.admins = [USER, MEMBER, EXPERT], [ADMIN]
        settings.rate_limit_per_minute = 100
        self.config.handoff.fallback_chat_id = FALLBACK
        self.config.handoff.topics = {"fahrrad": "@jonas_becker"}
        self.config.handoff.check_interval_seconds = 0.1
        chat = self.config.chat  # retention counts on the manual clock that stamps onboarding and hand-offs
        interactions = Interactions(self.config.interactions_path, chat.retention_days, chat.store_questions, self.clock)
        core = ChatCore(self.config, index=Index(self.config.index, self.config.search, embedder=self.embedder),
                        interactions=interactions)
        self.running = contextlib.ExitStack()
        self.running.callback(core.interactions.close)
        app = build_application(self.config, core, self.clock)
        loop = self.running.enter_context(run_polling(app))
        self.stack.callback(self.stop)
        self.harness = Harness(self.standin, core, app, loop, self.config)  # type: ignore[arg-type]
        return self.harness

    def stop(self) -> None:
        if self.running is not None:
            self.running.close()
            self.running = None

    def restart(self) -> Harness:
        self.stop()
        return self.start()


@pytest.fixture
def exchange(config: Config, embedder: Embedder) -> Iterator[ExchangeBot]:
    with contextlib.ExitStack() as stack:
        standin = stack.enter_context(StandIn(TOKEN, "wissenslotse_bot"))
        yield ExchangeBot(config, embedder, standin, stack)


def tap(bot: Harness, user_id: int, message: Call, label: str) -> Call:
    """Press the button labelled `label` under `message`; returns the bot's next message to that user."""
    mark = bot.standin.mark()
    chat_id = message.params["chat_id"]
    bot.press(user_id, chat_id, message.result["message_id"], buttons_of(message)[label])
    return bot.next_message(chat_id, mark)


def tap_edit(bot: Harness, user_id: int, message: Call, label: str) -> str:
    """Press a button whose answer edits `message` in place; returns the new text."""
    mark = bot.standin.mark()
    chat_id, message_id = message.params["chat_id"], message.result["message_id"]
    bot.press(user_id, chat_id, message_id, buttons_of(message)[label])
    bot.standin.wait_for(lambda c: c.method == "editMessageText" and c.params["message_id"] == message_id, since=mark)
    return bot.standin.message(chat_id, message_id)["text"]


def hand_off(bot: Harness, question: str, consent: str) -> str:
    """Ask as USER, press "An Expert:in weiterleiten" and answer the consent question; the confirmation."""
    answer = bot.send(USER, question)
    assert "Dazu habe ich nichts Verlässliches gefunden" in text_of(answer)
    consent_message = tap(bot, USER, answer, "An Expert:in weiterleiten")
    assert "Darf ich Ihren Namen mitschicken" in text_of(consent_message)
    return tap_edit(bot, USER, consent_message, consent)


def expert_message(bot: Harness, chat_id: int, since: int, words: str = "Frage aus dem Wissenslotsen") -> Call:
    call = bot.standin.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == chat_id
                                and c.status == 200 and words in c.result["text"], since=since)
    assert call.params["reply_markup"].get("force_reply") is True
    return call


def hand_off_after_thumbs_down(bot: Harness, asker: int, answer: Call, expert: int) -> Call:
    """As `asker`, press 👎 under `answer` and agree to an anonymous hand-off; the question as `expert` gets it."""
    offer = tap(bot, asker, answer, "👎")
    consent = tap(bot, asker, offer, "An Expert:in weiterleiten")
    mark = bot.standin.mark()
    assert "weitergeleitet" in tap_edit(bot, asker, consent, "Anonym")
    return expert_message(bot, expert, mark)


def expert_answers(bot: Harness, expert: int, question: Call, text: str, asker: int, username: str) -> str:
    """`expert` replies `text` to `question`; what the asker received, once the bot thanked the
    expert (by then the FAQ entry is indexed)."""
    mark = bot.standin.mark()
    bot.standin.reply_to_bot_message(expert, expert, question.result["message_id"], text, username=username)
    delivered = text_of(bot.next_message(asker, mark))
    bot.standin.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == expert
                         and "Danke" in c.params["text"], since=mark)
    return delivered


def test_full_onboarding_path_with_questions_between_and_admin_overview(exchange: ExchangeBot) -> None:
    bot = exchange.start()
    welcome = bot.send(USER, "/start")
    assert "Neu in der SCIU?" in text_of(welcome) and "Onboarding starten" in buttons_of(welcome)
    overview = tap(bot, USER, welcome, "Onboarding starten")
    assert "(0 von 6 erledigt)" in text_of(overview) and "▶ 1. Willkommen in der SCIU" in text_of(overview)

    step = tap(bot, USER, overview, "Weiter ▶")
    for number in range(1, 7):
        shown = text_of(step)
        assert f"Schritt {number} von 6:" in shown and "Vollständig lesen: knowledge/onboarding/0" in shown
        if number == 1:
            assert "Herzlich willkommen in der Smart City Innovation Unit!" in shown
            assert "VPN" in text_of(bot.send(USER, "Wie richte ich das VPN ein?"))  # questions still work
            exchange.clock.advance(days=3)
        step = tap(bot, USER, step, "✅ Erledigt")
        assert f"✅ Schritt {number} erledigt ({number} von 6)" in text_of(step)
    assert "Geschafft" in text_of(step) and not buttons_of(step)

    bot.send(MEMBER, "/start")
    member_step = tap(bot, MEMBER, bot.send(MEMBER, "/onboarding"), "Weiter ▶")
    tap(bot, MEMBER, member_step, "✅ Erledigt")
    exchange.clock.advance(days=8)

    bot = exchange.restart()  # progress lives in the interactions database
    path = text_of(bot.send(USER, "/onboarding"))
    assert "(6 von 6 erledigt)" in path and path.count("✅") == 6
    status = text_of(bot.send(ADMIN, "/status"))
    assert "Begonnen: 2 · abgeschlossen: 1 · hängen seit über 7 Tagen: 1" in status
    assert "bei Schritt 2. Zugänge & Konten: 1" in status and "seit 8 Tagen" in status
    assert text_of(bot.send(USER, "/onboarding", chat_id=-500)).startswith("Das Onboarding begleite ich im Einzelchat")


def test_unanswerable_question_goes_to_the_owner_and_comes_back_as_faq(exchange: ExchangeBot) -> None:
    bot = exchange.start()
    bot.send(EXPERT, "/start", username="jonas_becker", first_name="Jonas")  # the bot learns the owner's id
    mark = bot.standin.mark()
    confirmation = hand_off(bot, UNANSWERABLE, "Mit meinem Namen")
    assert "an @jonas_becker weitergeleitet" in confirmation and "3 Tagen" in confirmation
    question = expert_message(bot, EXPERT, mark)
    assert UNANSWERABLE in text_of(question) and "von Tester" in text_of(question)
    assert "Expertin oder Experte für dieses Thema" in text_of(question)

    mark = bot.standin.mark()
    bot.standin.reply_to_bot_message(EXPERT, EXPERT, question.result["message_id"], EXPERT_ANSWER,
                                     username="jonas_becker", first_name="Jonas")
    delivered = text_of(bot.next_message(USER, mark))
    assert "Antwort von Jonas (@jonas_becker)" in delivered and EXPERT_ANSWER in delivered
    assert "noch nicht vom SCIU-Team geprüft" in delivered
    thanks = bot.standin.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == EXPERT
                                  and "Danke" in c.params["text"], since=mark)
    assert "Ab sofort beantworte ich diese Frage selbst" in text_of(thanks)

    [entry] = (bot.config.index.knowledge_dir / "faq").glob("expertenantwort-*.md")
    meta = frontmatter.load(entry).metadata
    handoff = next(bot.core.interactions.db["handoffs"].rows)
    assert meta["title"] == meta["question"] == UNANSWERABLE and meta["reviewed"] is False
    assert meta["owner"] == "@jonas_becker" and meta["answer_author"] == "Jonas (@jonas_becker)"
    assert meta["source_question"] == handoff["question_id"] and meta["date"] == "2026-03-02"
    assert handoff["status"] == "answered" and handoff["asker_chat_id"] is None and handoff["asker_name"] is None

    second = text_of(bot.send(MEMBER, PARAPHRASE))  # answered directly now
    assert "Innenhof des Rathauses" in second and "Noch nicht geprüft" in second
    assert "noch nicht geprüft" in second.split("Quellen", 1)[1]

    review = bot.send(ADMIN, "/pruefen")
    assert UNANSWERABLE in text_of(review) and EXPERT_ANSWER in text_of(review)
    assert "neuen Antworttext" in text_of(tap(bot, ADMIN, review, "✏️ Bearbeiten"))
    edited = bot.send(ADMIN, "Fahrräder parken im Innenhof des Rathauses, direkt neben dem Haupteingang.")
    assert "Neue Antwort gespeichert" in text_of(edited)
    assert "Freigegeben" in tap_edit(bot, ADMIN, edited, "✅ Freigeben")
    assert frontmatter.load(entry).metadata["reviewed"] is True
    approved = text_of(bot.send(MEMBER, PARAPHRASE))
    assert "direkt neben dem Haupteingang" in approved and "geprüft" not in approved
    assert "Keine Antworten" in text_of(bot.send(ADMIN, "/pruefen"))
    gaps = text_of(bot.send(ADMIN, "/luecken"))
    assert f"1. 1 × „{UNANSWERABLE}“ (1 × unsicher, 1 × weitergeleitet" in gaps


def test_reminder_once_then_deadline_and_a_late_answer_is_kept(exchange: ExchangeBot) -> None:
    exchange.config.handoff.experts = {"@jonas_becker": EXPERT}
    bot = exchange.start()
    mark = bot.standin.mark()
    assert "weitergeleitet" in hand_off(bot, UNANSWERABLE, "Anonym")
    question = expert_message(bot, EXPERT, mark)
    assert "(anonym gestellt)" in text_of(question) and "Tester" not in text_of(question)

    bot = exchange.restart()  # open hand-offs survive a restart
    mark = bot.standin.mark()
    exchange.clock.advance(hours=23)
    assert bot.services.exchange.handoffs.due().reminders == []  # not yet
    exchange.clock.advance(hours=2)
    reminder = expert_message(bot, EXPERT, mark, "Erinnerung")
    assert UNANSWERABLE in text_of(reminder)

    exchange.clock.advance(hours=48)
    expired = text_of(bot.next_message(USER, mark))
    assert "bisher niemand geantwortet" in expired and "SCIU-Team (@sciu_bochum)" in expired
    assert len([c for c in bot.messages(EXPERT, mark) if "Erinnerung" in c.params["text"]]) == 1
    assert next(bot.core.interactions.db["handoffs"].rows)["asker_chat_id"] is None

    mark = bot.standin.mark()
    bot.standin.reply_to_bot_message(EXPERT, EXPERT, reminder.result["message_id"], EXPERT_ANSWER, username="jonas_becker")
    thanks = bot.next_message(EXPERT, mark)
    assert "Frist für diese Frage war schon abgelaufen" in text_of(thanks)
    assert bot.silent(USER, mark)
    assert "Innenhof" in text_of(bot.send(MEMBER, PARAPHRASE))


def test_unreachable_expert_leads_to_the_fallback_contact(exchange: ExchangeBot) -> None:
    exchange.config.handoff.experts = {"@jonas_becker": EXPERT}
    bot = exchange.start()
    bot.standin.block_chat(EXPERT)
    mark = bot.standin.mark()
    confirmation = hand_off(bot, UNANSWERABLE, "Anonym")
    assert "an SCIU-Team (@sciu_bochum) weitergeleitet" in confirmation
    assert any(c.status == 403 for c in bot.standin.calls("sendMessage")[0:] if c.params["chat_id"] == EXPERT)
    question = expert_message(bot, FALLBACK, mark)
    assert "nicht hinterlegt oder gerade nicht erreichbar" in text_of(question)

    mark = bot.standin.mark()
    bot.standin.reply_to_bot_message(FALLBACK, FALLBACK, question.result["message_id"], EXPERT_ANSWER)
    assert EXPERT_ANSWER in text_of(bot.next_message(USER, mark))

    bot.standin.block_chat(FALLBACK)  # now nobody at all can be reached
    assert "niemanden erreichen" in hand_off(bot, "Wann gibt es Pizza auf dem Mond?", "Anonym")
    assert [row["status"] for row in bot.core.interactions.db["handoffs"].rows] == ["answered", "unreachable"]


def test_thumbs_down_offers_the_hand_off(exchange: ExchangeBot) -> None:
    bot = exchange.start()
    answer = bot.send(USER, "Wer leitet die SCIU?")
    assert "An Expert:in weiterleiten" not in buttons_of(answer)
    offer = tap(bot, USER, answer, "👎")
    assert "Soll ich Ihre Frage an eine Expertin oder einen Experten weiterleiten?" in text_of(offer)
    assert "an SCIU-Team (@sciu_bochum)" in text_of(tap(bot, USER, offer, "An Expert:in weiterleiten"))
    assert tap_edit(bot, USER, tap(bot, USER, offer, "An Expert:in weiterleiten"), "Abbrechen").startswith("Alles klar")
    stranger_press = bot.press(MEMBER, USER, offer.result["message_id"], buttons_of(offer)["An Expert:in weiterleiten"])
    assert "nicht mehr weiterleiten" in stranger_press.params["text"]  # only the asker may hand it off



def test_an_expert_answer_from_a_restricted_context_stays_restricted(exchange: ExchangeBot) -> None:
    exchange.config.groups = {"sciu-intern": [MEMBER, ADMIN]}
    exchange.config.handoff.experts = {"@sabine_kraemer": EXPERT}  # owner of the restricted note, not a member
    bot = exchange.start()
    answer = bot.send(MEMBER, "Was ist Projekt Nordlicht?")
    assert "haushaltsnotiz-2026.md" in text_of(answer)
    question = hand_off_after_thumbs_down(bot, MEMBER, answer, EXPERT)
    assert "Haushaltsnotiz" not in text_of(question) and "Ansprechperson für das Dokument" in text_of(question)

    secret = "Die Restmittel aus Nordlicht gehen im Dezember an das Team Kranich."
    assert secret in expert_answers(bot, EXPERT, question, secret, MEMBER, "sabine_kraemer")
    [entry] = (bot.config.index.knowledge_dir / "faq").glob("expertenantwort-*.md")
    assert frontmatter.load(entry).metadata["access"] == ["sciu-intern"]
    paraphrase = "Wohin gehen die Restmittel aus Nordlicht im Dezember?"
    assert "Team Kranich" not in text_of(bot.send(USER, paraphrase))
    assert "Team Kranich" in text_of(bot.send(MEMBER, paraphrase))

    review = bot.send(ADMIN, "/pruefen")
    assert "Zugriff: nur Gruppe sciu-intern" in text_of(review)
    assert "Gruppe(n)" in text_of(tap(bot, ADMIN, review, "🔒 Zugriff"))
    assert "Unbekannte Gruppe: alle-welt" in text_of(bot.send(ADMIN, "alle-welt"))
    changed = bot.send(ADMIN, "öffentlich")
    assert "Zugriff geändert" in text_of(changed) and "Zugriff: alle (öffentlich)" in text_of(changed)
    assert "access" not in frontmatter.load(entry).metadata
    assert "Team Kranich" in text_of(bot.send(USER, paraphrase))  # the reviewer opened it on purpose
