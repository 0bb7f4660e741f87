"""Admin commands: /status (index, usage, onboarding, hand-offs), /reindex (runs beside normal
answering) and /luecken (knowledge gaps)."""
from __future__ import annotations

import asyncio
import logging
import sqlite3
from html import escape
from typing import Callable

from telegram import Message, Update
from telegram.error import TelegramError

from indexer import IndexBusy, IndexingError, IndexNotReady

from ...gaps import gaps_text, knowledge_gaps
from ...onboarding_text import overview_text
from ...reports import index_report, index_stats
from .. import chat_html as render
from . import texts
from .context import LotseContext, Services
from .gate import admit_admin
from .progress import ProgressMessage
from .sending import reply, send
from ...usage import usage_report

log = logging.getLogger(__name__)


async def status(update: Update, context: LotseContext) -> None:
    """/status: index statistics and usage figures (admins only)."""
    asker = await admit_admin(update, context)
    if asker is None:
        return
    lotse = context.lotse
    try:
        index_text = index_stats(await asyncio.to_thread(lotse.core.index.stats))
    except IndexNotReady as error:
        index_text = str(error)
    interactions = lotse.core.interactions
    usage = await asyncio.to_thread(_from_log, lotse, lambda: usage_report(interactions.usage()))
    onboarding = await asyncio.to_thread(_from_log, lotse, lambda: _onboarding_text(lotse, asker.groups))
    exchange = await asyncio.to_thread(_from_log, lotse, lambda: _exchange_text(lotse))
    if interactions.problem:  # read after the blocks: reading them may be what finds the damage
        usage = f"⚠️ {interactions.problem}\n{usage}"
    blocks = [f"<b>📚 Index</b>\n{escape(index_text)}", f"<b>💬 Nutzung</b>\n{escape(usage)}",
              f"<b>🧭 Onboarding</b>\n{escape(onboarding)}", f"<b>📨 Weiterleitungen</b>\n{escape(exchange)}"]
    if lotse.core.phraser is not None:
        blocks.append(f"<b>🤖 Sprachmodell</b>\n{escape(lotse.core.phraser.stats.summary(lotse.config.llm.model))}")
    if lotse.reindexing:
        blocks.append("🔄 Gerade läuft eine Neuindizierung.")
    await reply(update, render.pack(blocks))


def _from_log(lotse: Services, produce: Callable[[], str]) -> str:
    """A /status block read from the question log; if the file breaks, the block says so instead."""
    try:
        return produce()
    except sqlite3.DatabaseError as error:
        lotse.core.interactions.failed(error)
        return "nicht verfügbar (Fragen-Datenbank nicht lesbar)"


def _onboarding_text(lotse: Services, groups: frozenset[str]) -> str:
    try:
        return overview_text(lotse.exchange.onboarding.overview(groups))
    except IndexNotReady as error:
        return str(error)


def _exchange_text(lotse: Services) -> str:
    open_count = lotse.exchange.handoffs.open_count()
    pending = len(lotse.exchange.faq.pending())
    return f"Offen: {open_count} · Antworten zur Prüfung: {pending}" + (" (/pruefen)" if pending else "")


async def luecken(update: Update, context: LotseContext) -> None:
    """/luecken: questions the bot could not answer well, grouped by meaning, most frequent first (admins only)."""
    if await admit_admin(update, context) is None:
        return
    lotse = context.lotse
    settings = lotse.config.gaps
    report = await asyncio.to_thread(knowledge_gaps, lotse.core.interactions, lotse.core.index.embedder.encode,
                                     settings.days, settings.similarity)
    head = f"<b>🕳 Wissenslücken der letzten {settings.days} Tage</b>"
    await reply(update, render.pack([head, *render.text_blocks(gaps_text(report))]))


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
    progress = ProgressMessage(message, lotse.progress_interval)
    try:
        summary = await _reindex(lotse, progress)
    finally:
        lotse.reindexing = False  # before the summary: whoever reads it may start the next run
        waiting, lotse.reindex_waiting = lotse.reindex_waiting - {message.chat_id}, set()
    log.info("Neuindizierung beendet: %s", summary.splitlines()[0])
    parts = render.pack(render.text_blocks(summary))
    await progress.finish(parts)
    for chat_id in sorted(waiting):
        try:
            await send(message.get_bot(), chat_id, parts)
        except TelegramError as error:  # e.g. that admin blocked the bot meanwhile
            log.info("Ergebnis der Neuindizierung nicht an %s zugestellt: %s", chat_id, error)


async def _reindex(lotse: Services, progress: ProgressMessage) -> str:
    """Run ChatCore.reindex off the event loop; the plain-text summary for every outcome."""
    try:
        report = await progress.follow(asyncio.to_thread(lotse.core.reindex, progress.update))
    except IndexBusy as error:
        return f"⏳ {error}"
    except IndexingError as error:
        return f"❌ {error}" + (f"\n\n{index_report(error.report)}" if error.report else "")
    except Exception:
        log.exception("Neuindizierung fehlgeschlagen")
        return texts.REINDEX_FAILED
    return "✅ " + index_report(report)
