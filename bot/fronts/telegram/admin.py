"""Admin commands: /status (index, usage, onboarding, hand-offs), /reindex (runs beside normal
answering) and /luecken (knowledge gaps)."""
from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.error import TelegramError

from ...progress import reindex_summary
from ...status import gaps_blocks, status_blocks
from .. import chat_html as render
from . import texts
from .context import LotseContext, Services
from .gate import admit_admin
from .progress import finish, telegram_progress
from .sending import reply, send

log = logging.getLogger(__name__)


async def status(update: Update, context: LotseContext) -> None:
    """/status: index statistics and usage figures (admins only)."""
    asker = await admit_admin(update, context)
    if asker is None:
        return
    lotse = context.lotse
    blocks = await asyncio.to_thread(status_blocks, lotse.exchange, asker.groups, lotse.reindexing)
    await reply(update, render.pack(blocks))


async def luecken(update: Update, context: LotseContext) -> None:
    """/luecken: questions the bot could not answer well, grouped by meaning, most frequent first (admins only)."""
    if await admit_admin(update, context) is None:
        return
    await reply(update, render.pack(await asyncio.to_thread(gaps_blocks, context.lotse.exchange)))


async def reindex(update: Update, context: LotseContext) -> None:
    """/reindex: start an incremental re-index in the background (admins only, one at a time)."""
    asker = await admit_admin(update, context)
    if asker is None:
        return
    lotse = context.lotse
    if lotse.reindexing:
        chat = update.effective_chat
        if chat is not None:
            lotse.reindex_waiting.add(chat.id)  # the result goes there too when the run ends
        await reply(update, texts.REINDEX_RUNNING)
        return
    lotse.reindexing = True  # set before the first await: no second /reindex can slip in
    started = False
    try:
        message = await reply(update, texts.REINDEX_STARTED)
        if message is not None:
            context.application.create_task(run_reindex(lotse, message), update=update)
            started = True
            log.info("Neuindizierung gestartet von Nutzer %s", asker.user_id)
    finally:
        lotse.reindexing = started


async def run_reindex(lotse: Services, message: Message) -> None:
    """Index in a worker thread, show progress in `message`, end with the run report; chats that
    asked for a /reindex meanwhile get the report as well."""
    progress = telegram_progress(message, lotse.progress_interval)
    try:
        summary = await reindex_summary(lotse.core, progress)
    finally:
        lotse.reindexing = False  # before the summary: whoever reads it may start the next run
        waiting, lotse.reindex_waiting = lotse.reindex_waiting - {message.chat_id}, set()
    log.info("Neuindizierung beendet: %s", summary.splitlines()[0])
    parts = render.pack(render.text_blocks(summary))
    await finish(progress, message, parts)
    for chat_id in sorted(waiting):
        try:
            await send(message.get_bot(), chat_id, parts)
        except TelegramError as error:  # e.g. that admin blocked the bot meanwhile
            log.info("Ergebnis der Neuindizierung nicht an %s zugestellt: %s", chat_id, error)
