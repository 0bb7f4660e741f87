"""The bot's periodic work, the same for every front: the daily retention purge and the hand-off check
(reminders, deadlines, a pending re-index) every `[handoff] check_interval_seconds`."""
from __future__ import annotations

import asyncio
import logging
import time

from . import handoff_flow
from .core import ChatCore
from .exchange import KnowledgeExchange
from .front import Messenger

log = logging.getLogger(__name__)
RETENTION_INTERVAL = 24 * 60 * 60  # personal data past the retention is deleted at start and then daily


async def purge_old_data(core: ChatCore) -> None:
    """Delete personal data older than `[chat] retention_days` (start-up did it once already)."""
    deleted = await asyncio.to_thread(core.interactions.purge)
    log.info("Aufbewahrungsfrist: %d alte Einträge gelöscht.", deleted)


async def run_periodic(messenger: Messenger, exchange: KnowledgeExchange) -> None:
    """Both jobs, until cancelled, for a front without a scheduler of its own; errors are logged."""
    settings = exchange.core.config.handoff
    interval = settings.check_interval_seconds if settings.enabled else RETENTION_INTERVAL
    purged = time.monotonic()
    while True:
        await asyncio.sleep(interval)
        try:
            if settings.enabled:
                await handoff_flow.check_due(messenger, exchange)
            if time.monotonic() - purged >= RETENTION_INTERVAL:
                purged = time.monotonic()
                await purge_old_data(exchange.core)
        except Exception:
            log.exception("Regelmäßige Prüfung fehlgeschlagen")
