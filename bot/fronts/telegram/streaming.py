"""An answer shown while the model writes it: one message, edited at most about once per second,
then replaced by the final answer (or the extractive one, if the model failed)."""
from __future__ import annotations

import asyncio
import logging
from html import escape
from textwrap import shorten
from typing import Awaitable, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import RetryAfter, TelegramError

from .sending import reply

T = TypeVar("T")
log = logging.getLogger(__name__)
EDIT_INTERVAL = 1.0  # seconds between edits: about the rate Telegram accepts for one chat
GROUP_EDIT_INTERVAL = 3.0  # groups: Telegram accepts about 20 messages a minute
WRITING = " ✍️"
PREVIEW_CHARS = 3500  # a preview stays one message; the final answer may take several


class StreamingReply:
    """Receives the checked text so far from the worker thread and shows it in one reply message,
    at most once per `interval`; `finish` puts the final HTML in its place."""

    def __init__(self, update: Update, interval: float | None = None) -> None:
        self._reply_to = update
        private = update.effective_chat is None or update.effective_chat.type == ChatType.PRIVATE
        self.interval = interval if interval is not None else EDIT_INTERVAL if private else GROUP_EDIT_INTERVAL
        self.message: Message | None = None
        self._latest = ""
        self._shown = ""
        self._changed = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._last_edit = float("-inf")

    def update(self, text: str) -> None:
        """Callback for the worker thread: only stores the text and wakes the event loop."""
        self._latest = text
        self._loop.call_soon_threadsafe(self._changed.set)

    async def follow(self, work: Awaitable[T]) -> T:
        """Await `work`, showing new text as it comes (throttled); returns (or raises) what `work` does."""
        task = asyncio.ensure_future(work)
        while not task.done():
            changed = asyncio.ensure_future(self._changed.wait())
            await asyncio.wait({task, changed}, return_when=asyncio.FIRST_COMPLETED)
            changed.cancel()
            if task.done():
                break
            self._changed.clear()
            pause = self._last_edit + self.interval - self._loop.time()
            if pause > 0 and (await asyncio.wait({task}, timeout=pause))[0]:
                break
            await self._show(self._latest)
        return task.result()

    async def _show(self, text: str) -> None:
        if not text or text == self._shown:
            return
        html = escape(shorten(text, PREVIEW_CHARS, placeholder=" …")) + WRITING
        self._last_edit = self._loop.time()
        try:
            if self.message is None:
                self.message = await reply(self._reply_to, html)
            else:
                await self.message.edit_text(html, parse_mode=ParseMode.HTML)
        except TelegramError as error:  # a missed preview is no reason to fail the answer
            log.warning("Vorschau der Antwort nicht aktualisiert: %s", error)
            return
        self._shown = text

    async def finish(self, parts: list[str], markup: InlineKeyboardMarkup | None) -> None:
        """The final answer: in place of the preview if there was one, else as a normal reply."""
        if self.message is None:
            await reply(self._reply_to, parts, markup)
            return
        first_markup = markup if len(parts) == 1 else None
        try:
            try:
                await self.message.edit_text(parts[0], parse_mode=ParseMode.HTML, reply_markup=first_markup)
            except RetryAfter as error:  # edited too often: the final answer waits its turn
                await asyncio.sleep(error.retry_after if isinstance(error.retry_after, (int, float))
                                    else error.retry_after.total_seconds())
                await self.message.edit_text(parts[0], parse_mode=ParseMode.HTML, reply_markup=first_markup)
        except TelegramError as error:
            log.warning("Vorschau nicht durch die Antwort ersetzt, sie folgt neu: %s", error)
            await reply(self._reply_to, parts, markup)
            return
        for number, part in enumerate(parts[1:], start=2):
            await self.message.reply_html(part, reply_markup=markup if number == len(parts) else None,
                                          do_quote=False)
