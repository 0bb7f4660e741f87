"""The checks before any answer: is the person allowed (else a polite, logged refusal), are they
an admin where needed, and are they within their rate limit."""
from __future__ import annotations

import logging
from typing import Callable, Generic, NamedTuple, TypeVar

from telegram import CallbackQuery, Chat, Update

from ...core import Asker
from . import texts
from .context import LotseContext, prefixed
from .sending import reply

P = TypeVar("P")

log = logging.getLogger(__name__)


async def admit(update: Update, context: LotseContext) -> Asker | None:
    """The Asker if this person may use the bot; otherwise send the refusal and return None."""
    lotse = context.lotse
    user, chat = update.effective_user, update.effective_chat
    user_id, chat_id = (user.id if user else None), (chat.id if chat else None)
    if lotse.access.admits(prefixed(user_id), prefixed(chat_id)):
        return lotse.asker(update)
    log.warning("Zugriff verweigert: Nutzer %s in Chat %s", user_id, chat_id)
    await reply(update, texts.refusal(user_id))
    return None


async def admit_press(update: Update, context: LotseContext) -> Asker | None:
    """Like admit, for button presses: a refusal is an alert on the button, and logged."""
    user, chat, query = update.effective_user, update.effective_chat, update.callback_query
    user_id = user.id if user else None
    if context.lotse.access.admits(prefixed(user_id), prefixed(chat.id if chat else None)):
        return context.lotse.asker(update)
    log.warning("Schaltfläche verweigert: Nutzer %s", user_id)
    if query is not None:
        await query.answer(texts.NOT_ALLOWED_BUTTON, show_alert=True)
    return None


class Pressed(NamedTuple, Generic[P]):
    """An allowed person's press of one of our buttons, with its parsed callback data."""

    query: CallbackQuery
    asker: Asker
    press: P
    chat: Chat


async def admit_button(update: Update, context: LotseContext, parse: Callable[[str | None], P | None]) -> Pressed[P] | None:
    """The press parsed by `parse` if the person may press it; None for refused or unknown presses."""
    asker = await admit_press(update, context)
    query, chat = update.callback_query, update.effective_chat
    press = parse(query.data if query else None)
    if query is None or asker is None or press is None or chat is None:
        return None
    return Pressed(query, asker, press, chat)


async def admit_admin(update: Update, context: LotseContext) -> Asker | None:
    """Like admit, but only for admins; others are told so (and it is logged)."""
    asker = await admit(update, context)
    if asker is None:
        return None
    if context.lotse.access.is_admin(asker.user_id):
        return asker
    log.warning("Admin-Befehl verweigert: Nutzer %s", asker.user_id)
    await reply(update, texts.ADMIN_ONLY)
    return None


async def within_limit(update: Update, context: LotseContext, asker: Asker) -> bool:
    """Count one question for `asker`; if over the limit, say how long to wait and return False."""
    wait = context.lotse.limiter.hit(asker.user_id)
    if wait <= 0:
        return True
    log.info("Ratenbegrenzung: Nutzer %s muss %.0f s warten", asker.user_id, wait)
    await reply(update, texts.rate_limited(wait))
    return False
