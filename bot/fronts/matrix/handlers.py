"""What the Matrix bot does with a message or a reaction: questions (direct chats always, rooms when
mentioned), !-commands, 👍/👎, hand-off choices and experts' replies. They only translate: Matrix
event → core, onboarding, hand-off flow → chat HTML."""
from __future__ import annotations

import asyncio
import logging
from html import escape

from indexer import IndexNotReady

from ... import handoff_flow
from ... import texts as shared
from ...core import Asker, QuestionError
from ...handoff import HandoffError
from ...html_blocks import text_blocks
from ...ids import MATRIX, qualify
from ...onboarding_text import onboarding_reply
from ...progress import ProgressMessage, reindex_summary
from ...status import gaps_blocks, status_blocks
from .. import chat_html
from . import texts
from .addressing import command_of, is_addressed, pill_texts, without_mention
from .context import Incoming, MatrixServices
from .messenger import MAX_MESSAGE

log = logging.getLogger(__name__)
THUMBS = {"👍": True, "👎": False}


async def on_message(lotse: MatrixServices, message: Incoming) -> None:
    """One text message: an expert's reply, a hand-off choice, a command, or a question."""
    if await _expert_reply(lotse, message):
        return
    choice = lotse.choosing.get((message.sender, message.room.room_id))
    if choice is not None and message.text.strip() in ("0", "1", "2"):
        await _consent(lotse, message, choice)
        return
    command = command_of(message.text)
    if command is not None:
        await _command(lotse, message, *command)
    else:
        name = message.room.user_name(lotse.user_id)
        if is_addressed(message, lotse.user_id, name):
            pills = pill_texts(message.formatted, lotse.user_id)
            await answer_question(lotse, message, without_mention(message.text, lotse.user_id, name, pills))


async def reply(lotse: MatrixServices, message: Incoming, blocks: list[str] | str) -> str:
    """Answer in the message's room, the first part as a Matrix reply to it; returns the last event id."""
    return await lotse.messenger.send_parts(message.room.room_id, [blocks] if isinstance(blocks, str) else blocks,
                                            message.event_id)


async def admit(lotse: MatrixServices, message: Incoming) -> Asker | None:
    """The Asker if this person may use the bot; otherwise the refusal (logged) and None."""
    if lotse.admits(message.sender, message.room.room_id):
        return lotse.asker(message.sender, message.room)
    log.warning("Zugriff verweigert: Nutzer %s in Raum %s", message.sender, message.room.room_id)
    await reply(lotse, message, texts.refusal(message.sender))
    return None


async def answer_question(lotse: MatrixServices, message: Incoming, question: str) -> None:
    """Check access, the question and the rate limit; answer with sources and what can be done next."""
    asker = await admit(lotse, message)
    if asker is None:
        return
    try:
        lotse.core.check_question(question)
        wait = lotse.limiter.hit(asker.user_id)
        if wait > 0:
            await reply(lotse, message, shared.rate_limited(wait))
            return
        await lotse.messenger.client.room_typing(message.room.room_id, True, timeout=30000)
        answer = await asyncio.to_thread(lotse.core.ask, question, asker)
    except QuestionError as error:
        await reply(lotse, message, escape(str(error)))
        return
    finally:
        await lotse.messenger.client.room_typing(message.room.room_id, False)
    footer = texts.answer_footer(answer)
    parts = chat_html.answer_html(answer, MAX_MESSAGE)
    event_id = await reply(lotse, message, [*parts, *([footer] if footer else [])])
    if answer.question_id is not None:
        lotse.remember_answer(event_id, answer.question_id)


async def on_reaction(lotse: MatrixServices, room_id: str, sender: str, reacts_to: str, key: str) -> None:
    """👍 / 👎 on one of our answers: stored as feedback; after 👎 a hand-off is offered."""
    positive = THUMBS.get(key.replace("\ufe0f", "").strip())
    question_id = lotse.answers.get(reacts_to)
    if positive is None or question_id is None or not lotse.admits(sender, room_id):
        return
    room = lotse.messenger.client.rooms.get(room_id)
    if room is None:
        return
    asker = lotse.asker(sender, room)
    stored = await asyncio.to_thread(lotse.core.feedback, question_id, asker, positive)
    log.info("Feedback %s zu Frage %s gespeichert: %s", key, question_id, stored)
    if stored and not positive:
        await _offer_handoff(lotse, room_id, sender, asker, question_id, reacts_to)


async def _offer_handoff(lotse: MatrixServices, room_id: str, sender: str, asker: Asker, question_id: int,
                         reply_to: str | None, quiet: bool = True) -> None:
    """Ask whether to hand the question on, with name or anonymously (answered by 1, 2 or 0)."""
    try:
        offer = await asyncio.to_thread(lotse.exchange.handoffs.offer, question_id, asker)
    except HandoffError as error:  # handed off already, or nobody to hand to
        if not quiet:
            await lotse.messenger.send_parts(room_id, [escape(str(error))], reply_to)
        return
    lotse.await_choice(sender, room_id, question_id)
    await lotse.messenger.send_parts(room_id, [shared.handoff_consent(offer.question, offer.recipient),
                                              texts.HANDOFF_CHOICES], reply_to)


async def _consent(lotse: MatrixServices, message: Incoming, question_id: int) -> None:
    """1 (with name), 2 (anonymous) or 0 (cancel) after a hand-off offer."""
    del lotse.choosing[(message.sender, message.room.room_id)]
    choice = message.text.strip()
    if choice == "0":
        await reply(lotse, message, shared.HANDOFF_CANCELLED)
        return
    asker = await admit(lotse, message)
    if asker is None:
        return
    name = f"{asker.name} ({message.sender})" if choice == "1" else None
    try:
        told = await handoff_flow.hand_off(lotse.flows, lotse.exchange, question_id, asker, message.chat_id, name)
    except HandoffError as error:
        told = escape(str(error))
    await reply(lotse, message, told)


async def _expert_reply(lotse: MatrixServices, message: Incoming) -> bool:
    """A Matrix reply to a hand-off message: deliver it, store it as FAQ, index it. False if it is none."""
    if message.reply_to is None:
        return False
    desk = lotse.exchange.handoffs
    handoff = await asyncio.to_thread(desk.find, message.chat_id, message.reply_to)
    if handoff is None:  # sent to the person (their direct room), so stored under their id
        handoff = await asyncio.to_thread(desk.find, qualify(message.sender, MATRIX), message.reply_to)
    if handoff is None:
        return False
    author = f"{message.room.user_name(message.sender) or message.sender} ({message.sender})"
    try:
        thanks = await handoff_flow.take_reply(lotse.flows, lotse.exchange, handoff, message.text, author)
    except HandoffError as error:
        thanks = escape(str(error))
    await reply(lotse, message, thanks)
    return True


async def _command(lotse: MatrixServices, message: Incoming, name: str, rest: str) -> None:
    """!hilfe, !frage, !quellen, !weiterleiten, !onboarding/!weiter/!erledigt, and the admin commands."""
    if name == "frage":
        await answer_question(lotse, message, rest)
        return
    asker = await admit(lotse, message)
    if asker is None:
        return
    if name in ("hilfe", "help", "start"):
        await reply(lotse, message, texts.help_text(lotse.user_id, lotse.is_admin(message.sender)))
    elif name == "quellen":
        answer = lotse.core.last_answer(asker)
        text = (shared.NO_LAST_ANSWER if answer is None else shared.NO_SOURCES
                if not (answer.sources or answer.more_sources) else None)
        await reply(lotse, message, text or chat_html.all_sources_html(answer, MAX_MESSAGE))
    elif name == "weiterleiten":
        answer = lotse.core.last_answer(asker)
        if answer is None or answer.question_id is None:
            await reply(lotse, message, texts.NO_HANDOFF_QUESTION)
        else:
            await _offer_handoff(lotse, message.room.room_id, message.sender, asker, answer.question_id,
                                 message.event_id, quiet=False)
    elif name in ("onboarding", "weiter", "erledigt"):
        await _onboarding(lotse, message, asker, [name, *rest.split()])
    elif name in ADMIN:
        if not lotse.is_admin(message.sender):
            log.warning("Admin-Befehl verweigert: Nutzer %s", message.sender)
            await reply(lotse, message, shared.ADMIN_ONLY)
        else:
            await ADMIN[name](lotse, message, asker, rest)
    else:
        await reply(lotse, message, texts.UNKNOWN_COMMAND)


async def _onboarding(lotse: MatrixServices, message: Incoming, asker: Asker, words: list[str]) -> None:
    if not message.direct:
        await reply(lotse, message, texts.ONBOARDING_PRIVATE_ONLY)
        return
    try:
        text = await asyncio.to_thread(onboarding_reply, lotse.exchange.onboarding, asker, words, "!")
    except (IndexNotReady, ValueError) as error:
        text = str(error)
    await reply(lotse, message, text_blocks(text))


async def _status(lotse: MatrixServices, message: Incoming, asker: Asker, rest: str) -> None:
    blocks = await asyncio.to_thread(status_blocks, lotse.exchange, asker.groups, lotse.reindexing, "!pruefen")
    await reply(lotse, message, blocks)


async def _gaps(lotse: MatrixServices, message: Incoming, asker: Asker, rest: str) -> None:
    await reply(lotse, message, await asyncio.to_thread(gaps_blocks, lotse.exchange))


async def _reindex(lotse: MatrixServices, message: Incoming, asker: Asker, rest: str) -> None:
    """!reindex: runs beside answering; the progress message is edited in place, then holds the report."""
    if lotse.reindexing:
        await reply(lotse, message, shared.REINDEX_RUNNING)
        return
    lotse.reindexing = True  # before the first await: no second !reindex can slip in
    try:
        event_id = await reply(lotse, message, shared.REINDEX_STARTED)
    except Exception:
        lotse.reindexing = False
        raise
    task = asyncio.create_task(_run_reindex(lotse, message, event_id))  # the room goes on meanwhile
    lotse.background.add(task)
    task.add_done_callback(lotse.background.discard)


async def _run_reindex(lotse: MatrixServices, message: Incoming, event_id: str) -> None:
    """Index in a worker thread; the progress message is edited, and finally holds the report."""
    room_id = message.room.room_id

    async def edit(html: str) -> bool:
        return await lotse.messenger.edit(room_id, event_id, html)

    progress = ProgressMessage(edit, shared.REINDEX_STARTED, lotse.progress_interval)
    try:
        summary = await reindex_summary(lotse.core, progress)
    finally:
        lotse.reindexing = False
    log.info("Neuindizierung beendet: %s", summary.splitlines()[0])
    parts = text_blocks(summary)
    if not await progress.show("\n\n".join(parts)):
        await reply(lotse, message, parts)


async def _review(lotse: MatrixServices, message: Incoming, asker: Asker, rest: str) -> None:
    """!pruefen: every expert answer waiting for review, each with its commands."""
    entries = await asyncio.to_thread(lotse.exchange.faq.pending)
    if not entries:
        await reply(lotse, message, shared.NO_PENDING_REVIEWS)
    for entry in entries:
        blocks = [*shared.review_blocks(entry, asker.groups), texts.review_footer(entry.handoff_id)]
        await reply(lotse, message, blocks)


async def _decide(lotse: MatrixServices, message: Incoming, action: str, rest: str) -> None:
    if not rest.strip().isdigit():
        await reply(lotse, message, texts.NOT_AN_ADMIN_ENTRY)
        return
    faq = lotse.exchange.faq
    entry = await asyncio.to_thread(faq.approve if action == "approve" else faq.reject, int(rest))
    if entry is None:
        await reply(lotse, message, shared.REVIEW_GONE)
        return
    indexed = await asyncio.to_thread(lotse.exchange.refresh_index)
    await reply(lotse, message, shared.review_done(action, entry.question, indexed))


async def _approve(lotse: MatrixServices, message: Incoming, asker: Asker, rest: str) -> None:
    await _decide(lotse, message, "approve", rest)


async def _reject(lotse: MatrixServices, message: Incoming, asker: Asker, rest: str) -> None:
    await _decide(lotse, message, "reject", rest)


ADMIN = {"status": _status, "luecken": _gaps, "reindex": _reindex, "pruefen": _review,
         "freigeben": _approve, "verwerfen": _reject}
