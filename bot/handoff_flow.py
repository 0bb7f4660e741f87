"""The hand-off as it unfolds over time, for any front: send the question to the first person who
can be reached, take their reply back to the asker and into the FAQ, remind once, expire.

bot.handoff decides and stores; this module drives it through a front's Messenger (bot.front), so
a front only recognises the events (consent, a reply to a hand-off message) and calls in here.
"""
from __future__ import annotations

import asyncio
import logging

from . import texts
from .core import Asker
from .exchange import KnowledgeExchange
from .experts import Route
from .front import Messenger, Unreachable
from .handoff import Handoff
from .html_blocks import text_blocks

log = logging.getLogger(__name__)


async def dispatch(messenger: Messenger, exchange: KnowledgeExchange, handoff: Handoff,
                   routes: list[Route]) -> Route | None:
    """Send the question to the first route `messenger` can reach; None if none could be reached.
    Routes on a front not running in this process are skipped."""
    desk = exchange.handoffs
    for route in routes:
        if not messenger.reaches(route.chat_id):
            log.info("Weiterleitung %s: %s ist über %s nicht erreichbar", handoff.id, route.label, messenger.front)
            continue
        title = await asyncio.to_thread(desk.source_title, handoff, route.chat_id)
        html = texts.expert_question(handoff.question, handoff.asker_name, route.kind, title)
        try:
            message_id = await messenger.send(route.chat_id, [html], answer_here=True)
        except Unreachable as error:
            log.warning("Weiterleitung %s: %s nicht erreichbar (%s)", handoff.id, route.label, error)
            continue
        await asyncio.to_thread(desk.sent, handoff.id, route, message_id)
        log.info("Weiterleitung %s an %s (%s) gesendet", handoff.id, route.label, route.kind)
        return route
    return None


async def hand_off(messenger: Messenger, exchange: KnowledgeExchange, question_id: int, asker: Asker,
                   chat_id: str, name: str | None) -> str:
    """The asker agreed: open the hand-off and send it on; returns the HTML to tell the asker.
    Raises HandoffError (its message is for the asker)."""
    desk = exchange.handoffs
    handoff = await asyncio.to_thread(desk.open, question_id, asker, chat_id, name)
    route = await dispatch(messenger, exchange, handoff, await asyncio.to_thread(desk.routes, handoff))
    config = exchange.core.config
    if route is None:
        await asyncio.to_thread(desk.unreachable, handoff.id)
        return texts.handoff_unreachable(config.chat.fallback_contact)
    return texts.handoff_sent(handoff.question, route.label, config.handoff.deadline_hours)


async def take_reply(messenger: Messenger, exchange: KnowledgeExchange, handoff: Handoff, text: str,
                     author: str) -> str:
    """An expert replied to a hand-off message: store it as FAQ, deliver it if still open, index it;
    returns the thanks (HTML) for the expert. Raises HandoffError for an empty reply."""
    result = await asyncio.to_thread(exchange.handoffs.answer, handoff.id, text, author)
    if result.deliver and result.handoff.asker_chat_id is not None:
        blocks = [texts.expert_answer_head(handoff.question, author), *text_blocks(result.entry.answer),
                  texts.UNREVIEWED_NOTE]
        await _tell(messenger, result.handoff.asker_chat_id, blocks)
    indexed = await asyncio.to_thread(exchange.refresh_index)
    log.info("Weiterleitung %s beantwortet; FAQ %s (indiziert: %s)", handoff.id, result.entry.path, indexed)
    return texts.expert_thanks(result.deliver, indexed)


async def check_due(messenger: Messenger, exchange: KnowledgeExchange) -> None:
    """The periodic check: reminders to experts, deadlines for askers, and a pending re-index."""
    work = await asyncio.to_thread(exchange.handoffs.due)
    for handoff in work.reminders:
        await _guarded(_remind(messenger, exchange, handoff), handoff)
    for handoff in work.expired:
        await _guarded(_expire(messenger, exchange, handoff), handoff)
    if exchange.reindex_pending:
        await asyncio.to_thread(exchange.refresh_index)


async def _guarded(work: object, handoff: Handoff) -> None:
    """One hand-off's trouble must not stop the others (logged; the next check tries again)."""
    try:
        await work  # type: ignore[misc]
    except Exception as error:  # a front's network error: the next check tries again
        log.warning("Weiterleitung %s: Fehler bei der Prüfung: %s", handoff.id, error)


async def _remind(messenger: Messenger, exchange: KnowledgeExchange, handoff: Handoff) -> None:
    """One reminder to the expert; if they cannot be reached any more, the next person gets the question."""
    desk = exchange.handoffs
    expert = handoff.expert_chat_id
    if expert is not None and messenger.reaches(expert):
        try:
            message_id = await messenger.send(expert, [texts.expert_reminder(handoff.question)], answer_here=True)
        except Unreachable as error:
            log.warning("Erinnerung %s nicht zustellbar (%s); nächste Stelle", handoff.id, error)
        else:
            await asyncio.to_thread(desk.reminded, handoff.id, expert, message_id)
            return
    if await dispatch(messenger, exchange, handoff, await asyncio.to_thread(desk.routes, handoff)) is None:
        closed = await asyncio.to_thread(desk.unreachable, handoff.id)
        if closed.asker_chat_id is not None:
            contact = exchange.core.config.chat.fallback_contact
            await _tell(messenger, closed.asker_chat_id, [texts.handoff_unreachable(contact)])


async def _expire(messenger: Messenger, exchange: KnowledgeExchange, handoff: Handoff) -> None:
    closed = await asyncio.to_thread(exchange.handoffs.expire, handoff.id)
    if closed.asker_chat_id is not None:
        contact = exchange.core.config.chat.fallback_contact
        await _tell(messenger, closed.asker_chat_id, [texts.handoff_expired(closed.question, contact)])


async def _tell(messenger: Messenger, chat_id: str, blocks: list[str]) -> None:
    """A message to the asker; if they cannot be reached, the FAQ still has the answer."""
    try:
        await messenger.send(chat_id, blocks)
    except Unreachable as error:
        log.info("Nachricht an die fragende Person nicht zugestellt: %s", error)
