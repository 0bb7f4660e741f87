"""The Telegram bot end to end: real python-telegram-bot polling the Bot API stand-in over HTTP,
a real index of the sample knowledge base and the real embedding model."""
from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from telegram.ext import Application

from bot.config import Config, TelegramSettings
from bot.core import Answer, ChatCore, Source
from bot.fronts.telegram import BotSetupError, build_application, register_commands, run_bot, texts
from bot.fronts.telegram.addressing import without_mention
from bot.fronts.telegram.app import webhook_options
from bot.fronts.telegram.buttons import ButtonPress, encode, parse
from bot.fronts.telegram.context import SERVICES_KEY, Services
from bot.ratelimit import SlidingWindowLimiter
from bot.fronts.chat_html import answer_html, pack, text_blocks
from indexer import Index
from indexer.embedder import Embedder
from indexer.generations import Generations
from gated_core import GatedCore
from telegram_standin import Call, StandIn, parse_html, run_polling

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

TOKEN = "123:TEST"
ADMIN, MEMBER, USER, STRANGER = 1001, 1002, 1003, 6666
TEAM_GROUP, OTHER_GROUP = -500, -900  # TEAM_GROUP is allowed, OTHER_GROUP is not
GROUP_ONLY = 2002  # not an allowed user, but may ask inside TEAM_GROUP
QUESTION = "Wer leitet die SCIU?"


@dataclass
class Harness:
    """A running bot and the stand-in it talks to, with helpers to act as a user."""

    standin: StandIn
    core: GatedCore
    app: Application
    loop: asyncio.AbstractEventLoop
    config: Config

    @property
    def services(self) -> Services:
        return self.app.bot_data[SERVICES_KEY]

    def send(self, user_id: int, text: str, chat_id: int | None = None, **kwargs: Any) -> Call:
        """Send a text as `user_id` and return the bot's (successful) first message to that chat."""
        mark = self.standin.mark()
        self.standin.send_text(user_id, text, chat_id=chat_id, **kwargs)
        return self.next_message(chat_id or user_id, mark)

    def next_message(self, chat_id: int, since: int) -> Call:
        call = self.standin.wait_for(
            lambda c: c.method == "sendMessage" and c.params.get("chat_id") == chat_id, timeout=30, since=since)
        assert call.status == 200, call.result  # the stand-in validates HTML like Telegram
        return call

    def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> Call:
        """Press an inline button and return the bot's answerCallbackQuery."""
        mark = self.standin.mark()
        self.standin.send_callback(user_id, chat_id, message_id, data)
        return self.standin.wait_for("answerCallbackQuery", timeout=30, since=mark)

    def silent(self, chat_id: int, since: int) -> bool:
        """No message went to `chat_id` since the mark."""
        return not self.messages(chat_id, since)

    def messages(self, chat_id: int, since: int) -> list[Call]:
        """Messages the bot sent to `chat_id` since the mark."""
        return [c for c in self.standin.calls()[since:] if c.method == "sendMessage" and c.params["chat_id"] == chat_id]


def text_of(call: Call) -> str:
    """The message text as the user sees it (HTML already parsed by the stand-in)."""
    return call.result["text"]


def buttons_of(call: Call) -> dict[str, str]:
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


@pytest.fixture
def start_bot(config: Config, embedder: Embedder) -> Iterator[Callable[..., Harness]]:
    """Start the real bot against a stand-in; keyword arguments override [telegram] settings."""
    with contextlib.ExitStack() as stack:

        def start(**telegram: Any) -> Harness:
            standin = stack.enter_context(StandIn(TOKEN, "wissenslotse_bot"))
            settings = config.telegram
            settings.token, settings.base_url = TOKEN, standin.base_url
            settings.allowed_users, settings.allowed_chats, settings.admins = [USER, MEMBER], [TEAM_GROUP], [ADMIN]
            settings.rate_limit_per_minute = 100
            for key, value in telegram.items():
                setattr(settings, key, value)
            config.groups = {"sciu-intern": [MEMBER, ADMIN]}
            core = GatedCore(config, index=Index(config.index, config.search, embedder=embedder))
            stack.callback(core.interactions.close)
            app = build_application(config, core)
            loop = stack.enter_context(run_polling(app))
            return Harness(standin, core, app, loop, config)

        yield start


@pytest.fixture
def bot(start_bot: Callable[..., Harness]) -> Harness:
    return start_bot()


def test_private_question_answered_with_sources_and_buttons(bot: Harness) -> None:
    mark = bot.standin.mark()
    answer = bot.send(USER, QUESTION)
    assert bot.standin.wait_for("sendChatAction", since=mark).params["action"] == "typing"
    shown = text_of(answer)
    assert "Smart City Innovation Unit" in shown and "Quellen" in shown
    assert "knowledge/sciu/ueber-die-sciu.md" in shown and "Ansprechperson: Lena Hoffmann" in shown
    assert "Stand 2026-02-01" in shown
    keys = buttons_of(answer)
    assert set(keys) == {"👍", "👎", "Mehr Quellen"} and all(len(v) <= 64 for v in keys.values())

    more = bot.standin.mark()
    assert bot.press(USER, USER, answer.result["message_id"], keys["Mehr Quellen"]).params.get("text") is None
    assert "Weitere Quellen" in text_of(bot.next_message(USER, more))

    everything = text_of(bot.send(USER, "/quellen"))
    assert f"Alle Quellen zu Ihrer Frage „{QUESTION}“" in everything and "4. " in everything


def test_feedback_is_stored_and_stale_buttons_get_a_friendly_answer(bot: Harness) -> None:
    answer = bot.send(USER, QUESTION)
    keys, message_id = buttons_of(answer), answer.result["message_id"]
    assert "Danke" in bot.press(USER, USER, message_id, keys["👍"]).params["text"]
    question_id = int(keys["👍"].split(":")[1])
    votes = lambda: [row["value"] for row in bot.core.interactions.db["feedback"].rows_where(  # noqa: E731
        "question_id = ?", [question_id])]
    assert votes() == [1]
    assert "Feedback" in bot.press(USER, USER, message_id, keys["👎"]).params["text"]
    assert votes() == [-1]  # the latest vote counts
    for data in ("f+:987654", "m:987654", "nonsense", "f+:1:2"):
        assert bot.press(USER, USER, message_id, data).params["text"] == texts.STALE_BUTTON

    unanswered = bot.send(USER, "Wann gibt es Pizza auf dem Mond?")
    assert "Am besten fragen Sie" in text_of(unanswered) and "@" in text_of(unanswered)
    assert "👎" in buttons_of(unanswered)


def test_groups_answer_only_when_addressed(bot: Harness) -> None:
    mark = bot.standin.mark()
    ignored = bot.standin.send_text(GROUP_ONLY, QUESTION, chat_id=TEAM_GROUP)["message"]["message_id"]
    bot.standin.send_sticker(GROUP_ONLY, chat_id=TEAM_GROUP)
    answer = bot.send(GROUP_ONLY, f"@wissenslotse_bot {QUESTION}", chat_id=TEAM_GROUP)
    assert "Smart City Innovation Unit" in text_of(answer)
    assert answer.params["reply_parameters"]["message_id"] == ignored + 2  # quotes the mention, not the rest
    assert len(bot.messages(TEAM_GROUP, mark)) == 1

    mark = bot.standin.mark()
    bot.standin.reply_to_bot_message(GROUP_ONLY, TEAM_GROUP, answer.result["message_id"], "Wie richte ich das VPN ein?")
    assert "VPN" in text_of(bot.next_message(TEAM_GROUP, mark))
    assert "VPN" in text_of(bot.send(GROUP_ONLY, "/frage@wissenslotse_bot Wie richte ich das VPN ein?",
                                     chat_id=TEAM_GROUP))
    assert text_of(bot.send(GROUP_ONLY, "/frage", chat_id=TEAM_GROUP)).startswith("Bitte stellen Sie eine Frage")


def test_strangers_are_refused_politely_and_logged(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.fronts.telegram")
    for chat_id, text in ((None, QUESTION), (OTHER_GROUP, f"@wissenslotse_bot {QUESTION}"), (None, "/start")):
        refusal = text_of(bot.send(STRANGER, text, chat_id=chat_id))
        assert "nicht freigeschaltet" in refusal and str(STRANGER) in refusal
        assert "Smart City Innovation Unit" not in refusal and "Quellen" not in refusal
    assert bot.core.interactions.db["questions"].count == 0
    assert "Zugriff verweigert: Nutzer 6666" in caplog.text
    message_id = bot.send(USER, QUESTION).result["message_id"]
    assert bot.press(STRANGER, USER, message_id, "m:1").params["text"] == texts.NOT_ALLOWED_BUTTON


def test_restricted_documents_only_for_members_in_private(bot: Harness) -> None:
    question = "Was ist Projekt Nordlicht?"
    member = bot.send(MEMBER, question)
    assert "Nordlicht" in text_of(member) and "haushaltsnotiz-2026.md" in text_of(member)

    secret_words = ("Nordlicht", "haushaltsnotiz", "Restmittel", "Kranich", "stellenplanung")
    outsider = text_of(bot.send(USER, question))
    assert not any(word in outsider for word in secret_words)
    bot.send(MEMBER, question)
    in_group = text_of(bot.send(MEMBER, "/quellen", chat_id=TEAM_GROUP))  # last answer was private
    assert in_group == texts.NO_LAST_ANSWER.replace("<i>", "").replace("</i>", "")
    grouped = text_of(bot.send(MEMBER, f"@wissenslotse_bot {question}", chat_id=TEAM_GROUP))
    assert not any(word in grouped for word in secret_words)  # others in the group may lack access
    # A forged "Mehr Quellen" for the member's answer shows an outsider nothing.
    forged = f"m:{buttons_of(member)['👍'].split(':')[1]}"
    mark = bot.standin.mark()
    assert bot.press(USER, USER, 1, forged).params["text"] == texts.STALE_BUTTON
    assert bot.silent(USER, mark)


def test_admin_reindex_with_progress_while_answering(bot: Harness) -> None:
    assert text_of(bot.send(USER, "/reindex")) == texts.ADMIN_ONLY
    assert text_of(bot.send(USER, "/status")) == texts.ADMIN_ONLY
    (bot.config.index.knowledge_dir / "projekte" / "zugvogel.md").write_text(
        '---\ntitle: "Projekt Zugvogel: Lastenräder <b>für</b> Ämter & Betriebe"\n'
        'owner: "Jonas Beispiel (@jonas_beispiel)"\nupdated: 2026-11-01\n---\n\n'
        "Projekt Zugvogel verleiht elektrische Lastenräder an die Ämter der Stadt Bochum. "
        "Die Ausleihe läuft über das Portal Rad & Tat; gefahren wird nur, wenn Strecke < 30 km "
        "und Ladung > 20 kg ist. Schreibweise im Portal: <b>Zugvogel</b> & <i>Lastenrad\n",
        encoding="utf-8")
    bot.core.gate = threading.Event()
    bot.services.progress_interval = 0.05
    started = bot.send(ADMIN, "/reindex")
    assert text_of(started) == texts.REINDEX_STARTED
    progress_id = started.result["message_id"]
    bot.standin.wait_for(lambda c: c.method == "editMessageText" and "Dokumente lesen" in c.params["text"])
    assert text_of(bot.send(ADMIN, "/reindex")) == texts.REINDEX_RUNNING
    assert "Smart City Innovation Unit" in text_of(bot.send(USER, QUESTION))  # still answering
    assert "Gerade läuft eine Neuindizierung" in text_of(bot.send(ADMIN, "/status"))

    bot.core.gate.set()
    bot.standin.wait_for(lambda c: c.method == "editMessageText" and "Index aktualisiert" in c.params["text"])
    summary = bot.standin.message(ADMIN, progress_id)["text"]
    assert "1 neu" in summary and "Generation 2" in summary
    assert not bot.services.reindexing

    answer = text_of(bot.send(USER, "Wie läuft die Ausleihe der Lastenräder über das Portal?"))
    assert "Projekt Zugvogel: Lastenräder <b>für</b> Ämter & Betriebe" in answer  # escaped, shown intact
    assert "Portal Rad & Tat; gefahren wird nur, wenn Strecke < 30 km und Ladung > 20 kg" in answer
    status = text_of(bot.send(ADMIN, "/status"))
    assert "Generation 2" in status and "Fragen insgesamt: 2" in status


def test_a_second_admin_asking_for_reindex_gets_the_result_too(start_bot: Callable[..., Harness]) -> None:
    second = 1004
    bot = start_bot(admins=[ADMIN, second])
    bot.core.gate = threading.Event()
    started = bot.send(ADMIN, "/reindex")
    bot.standin.wait_for(lambda c: c.method == "editMessageText" and "Dokumente lesen" in c.params["text"])
    assert text_of(bot.send(second, "/reindex")) == texts.REINDEX_RUNNING
    mark = bot.standin.mark()
    bot.core.gate.set()
    result = bot.next_message(second, mark)
    assert text_of(result).startswith("✅ Index") and "Generation" in text_of(result)
    assert "Generation" in bot.standin.message(ADMIN, started.result["message_id"])["text"]
    assert len(bot.messages(ADMIN, mark)) == 0 and not bot.services.reindex_waiting


def test_reindex_reports_a_busy_index(bot: Harness) -> None:
    with Generations(bot.config.index.index_dir).lock():
        started = bot.send(ADMIN, "/reindex")
        done = bot.standin.wait_for(lambda c: c.method == "editMessageText" and c.params["text"].startswith("⏳"))
    assert "bereits eine Indizierung" in done.params["text"]
    assert done.params["message_id"] == started.result["message_id"]


def test_hostile_text_and_non_text_messages(bot: Harness) -> None:
    hostile = "<b>Wer</b> leitet & die SCIU? <i"
    welcome = text_of(bot.send(USER, "/start", first_name="<b>Tom & Jerry"))
    assert "Guten Tag, <b>Tom & Jerry!" in welcome
    assert "Smart City Innovation Unit" in text_of(bot.send(USER, hostile))
    assert f"„{hostile}“" in text_of(bot.send(USER, "/quellen"))
    too_long = text_of(bot.send(USER, "&<" * 5000))
    assert "10000 Zeichen zu lang" in too_long

    for send in (bot.standin.send_sticker, bot.standin.send_photo):
        mark = bot.standin.mark()
        send(USER)
        assert text_of(bot.next_message(USER, mark)) == texts.NON_TEXT
    assert text_of(bot.send(USER, "/gibtsnicht")) == texts.UNKNOWN_COMMAND


def test_rate_limit_per_user(start_bot: Callable[..., Harness]) -> None:
    bot = start_bot(rate_limit_per_minute=2)
    for _ in range(2):
        assert "Quellen" in text_of(bot.send(USER, QUESTION))
    assert "warten Sie etwa" in text_of(bot.send(USER, QUESTION))
    assert "Quellen" in text_of(bot.send(MEMBER, QUESTION))  # others are not affected


def test_commands_registered_and_errors_logged(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    asyncio.run_coroutine_threadsafe(register_commands(bot.app), bot.loop).result(10)
    everyone, admin = bot.standin.calls("setMyCommands")
    assert {c["command"] for c in everyone.params["commands"]} == {"frage", "quellen", "onboarding", "hilfe", "start"}
    assert any("Frage" in c["description"] for c in everyone.params["commands"])
    assert admin.params["scope"] == {"type": "chat", "chat_id": ADMIN}
    assert admin.status == 400 and "chat not found" in admin.result  # the admin never opened the chat
    admin_scope = {"type": "chat", "chat_id": ADMIN}
    assert bot.standin.commands(admin_scope) == []
    bot.send(ADMIN, "/hilfe")  # the first message from the admin brings the menu
    assert {"status", "reindex", "pruefen", "frage"} <= set(bot.standin.commands(admin_scope))
    mark = bot.standin.mark()
    bot.send(ADMIN, "/hilfe")
    assert not [c for c in bot.standin.calls()[mark:] if c.method == "setMyCommands"]  # once is enough
    bot.send(USER, "/hilfe")
    assert bot.standin.commands({"type": "chat", "chat_id": USER}) == []

    bot.standin.fail("sendMessage", "Bad Request: chat not found", chat_id=USER)
    mark = bot.standin.mark()
    bot.standin.send_text(USER, "/hilfe")
    sorry = bot.standin.wait_for(lambda c: c.method == "sendMessage" and c.status == 200, since=mark)
    assert text_of(sorry) == texts.SOMETHING_WENT_WRONG
    assert any(c.method == "sendMessage" and c.status == 400 for c in bot.standin.calls()[mark:])
    assert "Fehler bei der Bearbeitung" in caplog.text


def test_long_answers_are_split_into_valid_parts() -> None:
    paragraph = "Ämter & Betriebe <b>nicht</b> fett, a < b > c. " * 30
    source = Source("Titel <i>", "Abschnitt & Co", "https://intranet.example/a?b=1&c=2", "2026-01-01", "X (@x)", True)
    answer = Answer("Frage", "\n\n".join([paragraph] * 8) + "\n\n" + "y" * 9000, True, 0.9, [source] * 3)
    parts = answer_html(answer)
    assert len(parts) > 3
    plain = ""
    for part in parts:
        text, _ = parse_html(part)  # raises on any invalid part
        assert len(part) <= 4096
        plain += text
    assert plain.count("Ämter & Betriebe <b>nicht</b> fett, a < b > c.") == 240
    assert plain.count("y") >= 9000 and "veraltet" in plain


def test_split_never_breaks_markup_or_loses_text() -> None:
    random.seed(7)
    for _ in range(200):
        text = "".join(random.choice("ab &<>\"' ä😀\n") for _ in range(random.randint(0, 2000)))
        limit = random.randint(20, 400)
        parts = pack(text_blocks(text, limit), limit)
        assert all(len(part) <= limit for part in parts)
        shown = "".join(parse_html(part)[0] for part in parts)  # raises on invalid HTML
        assert "".join(shown.split()) == "".join(text.split())  # only whitespace may change at cuts


def test_sliding_window_limiter_with_a_fake_clock() -> None:
    now = [100.0]
    limiter = SlidingWindowLimiter(3, window=60.0, clock=lambda: now[0])
    assert [limiter.hit("anna") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("anna") == 60.0 and limiter.hit("ben") == 0.0  # limits are per user
    now[0] = 130.0
    assert limiter.retry_after("anna") == 30.0 and limiter.hit("anna") == 30.0  # refusals do not count
    now[0] = 160.0  # the first three hits leave the window together
    assert limiter.hit("anna") == 0.0 and limiter.retry_after("anna") == 0.0
    assert all(SlidingWindowLimiter(0, clock=lambda: 0.0).hit("x") == 0.0 for _ in range(50))  # 0 = off


def test_callback_data_is_small_and_parsed_strictly() -> None:
    assert parse(encode("up", 12)) == ButtonPress("up", 12) and encode("up", 12) == "f+:12"
    assert parse("f-:7") == ButtonPress("down", 7) and parse("m:999999999999") == ButtonPress("more", 999999999999)
    for bad in (None, "", "f+", "f+:", "f+:-1", "f+:1 ", "m:1;drop", "m:1\n", "x:1", "m:1234567890123", "m:１"):
        assert parse(bad) is None


def test_mentions_are_removed_from_questions() -> None:
    assert without_mention("@Wissenslotse_Bot, wer leitet die SCIU?", "wissenslotse_bot") == "wer leitet die SCIU?"
    assert without_mention("Sag mal @wissenslotse_bot was ist OZG", "wissenslotse_bot") == "Sag mal was ist OZG"
    assert without_mention("@wissenslotse_botter hallo", "wissenslotse_bot") == "@wissenslotse_botter hallo"


def test_webhook_serves_the_public_path_and_checks_a_secret() -> None:
    settings = TelegramSettings(token=TOKEN, mode="webhook", webhook_url="https://bot.example.org/lotse/hook")
    options = webhook_options(settings)
    assert options["url_path"] == "lotse/hook" and options["webhook_url"] == settings.webhook_url
    assert len(options["secret_token"]) == 64 and TOKEN not in options["secret_token"]


def test_setup_errors_are_explained(config: Config) -> None:
    core = ChatCore(config)
    with pytest.raises(BotSetupError, match="BotFather"):
        build_application(config, core)
    config.telegram.token, config.telegram.mode = TOKEN, "webhook"
    with pytest.raises(BotSetupError, match="webhook_url"):
        run_bot(config)
    config.telegram.mode = "push"
    with pytest.raises(BotSetupError, match="polling"):
        run_bot(config)
    core.interactions.close()


def test_damaged_question_log_and_index_pointer_answer_on_and_warn_admins(start_bot: Callable[..., Harness],
                                                                         config: Config) -> None:
    config.interactions_path.write_bytes(random.randbytes(8192))
    Generations(config.index.index_dir).pointer.write_bytes(random.randbytes(40))
    bot = start_bot()
    assert "Chief Digital Officer" in text_of(bot.send(USER, QUESTION))
    status = text_of(bot.send(ADMIN, "/status"))
    assert "CURRENT ist beschädigt" in status and "neueste intakte Generation 1" in status
    assert "Fragen-Datenbank" in status and "lotse doctor" in status


def test_a_running_bot_deletes_old_personal_data_daily(bot: Harness) -> None:
    text_of(bot.send(USER, QUESTION))
    interactions = bot.core.interactions
    long_ago = "2000-01-01T00:00:00+00:00"  # asked, and last seen, after the bot started: start-up purge is past
    interactions.db.execute("UPDATE questions SET asked_at = ?", [long_ago])
    interactions.db.execute("UPDATE users SET last_seen = ?", [long_ago])
    (job,) = bot.app.job_queue.get_jobs_by_name("retention")
    assert job.job.trigger.interval == datetime.timedelta(days=1)
    asyncio.run_coroutine_threadsafe(job.run(bot.app), bot.loop).result(timeout=30)
    assert interactions.db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0
    assert interactions.db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
