"""The Matrix bot end to end: a real Synapse homeserver (one per test session), the real bot on
matrix-nio syncing over HTTP, a real index of the sample knowledge base and the real embedding model.
Users act over the Client-Server API; every wait polls with a timeout."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot import texts as shared
from bot.config import Config
from bot.core import ChatCore
from bot.fronts.matrix import MatrixBot, texts
from bot.fronts.matrix.addressing import command_of, pill_texts, without_mention
from bot.fronts.matrix.messenger import plain_text
from bot.fronts.together import serve_together
from indexer import Index
from indexer.embedder import Embedder
from gated_core import GatedCore
from matrix_server import EncryptedClient, MatrixUser, Synapse, wait_until
from telegram_standin import StandIn

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
QUESTION = "Wer leitet die SCIU?"
SECRET_WORDS = ("Nordlicht", "haushaltsnotiz", "Restmittel", "Kranich", "stellenplanung")


@dataclass
class People:
    lotse: MatrixUser
    anna: MatrixUser  # allowed user
    member: MatrixUser  # allowed, in group sciu-intern
    admin: MatrixUser  # admin, in group sciu-intern
    stranger: MatrixUser  # on no list
    expert: MatrixUser  # gets hand-offs
    carla: MatrixUser  # allowed user with an encrypting client


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Synapse, People]]:
    """One Synapse for the whole session (start-up counts against the suite), with its users."""
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server, People(*(server.register(name) for name in ("lotse", "anna", "member", "admin", "stranger",
                                                                  "expert", "carla")))
    finally:
        server.stop()


@dataclass
class Running:
    """The bot running in its own thread and event loop, and the people around it."""

    bot: MatrixBot
    core: GatedCore
    config: Config
    people: People
    server: Synapse
    loop: asyncio.AbstractEventLoop

    def direct_room(self, person: MatrixUser, encrypted: bool = False) -> str:
        """A direct room `person` opens with the bot; returns once the bot has joined and greeted."""
        room = person.create_room([self.people.lotse.user_id], direct=True, encrypted=encrypted)
        self.greeting(person, room)
        return room

    def greeting(self, person: MatrixUser, room: str) -> dict:
        return person.wait_for(room, lambda e: from_bot(e, self.people.lotse), what="the bot's greeting")

    def ask(self, person: MatrixUser, room: str, text: str, **kwargs: Any) -> dict:
        """Send `text`; the bot's reply to it (the first part)."""
        event_id = person.say(room, text, **kwargs)
        return self.reply_to(person, room, event_id)

    def reply_to(self, person: MatrixUser, room: str, event_id: str) -> dict:
        return person.wait_for(room, lambda e: from_bot(e, self.people.lotse) and replies_to(e) == event_id,
                               after=event_id, what=f"the bot's reply to {event_id}")


def from_bot(event: dict, lotse: MatrixUser) -> bool:
    return event["sender"] == lotse.user_id and event["type"] == "m.room.message" and not edit_of(event)


def replies_to(event: dict) -> str | None:
    return event["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")


def edit_of(event: dict) -> str | None:
    relates = event["content"].get("m.relates_to", {})
    return relates.get("event_id") if relates.get("rel_type") == "m.replace" else None


def body(event: dict) -> str:
    return event["content"]["body"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def _parsed(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def tags_of(html: str) -> list[str]:
    return [tag for tag, _ in _parsed(html)]


def links_of(html: str) -> list[str]:
    return [attrs.get("href", "") for tag, attrs in _parsed(html) if tag == "a"]


@pytest.fixture
def running(synapse: tuple[Synapse, People], config: Config, embedder: Embedder) -> Iterator[Running]:
    server, people = synapse
    settings = config.matrix
    settings.homeserver, settings.user_id, settings.access_token = server.url, people.lotse.user_id, people.lotse.token
    settings.allowed_users = [people.anna.user_id, people.member.user_id, people.expert.user_id,
                              people.carla.user_id]
    settings.admins = [people.admin.user_id]
    settings.rate_limit_per_minute = 1000
    settings.sync_timeout_ms = 1000
    config.groups = {"sciu-intern": [people.member.user_id, people.admin.user_id]}
    config.handoff.fallback_chat_id = f"matrix:{people.expert.user_id}"
    core = GatedCore(config, index=Index(config.index, config.search, embedder=embedder))
    bot = MatrixBot(config, core)
    bot.lotse.progress_interval = 0.05
    loop = asyncio.new_event_loop()
    task = loop.create_task(bot.run())
    thread = threading.Thread(target=lambda: loop.run_until_complete(asyncio.wait([task])), daemon=True)
    thread.start()
    try:
        wait_until(lambda: bot.syncs >= 1, 60, "the bot's first sync")
        yield Running(bot, core, config, people, server, loop)
    finally:
        loop.call_soon_threadsafe(task.cancel)
        thread.join(30)
        loop.run_until_complete(bot.close())
        loop.close()
        core.interactions.close()


def test_direct_question_answered_with_sources(running: Running) -> None:
    anna = running.people.anna
    room = running.direct_room(anna)
    answer = running.ask(anna, room, QUESTION)
    content = answer["content"]
    assert "Smart City Innovation Unit" in body(answer) and "Quellen" in body(answer)
    assert "knowledge/sciu/ueber-die-sciu.md" in body(answer) and "Ansprechperson: Lena Hoffmann" in body(answer)
    assert content["format"] == "org.matrix.custom.html" and "<b>Quellen</b>" in content["formatted_body"]
    assert "<" not in body(answer) and content["msgtype"] == "m.notice"
    assert "👍/👎" in body(answer) and "!quellen" in body(answer)

    everything = body(running.ask(anna, room, "!quellen"))
    assert f"Alle Quellen zu Ihrer Frage „{QUESTION}“" in everything and "4. " in everything
    assert "!weiterleiten" in body(running.ask(anna, room, "/hilfe"))  # commands with / where clients allow
    interactions = running.core.interactions  # her question is kept under her pseudonym
    assert interactions.db["questions"].count_where("pseudonym = ?", [interactions.pseudonym(f"matrix:{anna.user_id}")]) == 1


def test_room_answered_only_when_mentioned(running: Running) -> None:
    anna, member, lotse = running.people.anna, running.people.member, running.people.lotse
    room = anna.create_room([lotse.user_id, member.user_id], name="SCIU-Team")
    member.join(room)
    running.greeting(anna, room)
    ignored = anna.say(room, QUESTION)
    mention = f'<a href="https://matrix.to/#/{lotse.user_id}">Wissenslotse</a>: {QUESTION}'
    answer = running.ask(anna, room, f"Wissenslotse: {QUESTION}", html=mention, mentions=[lotse.user_id])
    assert "Smart City Innovation Unit" in body(answer)
    replies = [e for e in anna.events(room) if from_bot(e, lotse) and replies_to(e)]
    assert ignored not in {replies_to(e) for e in replies} and len(replies) == 1
    assert "VPN" in body(running.ask(anna, room, "!frage Wie richte ich das VPN ein?"))
    assert "Smart City" in body(running.ask(member, room, f"{lotse.user_id} {QUESTION}"))


def test_outsider_refused_without_knowledge(running: Running) -> None:
    stranger = running.people.stranger
    room = running.direct_room(stranger)
    for text in (QUESTION, "!quellen", "!status"):
        refusal = body(running.ask(stranger, room, text))
        assert "nicht freigeschaltet" in refusal and stranger.user_id in refusal
        assert "Smart City Innovation Unit" not in refusal and "Quellen" not in refusal
    # Nothing of the stranger is kept (counted by pseudonym: the homeserver is shared with the tests
    # before, so another user's late message must not decide this one).
    interactions = running.core.interactions
    stranger_id = interactions.pseudonym(f"matrix:{stranger.user_id}")
    assert interactions.db["questions"].count_where("pseudonym = ?", [stranger_id]) == 0
    assert interactions.db["users"].count_where("pseudonym = ?", [stranger_id]) == 0


def test_restricted_document_never_shown_to_a_non_member(running: Running) -> None:
    question = "Was ist Projekt Nordlicht?"
    member, anna, lotse = running.people.member, running.people.anna, running.people.lotse
    private = body(running.ask(member, running.direct_room(member), question))
    assert "Nordlicht" in private and "haushaltsnotiz-2026.md" in private
    outsider = body(running.ask(anna, running.direct_room(anna), question))
    assert not any(word in outsider for word in SECRET_WORDS)
    room = anna.create_room([lotse.user_id, member.user_id], name="Gemischt")
    member.join(room)
    running.greeting(anna, room)
    assert body(running.ask(member, room, "!quellen")) == plain_text(shared.NO_LAST_ANSWER)  # that was private
    in_room = running.ask(member, room, f"!frage {question}")  # others in the room may lack access
    assert not any(word in body(in_room) + in_room["content"]["formatted_body"] for word in SECRET_WORDS)
    listed = body(running.ask(member, room, "!quellen")).split("\n", 1)[1]  # under the question itself
    assert not any(word in listed for word in SECRET_WORDS)


def test_hostile_text_rendered_safely(running: Running) -> None:
    anna = running.people.anna
    room = running.direct_room(anna)
    hostile = "<b>Wer</b> leitet & die SCIU? <i"
    answer = running.ask(anna, room, hostile, html=hostile)
    assert "Smart City Innovation Unit" in body(answer)
    assert f"„{hostile}“" in body(running.ask(anna, room, "!quellen"))
    script = "Wer leitet die SCIU? <script>alert(1)</script> </b></i><a href='javascript:x'"
    running.ask(anna, room, script, html=script)
    sources = running.ask(anna, room, "!quellen")
    html = sources["content"]["formatted_body"]
    assert f"„{script}“" in body(sources) and "&lt;script&gt;" in html
    assert set(tags_of(html)) <= {"b", "i", "a", "code"} and "javascript:" not in str(links_of(html))
    assert "10000 Zeichen zu lang" in body(running.ask(anna, room, "&<" * 5000))
    assert body(running.ask(anna, room, "!gibtsnicht")) == plain_text(texts.UNKNOWN_COMMAND)


def test_reaction_stored_as_feedback(running: Running) -> None:
    anna = running.people.anna
    room = running.direct_room(anna)
    answer = running.ask(anna, room, QUESTION)
    anna.react(room, answer["event_id"], "👍️")
    feedback = running.core.interactions.db["feedback"]
    rows = wait_until(lambda: list(feedback.rows), 30, "the 👍 in interactions.db")
    assert [row["value"] for row in rows] == [1]
    anna.react(room, answer["event_id"], "👎")
    wait_until(lambda: [row["value"] for row in feedback.rows] == [-1], 30, "the 👎 replacing the 👍")
    offer = anna.wait_for(room, lambda e: from_bot(e, running.people.lotse) and "weiter" in body(e)
                          and "Antworten Sie mit 1" in body(e), after=answer["event_id"], what="the hand-off offer")
    assert "anonym" in body(offer)


def test_admin_reindex_with_progress_edits(running: Running) -> None:
    anna, admin, lotse = running.people.anna, running.people.admin, running.people.lotse
    anna_room = running.direct_room(anna)
    assert body(running.ask(anna, anna_room, "!reindex")) == plain_text(shared.ADMIN_ONLY)
    (running.config.index.knowledge_dir / "projekte" / "zugvogel.md").write_text(
        '---\ntitle: "Projekt Zugvogel: Lastenräder"\nowner: "Jonas Beispiel (@jonas_beispiel)"\n'
        "updated: 2026-11-01\n---\n\nProjekt Zugvogel verleiht elektrische Lastenräder an die Ämter der Stadt "
        "Bochum. Die Ausleihe läuft über das Portal Rad & Tat.\n", encoding="utf-8")
    running.core.gate = threading.Event()
    room = running.direct_room(admin)
    started = running.ask(admin, room, "!reindex")
    assert body(started) == plain_text(shared.REINDEX_STARTED)

    def edit_with(words: str) -> Callable[[dict], bool]:
        return lambda e: edit_of(e) == started["event_id"] and words in e["content"]["m.new_content"]["body"]

    admin.wait_for(room, edit_with("Dokumente lesen"), after=started["event_id"], what="a progress edit")
    assert body(running.ask(admin, room, "!reindex")) == plain_text(shared.REINDEX_RUNNING)
    assert "Smart City Innovation Unit" in body(running.ask(anna, anna_room, QUESTION))  # still answering
    running.core.gate.set()
    done = admin.wait_for(room, edit_with("Index aktualisiert"), after=started["event_id"], what="the final edit")
    assert "1 neu" in done["content"]["m.new_content"]["body"] and done["sender"] == lotse.user_id
    assert "Zugvogel" in body(running.ask(anna, anna_room, "Wie läuft die Ausleihe der Lastenräder?"))
    status = body(running.ask(admin, room, "!status"))
    assert "Generation 2" in status and "Fragen insgesamt: 2" in status


def test_onboarding_path(running: Running) -> None:
    member = running.people.member
    room = running.direct_room(member)
    path = body(running.ask(member, room, "!onboarding"))
    assert "Ihr Onboarding-Pfad" in path and "!weiter" in path
    step = body(running.ask(member, room, "!weiter"))
    assert step.startswith("Schritt 1 von") and "!erledigt" in step
    done = body(running.ask(member, room, "!erledigt"))
    assert "✅ Schritt 1 erledigt" in done and "Schritt 2 von" in done


def test_handoff_round_trip_to_an_expert(running: Running) -> None:
    anna, expert, lotse = running.people.anna, running.people.expert, running.people.lotse
    room = running.direct_room(anna)
    unanswered = running.ask(anna, room, "Wann gibt es Pizza auf dem Mond?")
    assert "!weiterleiten" in body(unanswered)
    offer = body(running.ask(anna, room, "!weiterleiten"))
    assert "Antworten Sie mit 1" in offer
    sent = body(running.ask(anna, room, "2"))
    assert "weitergeleitet" in sent

    invited = wait_until(lambda: list(expert.call("GET", "/sync", timeout=0)["rooms"].get("invite", {})), 30,
                         "the expert's invitation")
    expert_room = invited[0]
    expert.join(expert_room)
    question = expert.wait_for(expert_room, lambda e: from_bot(e, lotse) and "Frage aus dem Wissenslotsen" in body(e),
                               what="the hand-off question")
    assert "anonym gestellt" in body(question) and "Pizza auf dem Mond" in body(question)
    thanks = running.ask(expert, expert_room, "Pizza gibt es auf dem Mond freitags ab 12 Uhr.",
                         reply_to=question["event_id"])
    assert "Danke" in body(thanks)
    delivered = anna.wait_for(room, lambda e: from_bot(e, lotse) and "Antwort von" in body(e), what="the answer")
    assert "freitags ab 12 Uhr" in body(delivered) and "noch nicht vom SCIU-Team geprüft" in body(delivered)
    faq = [p for p in (running.config.index.knowledge_dir / "faq").glob("*.md") if "freitags ab 12" in p.read_text()]
    assert len(faq) == 1 and "reviewed: false" in faq[0].read_text(encoding="utf-8")

    admin = running.people.admin
    admin_room = running.direct_room(admin)
    entry = running.ask(admin, admin_room, "!pruefen")
    assert "freitags ab 12 Uhr" in body(entry) and "!freigeben" in body(entry)
    number = body(entry).split("!freigeben ")[1].split()[0]
    assert "Freigegeben" in body(running.ask(admin, admin_room, f"!freigeben {number}"))
    assert "reviewed: true" in faq[0].read_text(encoding="utf-8")


def test_encrypted_direct_room_answered(running: Running, tmp_path: Path) -> None:
    """As in Element, which encrypts direct chats: the bot reads the question and answers encrypted."""
    carla, lotse = running.people.carla, running.people.lotse
    element = EncryptedClient(carla, tmp_path / "carla-store", running.loop)
    try:
        room = carla.create_room([lotse.user_id], direct=True, encrypted=True)
        greeting = element.wait_for(lambda e: e.sender == lotse.user_id and hasattr(e, "body"), what="the greeting")
        assert "Wissenslotse" in greeting.body and greeting.source["type"] == "m.room.message"
        assert all(e["type"] == "m.room.encrypted" for e in carla.events(room) if e["sender"] == lotse.user_id)
        asked = element.say(room, QUESTION)
        answer = element.wait_for(lambda e: e.sender == lotse.user_id and "Quellen" in getattr(e, "body", ""),
                                  what="the decrypted answer")
        assert "Smart City Innovation Unit" in answer.body and asked
    finally:
        element.close()


def test_undecryptable_message_gets_a_clear_notice(running: Running, tmp_path: Path) -> None:
    """An encrypted message whose key the bot never got is not passed over in silence."""
    anna, lotse = running.people.anna, running.people.lotse
    element = EncryptedClient(anna, tmp_path / "anna-store", running.loop)
    try:
        room = anna.create_room([lotse.user_id], direct=True, encrypted=True)
        element.wait_for(lambda e: e.sender == lotse.user_id and hasattr(e, "body"), what="the greeting")
        anna.send(room, {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEn", "sender_key": "k",
                         "session_id": "s", "device_id": "D"}, "m.room.encrypted")
        notice = element.wait_for(lambda e: e.sender == lotse.user_id and "entschlüsseln" in getattr(e, "body", ""),
                                  what="the notice for the message")
        assert "noch einmal" in notice.body
    finally:
        element.close()


def test_reconnect_after_a_synapse_restart_without_double_answers(running: Running) -> None:
    anna, lotse = running.people.anna, running.people.lotse
    room = running.direct_room(anna)
    first = anna.say(room, QUESTION)
    running.reply_to(anna, room, first)
    running.server.stop()
    running.server.start()
    second = anna.say(room, "Wie richte ich das VPN ein?")
    assert "VPN" in body(running.reply_to(anna, room, second))
    third = anna.say(room, QUESTION)
    running.reply_to(anna, room, third)
    answered = [replies_to(e) for e in anna.events(room) if from_bot(e, lotse) and replies_to(e)]
    assert sorted(answered) == sorted([first, second, third])  # each once


def test_commands_mentions_and_plain_bodies() -> None:
    assert command_of("!quellen") == ("quellen", "") and command_of("/frage Wer leitet?") == ("frage", "Wer leitet?")
    assert command_of("! nichts") is None and command_of("Wer leitet die SCIU?") is None
    pills = pill_texts('<a href="https://matrix.to/#/%40lotse%3Abochum.de">Wissenslotse</a>: Wer?', "@lotse:bochum.de")
    assert pills == ["Wissenslotse"]
    assert without_mention("Wissenslotse: Wer leitet die SCIU?", "@lotse:bochum.de", "lotse", pills) == \
        "Wer leitet die SCIU?"
    assert without_mention("@lotse:bochum.de, wer leitet die SCIU?", "@lotse:bochum.de") == "wer leitet die SCIU?"
    assert plain_text('1. <a href="https://x.example/a?b=1&amp;c=2">Titel &lt;i&gt;</a> <b>fett</b>') == \
        "1. Titel <i> (https://x.example/a?b=1&c=2) fett"


def test_both_fronts_in_one_process_hand_off_across_them(synapse: tuple[Synapse, People], config: Config,
                                                          embedder: Embedder) -> None:
    """A question from Telegram goes to an expert on Matrix; the expert's Matrix reply reaches Telegram."""
    server, people = synapse
    user = 1003
    with StandIn("123:TEST", "wissenslotse_bot") as standin:
        config.telegram.token, config.telegram.base_url = "123:TEST", standin.base_url
        config.telegram.allowed_users = [user]
        matrix = config.matrix
        matrix.homeserver, matrix.user_id, matrix.access_token = server.url, people.lotse.user_id, people.lotse.token
        matrix.allowed_users, matrix.sync_timeout_ms = [people.expert.user_id, people.anna.user_id], 1000
        config.handoff.fallback_chat_id = f"matrix:{people.expert.user_id}"
        config.handoff.check_interval_seconds = 3600
        core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
        loop = asyncio.new_event_loop()
        task = loop.create_task(serve_together(config, core, poll_timeout=1))
        thread = threading.Thread(target=lambda: loop.run_until_complete(asyncio.wait([task])), daemon=True)
        thread.start()
        try:
            standin.wait_for("getUpdates", timeout=60)
            anna = people.anna
            matrix_room = anna.create_room([people.lotse.user_id], direct=True)
            anna.wait_for(matrix_room, lambda e: from_bot(e, people.lotse), what="the Matrix greeting")
            assert "Quellen" in body(running_ask(anna, matrix_room, QUESTION, people.lotse))

            mark = standin.mark()
            standin.send_text(user, "Wann öffnet die Eisdiele auf dem Mars?")
            answer = standin.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == user, since=mark)
            keyboard = answer.params["reply_markup"]["inline_keyboard"]
            handoff = next(b["callback_data"] for row in keyboard for b in row if b["text"] == "An Expert:in weiterleiten")
            mark = standin.mark()
            standin.send_callback(user, user, answer.result["message_id"], handoff)
            consent = standin.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == user, since=mark)
            anonymous = next(b["callback_data"] for row in consent.params["reply_markup"]["inline_keyboard"]
                             for b in row if b["text"] == "Anonym")
            mark = standin.mark()
            standin.send_callback(user, user, consent.result["message_id"], anonymous)
            edited = standin.wait_for(lambda c: c.method == "editMessageText", since=mark)
            assert "weitergeleitet" in edited.params["text"]

            room, asked = wait_until(lambda: inbox(people.expert, people.lotse, "Eisdiele auf dem Mars"), 30,
                                     "the hand-off question on Matrix")
            mark = standin.mark()
            people.expert.say(room, "Auf dem Mars gibt es keine Eisdiele.", reply_to=asked["event_id"])
            delivered = standin.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == user
                                         and "keine Eisdiele" in c.params["text"], since=mark)
            assert "Antwort von" in delivered.result["text"]
        finally:
            loop.call_soon_threadsafe(task.cancel)
            thread.join(30)
            loop.close()
            core.interactions.close()


def inbox(expert: MatrixUser, lotse: MatrixUser, words: str) -> tuple[str, dict] | None:
    """(room, event) of the bot's message containing `words` in any of the expert's rooms (joining
    invitations: the bot opens a direct room unless it has one with the expert already)."""
    for room in expert.call("GET", "/sync", timeout=0)["rooms"].get("invite", {}):
        expert.join(room)
    for room in expert.call("GET", "/joined_rooms")["joined_rooms"]:
        found = [e for e in expert.events(room) if from_bot(e, lotse) and words in body(e)]
        if found:
            return room, found[-1]
    return None


def running_ask(person: MatrixUser, room: str, text: str, lotse: MatrixUser) -> dict:
    event_id = person.say(room, text)
    return person.wait_for(room, lambda e: from_bot(e, lotse) and replies_to(e) == event_id, after=event_id,
                           what="the bot's reply")
