"""Sending helpers shared by all handlers: HTML replies and messages in parts, the "typing…"
indicator, and the Messenger (bot.front) through which the core's flows reach Telegram chats."""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import AsyncIterator

from telegram import Bot, ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from ...front import Unreachable
from ...html_blocks import pack
from ...ids import TELEGRAM, telegram_id

TYPING_EVERY = 4.5  # Telegram shows "typing…" for about 5 s per sendChatAction


async def reply(update: Update, parts: list[str] | str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Reply with one or more HTML messages (quoting the question only once); buttons go on the last."""
    message = update.effective_message
    if message is None:
        return None
    parts = [parts] if isinstance(parts, str) else parts
    sent = None
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        sent = await message.reply_html(part, reply_markup=markup if last else None,
                                        do_quote=None if number == 0 else False)
    return sent


async def send(bot: Bot, chat_id: int, parts: list[str] | str,
               markup: InlineKeyboardMarkup | ForceReply | None = None) -> Message:
    """Send one or more HTML messages to a chat (not as a reply); buttons go on the last.
    Returns the last message, e.g. to recognise replies to it."""
    parts = [parts] if isinstance(parts, str) else parts
    sent = None
    for number, part in enumerate(parts):
        sent = await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML,
                                      reply_markup=markup if number == len(parts) - 1 else None)
    assert sent is not None, "send() needs at least one part"
    return sent


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends (renewed every few seconds)."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(TelegramError):  # a missing indicator is no reason to fail
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


ANSWER_HERE = ForceReply(input_field_placeholder="Ihre Antwort …")


@dataclass
class TelegramMessenger:
    """bot.front.Messenger for Telegram: prefixed chat ids, ForceReply where an answer is wanted."""

    bot: Bot
    front: str = TELEGRAM

    def reaches(self, chat_id: str) -> bool:
        return telegram_id(chat_id) is not None

    async def send(self, chat_id: str, blocks: list[str], answer_here: bool = False) -> str:
        chat = telegram_id(chat_id)
        if chat is None:
            raise Unreachable(f"keine Telegram-ID: {chat_id}")
        try:
            message = await send(self.bot, chat, pack(blocks), ANSWER_HERE if answer_here else None)
        except (Forbidden, BadRequest) as error:  # blocked the bot, never started it, chat gone
            raise Unreachable(str(error)) from error
        return str(message.message_id)
