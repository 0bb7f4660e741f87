"""Admin review of expert answers: /pruefen lists them, with who may see each, and approve / edit /
access / reject buttons; after "Bearbeiten" the admin's next text replaces the answer, after
"Zugriff" it names the groups. They only translate to bot.faq_writer."""
from __future__ import annotations

import asyncio
from html import escape

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from ...faq_writer import FaqEntry, parse_access
from .. import chat_html as render
from . import menus, texts
from .context import LotseContext, prefixed
from .gate import admit_admin, admit_button
from .sending import reply, send


def _entry_parts(entry: FaqEntry, viewer_groups: frozenset[str], lead: str | None = None) -> list[str]:
    """The entry as messages (buttons go on the last), optionally under a `lead` line."""
    return render.pack([*([lead] if lead else []), *texts.review_blocks(entry, viewer_groups)])


async def pruefen(update: Update, context: LotseContext) -> None:
    """/pruefen: every expert answer still waiting for review, each with its buttons (admins only)."""
    asker = await admit_admin(update, context)
    if asker is None:
        return
    chat = update.effective_chat
    entries = await asyncio.to_thread(context.lotse.exchange.faq.pending)
    if not entries or chat is None:
        await reply(update, texts.NO_PENDING_REVIEWS)
        return
    for entry in entries:
        await send(context.bot, chat.id, _entry_parts(entry, asker.groups), menus.review_keyboard(entry.handoff_id))


async def review_button(update: Update, context: LotseContext) -> None:
    """Freigeben (reviewed: true), Verwerfen (file removed), Bearbeiten / Zugriff (the next message is
    the new text / the groups)."""
    pressed = await admit_button(update, context, menus.parse_review)
    if pressed is None:
        return
    query, asker, press, _ = pressed
    lotse = context.lotse
    if not lotse.access.is_admin(asker.user_id):
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
        return
    faq = lotse.exchange.faq
    if press.action in ("edit", "access"):
        if await asyncio.to_thread(faq.get, press.number) is None:
            await query.answer(texts.REVIEW_GONE, show_alert=True)
            return
        lotse.editing[asker.user_id] = (press.number, press.action)
        await query.answer()
        if update.effective_chat is not None:
            prompt = texts.REVIEW_EDIT_PROMPT if press.action == "edit" else texts.REVIEW_ACCESS_PROMPT
            await send(context.bot, update.effective_chat.id, prompt)
        return
    change = faq.approve if press.action == "approve" else faq.reject
    entry = await asyncio.to_thread(change, press.number)
    if entry is None:
        await query.answer(texts.REVIEW_GONE, show_alert=True)
        return
    indexed = await asyncio.to_thread(lotse.exchange.refresh_index)
    await query.edit_message_text(texts.review_done(press.action, entry.question, indexed))
    await query.answer()


async def edited_answer(update: Update, context: LotseContext) -> None:
    """The text an admin sends after "Bearbeiten" replaces the answer, after "Zugriff" sets who may
    see it (unknown groups are refused and asked again); other messages pass on."""
    user, message = update.effective_user, update.effective_message
    lotse = context.lotse
    editor = prefixed(user.id if user else None)
    if editor is None or message is None or not message.text or editor not in lotse.editing:
        return
    handoff_id, action = lotse.editing.pop(editor)
    faq = lotse.exchange.faq
    if action == "access":
        try:
            groups = parse_access(message.text, lotse.config.groups)
        except ValueError as error:
            lotse.editing[editor] = (handoff_id, action)
            await reply(update, escape(str(error)))
            raise ApplicationHandlerStop from error
        entry = await asyncio.to_thread(faq.set_access, handoff_id, groups)
    else:
        entry = await asyncio.to_thread(faq.replace_answer, handoff_id, message.text)
    if entry is None:
        await reply(update, texts.REVIEW_GONE)
        raise ApplicationHandlerStop
    indexed = await asyncio.to_thread(lotse.exchange.refresh_index)
    viewer = lotse.asker(update).groups
    await reply(update, _entry_parts(entry, viewer, texts.review_done(action, entry.question, indexed)),
                menus.review_keyboard(handoff_id))
    raise ApplicationHandlerStop
