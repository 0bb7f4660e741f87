"""Handlers of the expert hand-off: the offer, the asker's consent, the expert's reply, the periodic
check, and learning experts' Telegram ids. They only translate; who is asked next, reminders and
expiry are bot.handoff_flow's."""
from __future__ import annotations

import asyncio
from html import escape

from telegram import Update, User
from telegram.ext import ApplicationHandlerStop

from ... import handoff_flow
from ...core import Asker
from ...handoff import HandoffError
from . import buttons, texts
from .context import LotseContext, prefixed
from .gate import admit_button
from .sending import reply, send


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
    name = display_name(update.effective_user) if press.action == "named" else None
    try:
        told = await handoff_flow.hand_off(context.lotse.flows, context.lotse.exchange, press.question_id,
                                           asker, prefixed(chat.id), name)
    except HandoffError as error:
        await query.answer(str(error), show_alert=True)
        return
    await query.edit_message_text(told)
    await query.answer()


async def expert_reply(update: Update, context: LotseContext) -> None:
    """A reply to a hand-off message: deliver it, store it as FAQ, index it; other replies pass on."""
    message, chat = update.effective_message, update.effective_chat
    original = message.reply_to_message if message else None
    if message is None or chat is None or original is None or original.from_user is None \
            or original.from_user.id != context.bot.id:
        return
    exchange = context.lotse.exchange
    handoff = await asyncio.to_thread(exchange.handoffs.find, prefixed(chat.id), original.message_id)
    if handoff is None:
        return
    if not message.text:
        await reply(update, texts.ANSWER_TEXT_ONLY)
        raise ApplicationHandlerStop
    author = display_name(update.effective_user) or (handoff.expert or "")
    try:
        thanks = await handoff_flow.take_reply(context.lotse.flows, exchange, handoff, message.text, author)
    except HandoffError as error:
        await reply(update, escape(str(error)))
        raise ApplicationHandlerStop from error
    await reply(update, thanks)
    raise ApplicationHandlerStop


async def check_due(context: LotseContext) -> None:
    """The periodic job: reminders, deadlines and a pending re-index (bot.handoff_flow)."""
    await handoff_flow.check_due(context.lotse.flows, context.lotse.exchange)


async def learn_expert(update: Update, context: LotseContext) -> None:
    """Every update: if the sender's handle is an expert's, remember their id (nobody else's is kept)."""
    user = update.effective_user
    if user is not None and user.username and not user.is_bot:
        await asyncio.to_thread(context.lotse.exchange.experts.learn, user.username, prefixed(user.id))
