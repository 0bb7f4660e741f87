"""Handlers of the expert hand-off: the offer, the asker's consent, sending to the expert (and to
the next person when one is unreachable), the expert's reply, the periodic reminder and deadline
check, and learning experts' Telegram ids. They only translate to bot.handoff."""
from __future__ import annotations

import asyncio
import logging
from html import escape
from typing import Awaitable

from telegram import ForceReply, Update, User
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from ..core import Asker
from ..experts import Route
from ..handoff import Handoff, HandoffError
from . import buttons, render, texts
from .context import LotseContext
from .gate import admit_button
from .sending import reply, send

log = logging.getLogger(__name__)
ANSWER_HERE = ForceReply(input_field_placeholder="Ihre Antwort …")


def display_name(user: User | None) -> str:
    """E.g. "Lena Hoffmann (@lena_hoffmann)"; as the asker agreed to show it or as an answer's author."""
    if user is None:
        return ""
    return f"{user.full_name} (@{user.username})" if user.username else user.full_name


async def offer_after_thumbs_down(update: Update, context: LotseContext, asker: Asker, question_id: int) -> None:
    """After 👎: offer the hand-off (sent before the button press is answered, so it arrives in order)."""
    chat = update.effective_chat
    try:
        await asyncio.to_thread(context.lotse.exchange.handoffs.offer, question_id, asker)
    except HandoffError:  # handed off already, or nobody to hand to: the 👎 alone is fine
        return
    if chat is not None:
        await send(context.bot, chat.id, texts.HANDOFF_AFTER_THUMBS_DOWN, buttons.handoff_keyboard(question_id))


async def handoff_button(update: Update, context: LotseContext) -> None:
    """"An Expert:in weiterleiten": ask whether to show the asker's name or stay anonymous."""
    pressed = await admit_button(update, context, buttons.parse)
    if pressed is None:
        return
    query, asker, press, chat = pressed
    try:
        offer = await asyncio.to_thread(context.lotse.exchange.handoffs.offer, press.question_id, asker)
    except HandoffError as error:
        await query.answer(str(error), show_alert=True)
        return
    await send(context.bot, chat.id, texts.handoff_consent(offer.question, offer.recipient),
               buttons.consent_keyboard(press.question_id))
    await query.answer()


async def consent_button(update: Update, context: LotseContext) -> None:
    """"Mit meinem Namen" / "Anonym": send the question on; "Abbrechen": keep it."""
    pressed = await admit_button(update, context, buttons.parse)
    if pressed is None:
        return
    query, asker, press, chat = pressed
    if press.action == "cancel":
        await query.edit_message_text(texts.HANDOFF_CANCELLED)
        await query.answer()
        return
    desk = context.lotse.exchange.handoffs
    name = display_name(update.effective_user) if press.action == "named" else None
    try:
        handoff = await asyncio.to_thread(desk.open, press.question_id, asker, chat.id, name)
    except HandoffError as error:
        await query.answer(str(error), show_alert=True)
        return
    route = await dispatch(context, handoff, await asyncio.to_thread(desk.routes, handoff))
    if route is None:
        await asyncio.to_thread(desk.unreachable, handoff.id)
        await query.edit_message_text(texts.handoff_unreachable(context.lotse.config.chat.fallback_contact))
    else:
        await query.edit_message_text(texts.handoff_sent(handoff.question, route.label,
                                                         context.lotse.config.handoff.deadline_hours))
    await query.answer()


async def dispatch(context: LotseContext, handoff: Handoff, routes: list[Route]) -> Route | None:
    """Send the question to the first route that can be reached; None if none could."""
    desk = context.lotse.exchange.handoffs
    for route in routes:
        title = await asyncio.to_thread(desk.source_title, handoff, route.chat_id)
        html = texts.expert_question(handoff.question, handoff.asker_name, route.kind, title)
        try:
            message = await send(context.bot, route.chat_id, html, ANSWER_HERE)
        except (Forbidden, BadRequest) as error:  # blocked the bot, never started it, chat gone
            log.warning("Weiterleitung %s: %s nicht erreichbar (%s)", handoff.id, route.label, error)
            continue
        await asyncio.to_thread(desk.sent, handoff.id, route, message.message_id)
        log.info("Weiterleitung %s an %s (%s) gesendet", handoff.id, route.label, route.kind)
        return route
    return None


async def expert_reply(update: Update, context: LotseContext) -> None:
    """A reply to a hand-off message: deliver it, store it as FAQ, index it; other replies pass on."""
    message, chat = update.effective_message, update.effective_chat
    original = message.reply_to_message if message else None
    if message is None or chat is None or original is None or original.from_user is None \
            or original.from_user.id != context.bot.id:
        return
    exchange = context.lotse.exchange
    handoff = await asyncio.to_thread(exchange.handoffs.find, chat.id, original.message_id)
    if handoff is None:
        return
    if not message.text:
        await reply(update, texts.ANSWER_TEXT_ONLY)
        raise ApplicationHandlerStop
    author = display_name(update.effective_user) or (handoff.expert or "")
    try:
        result = await asyncio.to_thread(exchange.handoffs.answer, handoff.id, message.text, author)
    except HandoffError as error:
        await reply(update, escape(str(error)))
        raise ApplicationHandlerStop from error
    if result.deliver and result.handoff.asker_chat_id is not None:
        await _deliver(context, result.handoff.asker_chat_id, handoff.question, result.entry.answer, author)
    indexed = await asyncio.to_thread(exchange.refresh_index)
    log.info("Weiterleitung %s beantwortet; FAQ %s (indiziert: %s)", handoff.id, result.entry.path, indexed)
    await reply(update, texts.expert_thanks(result.deliver, indexed))
    raise ApplicationHandlerStop


async def _deliver(context: LotseContext, chat_id: int, question: str, answer: str, author: str) -> None:
    parts = render.pack([texts.expert_answer_head(question, author), *render.text_blocks(answer), texts.UNREVIEWED_NOTE])
    try:
        await send(context.bot, chat_id, parts)
    except (Forbidden, BadRequest) as error:  # the asker blocked the bot meanwhile: the FAQ still has it
        log.info("Antwort nicht zugestellt (%s); sie steht trotzdem in der FAQ", error)


async def check_due(context: LotseContext) -> None:
    """The periodic job: reminders to experts, deadlines for askers, and a pending re-index."""
    exchange = context.lotse.exchange
    work = await asyncio.to_thread(exchange.handoffs.due)
    for handoff in work.reminders:
        await _guarded(_remind(context, handoff), handoff)
    for handoff in work.expired:
        await _guarded(_expire(context, handoff), handoff)
    if exchange.reindex_pending:
        await asyncio.to_thread(exchange.refresh_index)


async def _guarded(work: Awaitable[None], handoff: Handoff) -> None:
    """One hand-off's trouble must not stop the others (logged; the next check tries again)."""
    try:
        await work
    except TelegramError as error:
        log.warning("Weiterleitung %s: Telegram-Fehler bei der Prüfung: %s", handoff.id, error)


async def _remind(context: LotseContext, handoff: Handoff) -> None:
    """One reminder to the expert; if they cannot be reached any more, the next person gets the question."""
    desk = context.lotse.exchange.handoffs
    if handoff.expert_chat_id is not None:
        try:
            message = await send(context.bot, handoff.expert_chat_id, texts.expert_reminder(handoff.question), ANSWER_HERE)
        except (Forbidden, BadRequest) as error:
            log.warning("Erinnerung %s nicht zustellbar (%s); nächste Stelle", handoff.id, error)
        else:
            await asyncio.to_thread(desk.reminded, handoff.id, handoff.expert_chat_id, message.message_id)
            return
    if await dispatch(context, handoff, await asyncio.to_thread(desk.routes, handoff)) is None:
        closed = await asyncio.to_thread(desk.unreachable, handoff.id)
        if closed.asker_chat_id is not None:
            await _tell_asker(context, closed.asker_chat_id, texts.handoff_unreachable(context.lotse.config.chat.fallback_contact))


async def _expire(context: LotseContext, handoff: Handoff) -> None:
    closed = await asyncio.to_thread(context.lotse.exchange.handoffs.expire, handoff.id)
    if closed.asker_chat_id is not None:
        await _tell_asker(context, closed.asker_chat_id,
                          texts.handoff_expired(closed.question, context.lotse.config.chat.fallback_contact))


async def _tell_asker(context: LotseContext, chat_id: int, html: str) -> None:
    try:
        await send(context.bot, chat_id, html)
    except (Forbidden, BadRequest) as error:
        log.info("Nachricht an die fragende Person nicht zugestellt: %s", error)


async def learn_expert(update: Update, context: LotseContext) -> None:
    """Every update: if the sender's handle is an expert's, remember their id (nobody else's is kept)."""
    user = update.effective_user
    if user is not None and user.username and not user.is_bot:
        await asyncio.to_thread(context.lotse.exchange.experts.learn, user.username, user.id)
