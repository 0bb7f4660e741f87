"""Admin commands: /status (index and usage) and /reindex (runs beside normal answering)."""
from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import Message, Update

from indexer import IndexBusy, IndexingError, IndexNotReady

from ..reports import index_report, index_stats
from . import render, texts
from .context import LotseContext, Services
from .gate import admit_admin
from .progress import ProgressMessage
from .sending import reply
from .usage import usage_report

log = logging.getLogger(__name__)


async def status(update: Update, context: LotseContext) -> None:
    """/status: index statistics and usage figures (admins only)."""
    if await admit_admin(update, context) is None:
        return
    lotse = context.lotse
    try:
        index_text = index_stats(await asyncio.to_thread(lotse.core.index.stats))
    except IndexNotReady as error:
        index_text = str(error)
    usage = await asyncio.to_thread(lotse.core.interactions.usage)
    blocks = [f"<b>📚 Index</b>\n{escape(index_text)}", f"<b>💬 Nutzung</b>\n{escape(usage_report(usage))}"]
    if lotse.reindexing:
        blocks.append("🔄 Gerade läuft eine Neuindizierung.")
    await reply(update, render.pack(blocks))


async def reindex(update: Update, context: LotseContext) -> None:
    """/reindex: start an incremental re-index in the background (admins only, one at a time)."""
    asker = await admit_admin(update, context)
    if asker is None:
        return
    lotse = context.lotse
    if lotse.reindexing:
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
    """Index in a worker thread, show progress in `message`, end with the run report."""
    progress = ProgressMessage(message, lotse.progress_interval)
    try:
        summary = await _reindex(lotse, progress)
    finally:
        lotse.reindexing = False  # before the summary: whoever reads it may start the next run
    log.info("Neuindizierung beendet: %s", summary.splitlines()[0])
    await progress.finish(render.pack(render.text_blocks(summary)))


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
