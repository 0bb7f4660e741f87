"""The re-index progress as a Telegram message (bot.progress does the throttling)."""
from __future__ import annotations

import logging

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from ...progress import ProgressMessage

log = logging.getLogger(__name__)


def telegram_progress(message: Message, interval: float) -> ProgressMessage:
    """A ProgressMessage that edits `message`."""

    async def edit(html: str) -> bool:
        try:
            await message.edit_text(html, parse_mode=ParseMode.HTML)
        except TelegramError as error:  # progress is best effort; the job goes on
            log.warning("Fortschrittsmeldung nicht aktualisiert: %s", error)
            return False
        return True

    return ProgressMessage(edit, message.text_html if message.text else "", interval)


async def finish(progress: ProgressMessage, message: Message, parts: list[str]) -> None:
    """Replace the progress with the final HTML text; further parts follow as new messages."""
    if not await progress.show(parts[0]):
        await message.reply_html(parts[0])
    for part in parts[1:]:
        await message.reply_html(part)
