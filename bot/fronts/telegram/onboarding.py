"""Handlers of the onboarding path: /onboarding, the "Weiter" / "Erledigt" / department buttons,
and the offer under the welcome of a new person. They only translate to bot.onboarding."""
from __future__ import annotations

import asyncio
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode

from indexer import IndexNotReady

from ... import onboarding_text
from ...core import Asker
from ...onboarding import Onboarding
from . import menus, texts
from .context import LotseContext
from .gate import admit, admit_button
from .sending import reply


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def _path_message(onboarding: Onboarding, asker: Asker) -> tuple[str, InlineKeyboardMarkup | None]:
    """The overview (starting the path if needed) and its buttons."""
    progress = onboarding.start(asker)
    return escape(onboarding_text.path_text(progress)), menus.path_keyboard(progress.finished,
                                                                          onboarding.departments(asker.groups))


def _next_message(onboarding: Onboarding, asker: Asker) -> tuple[str, InlineKeyboardMarkup | None]:
    """The next step with "Erledigt", or the finished path."""
    step = onboarding.next_step(asker)
    progress = onboarding.progress(asker)
    if step is None:
        return escape(onboarding_text.path_text(progress)), None
    body = "\n\n".join(escape(part) for part in onboarding_text.step_body(step))
    return f"<b>{escape(onboarding_text.step_heading(step, progress))}</b>\n\n{body}", menus.step_keyboard(step.number)


def _done_message(onboarding: Onboarding, asker: Asker, number: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Confirmation of a finished step, followed by the next one (or the congratulations)."""
    progress = onboarding.complete(asker, number)
    confirmation = escape(onboarding_text.done_text(number, progress))
    if progress.finished:
        return f"{confirmation}\n\n{escape(onboarding_text.FINISHED)}", None
    step_html, markup = _next_message(onboarding, asker)
    return f"{confirmation}\n\n{step_html}", markup


async def onboarding_command(update: Update, context: LotseContext) -> None:
    """/onboarding: the path with each step's state (✅ done, ▶ next) and a "Weiter" button."""
    asker = await admit(update, context)
    if asker is None:
        return
    if not _private(update):
        await reply(update, texts.ONBOARDING_PRIVATE_ONLY)
        return
    try:
        html, markup = await asyncio.to_thread(_path_message, context.lotse.exchange.onboarding, asker)
    except IndexNotReady as error:
        html, markup = escape(str(error)), None
    await reply(update, html, markup)


async def onboarding_button(update: Update, context: LotseContext) -> None:
    """"Weiter", "Erledigt", "Übersicht" and the department buttons."""
    pressed = await admit_button(update, context, menus.parse_onboarding)
    if pressed is None:
        return
    query, asker, press, chat = pressed
    onboarding = context.lotse.exchange.onboarding
    try:
        if press.action == "next":
            html, markup = await asyncio.to_thread(_next_message, onboarding, asker)
        elif press.action == "done":
            html, markup = await asyncio.to_thread(_done_message, onboarding, asker, press.number)
        elif press.action == "dep":
            departments = await asyncio.to_thread(onboarding.departments, asker.groups)
            chosen = departments[press.number - 1] if 0 < press.number <= len(departments) else None
            await asyncio.to_thread(onboarding.choose_department, asker, chosen)
            html, markup = await asyncio.to_thread(_path_message, onboarding, asker)
        else:
            html, markup = await asyncio.to_thread(_path_message, onboarding, asker)
    except ValueError:  # a step that is no longer on the path (documents changed)
        await query.answer(texts.STALE_BUTTON)
        return
    except IndexNotReady as error:
        await query.answer(str(error), show_alert=True)
        return
    await context.bot.send_message(chat.id, html, parse_mode=ParseMode.HTML, reply_markup=markup)
    await query.answer()


async def offer_to_newcomer(update: Update, context: LotseContext, asker: Asker) -> tuple[str, InlineKeyboardMarkup | None]:
    """For /start: the onboarding offer and its button if this is someone new in a private chat."""
    if not _private(update):
        return "", None
    onboarding = context.lotse.exchange.onboarding
    try:
        new = await asyncio.to_thread(onboarding.is_new, asker.user_id)
        has_path = new and bool(await asyncio.to_thread(onboarding.steps, asker.groups))
    except IndexNotReady:
        return "", None
    return (texts.ONBOARDING_OFFER, menus.start_keyboard()) if has_path else ("", None)
