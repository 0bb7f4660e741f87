"""A Telegram message that shows the progress of a long job, edited in place and throttled."""
from __future__ import annotations

import asyncio
import logging
from html import escape
from typing import Awaitable, TypeVar

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

T = TypeVar("T")
log = logging.getLogger(__name__)
STAGES = {"lesen": "Dokumente lesen", "einbetten": "Abschnitte einbetten"}


def progress_text(stage: str, done: int, total: int) -> str:
    """E.g. "🔄 Abschnitte einbetten: 40 von 120 (33 %)" (plain text, no markup)."""
    name = STAGES.get(stage, stage)
    share = f" ({done * 100 // total} %)" if total else ""
    return f"🔄 Neuindizierung läuft – {name}: {done} von {total}{share}"


class ProgressMessage:
    """Receives progress from a worker thread; the event loop edits the message with the latest
    state at most every `interval` seconds and only when the text changed."""

    def __init__(self, message: Message, interval: float = 1.5) -> None:
        self.message = message
        self.interval = interval
        self._latest: tuple[str, int, int] | None = None
        self._shown = message.text_html if message.text else ""

    def update(self, stage: str, done: int, total: int) -> None:
        """Progress callback for the worker thread (only stores; never touches Telegram)."""
        self._latest = (stage, done, total)

    async def follow(self, work: Awaitable[T]) -> T:
        """Await `work`, refreshing the message meanwhile; returns (or raises) what `work` does."""
        task = asyncio.ensure_future(work)
        while True:
            finished, _ = await asyncio.wait({task}, timeout=self.interval)
            if finished:
                return task.result()
            if self._latest is not None:
                await self._edit(escape(progress_text(*self._latest)))

    async def finish(self, parts: list[str]) -> None:
        """Replace the progress with the final HTML text; further parts follow as new messages."""
        if not await self._edit(parts[0]):
            await self.message.reply_html(parts[0])
        for part in parts[1:]:
            await self.message.reply_html(part)

    async def _edit(self, html: str) -> bool:
        if html == self._shown:
            return True
        try:
            await self.message.edit_text(html, parse_mode=ParseMode.HTML)
        except TelegramError as error:  # progress is best effort; the job goes on
            log.warning("Fortschrittsmeldung nicht aktualisiert: %s", error)
            return False
        self._shown = html
        return True
