"""Handlers for everyone: /start, /hilfe, questions (text, mention, reply, /frage), /quellen,
the buttons under answers, and friendly replies to what the bot cannot read.

They only translate: Telegram update → ChatCore call → Telegram HTML.
"""
from __future__ import annotations

import asyncio
from html import escape

from telegram import Update
from telegram.constants import ChatType, ParseMode

from indexer import IndexNotReady

from ...core import QuestionError
from .. import chat_html as render
from . import buttons, handoff, texts
from .addressing import is_addressed, without_mention
from .context import LotseContext
from .gate import admit, admit_button, within_limit
from .onboarding import offer_to_newcomer
from .sending import reply, typing
from .streaming import StreamingReply


async def answer_question(update: Update, context: LotseContext, question: str) -> None:
    """Check access, the question and the rate limit, then answer it with sources and buttons."""
    asker = await admit(update, context)
    chat = update.effective_chat
    if asker is None or chat is None:
        return
    core = context.lotse.core
    stream = StreamingReply(update)  # shows the checked sentences while a model writes ([llm])
    try:
        core.check_question(question)
        if not await within_limit(update, context, asker):
            return
        async with typing(context.bot, chat.id):
            answer = await stream.follow(asyncio.to_thread(core.ask, question, asker, stream.update))
    except QuestionError as error:
        await reply(update, escape(str(error)))
        return
    await stream.finish(render.answer_html(answer), buttons.answer_keyboard(answer))


async def start(update: Update, context: LotseContext) -> None:
    """Welcome: what the bot knows and how to ask; someone new is offered the onboarding path."""
    asker = await admit(update, context)
    if asker is None:
        return
    try:
        documents = (await asyncio.to_thread(context.lotse.core.index.stats))["documents"]
    except IndexNotReady:
        documents = None
    user = update.effective_user
    offer, markup = await offer_to_newcomer(update, context, asker)
    await reply(update, texts.welcome(user.first_name if user else "", documents, f"@{context.bot.username}") + offer,
                markup)


async def hilfe(update: Update, context: LotseContext) -> None:
    """Short instructions; admins also see their commands."""
    asker = await admit(update, context)
    if asker is not None:
        admin = context.lotse.access.is_admin(asker.user_id)
        await reply(update, texts.help_text(f"@{context.bot.username}", admin))


async def frage(update: Update, context: LotseContext) -> None:
    """/frage <Frage>: ask explicitly (the way to ask in groups without a mention)."""
    message = update.effective_message
    words = (message.text or "").split(maxsplit=1) if message else []
    await answer_question(update, context, words[1] if len(words) > 1 else "")


async def text_message(update: Update, context: LotseContext) -> None:
    """Any text in a private chat is a question; in groups only a mention of or reply to the bot."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if not is_addressed(message, context.bot.username, context.bot.id):
        return
    await answer_question(update, context, without_mention(message.text, context.bot.username))


async def quellen(update: Update, context: LotseContext) -> None:
    """/quellen: every source of the last answer this person got."""
    asker = await admit(update, context)
    if asker is None:
        return
    answer = context.lotse.core.last_answer(asker)
    if answer is None:
        await reply(update, texts.NO_LAST_ANSWER)
    elif not (answer.sources or answer.more_sources):
        await reply(update, texts.NO_SOURCES)
    else:
        await reply(update, render.all_sources_html(answer))


async def non_text(update: Update, context: LotseContext) -> None:
    """Stickers, photos, voice, files: a short friendly note that only text is understood."""
    message = update.effective_message
    if message is None or not is_addressed(message, context.bot.username, context.bot.id):
        return
    if await admit(update, context) is not None:
        await reply(update, texts.NON_TEXT)


async def unknown_command(update: Update, context: LotseContext) -> None:
    """Unknown commands: a pointer to /hilfe (in groups only if addressed to this bot)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0].lower()
    if chat.type != ChatType.PRIVATE and not command.endswith(f"@{context.bot.username.lower()}"):
        return
    if await admit(update, context) is not None:
        await reply(update, texts.UNKNOWN_COMMAND)


async def feedback_button(update: Update, context: LotseContext) -> None:
    """👍 / 👎 under an answer: stored for the question id in the button; after 👎 a hand-off is offered."""
    pressed = await admit_button(update, context, buttons.parse)
    if pressed is None:
        return
    query, asker, press, _ = pressed
    positive = press.action == "up"
    stored = await asyncio.to_thread(context.lotse.core.feedback, press.question_id, asker, positive)
    if stored and not positive:
        await handoff.offer_after_thumbs_down(update, context, asker, press.question_id)
    await query.answer(texts.FEEDBACK_THANKS[positive] if stored else texts.STALE_BUTTON)


async def more_sources_button(update: Update, context: LotseContext) -> None:
    """The "Mehr Quellen" button: the sources not shown under the answer, if this person may see them."""
    pressed = await admit_button(update, context, buttons.parse)
    if pressed is None:
        return
    query, asker, press, chat = pressed
    answer = context.lotse.core.recent_answer(press.question_id, asker)
    if answer is None or not answer.more_sources or chat is None:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    for part in render.more_sources_html(answer):
        await context.bot.send_message(chat.id, part, parse_mode=ParseMode.HTML)


async def stale_button(update: Update, context: LotseContext) -> None:
    """Any other button data (old formats, forged): a friendly hint instead of silence."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON)
