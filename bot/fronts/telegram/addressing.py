"""When a message is meant for the bot: always in private chats; in groups only when the bot is
mentioned or replied to (commands such as /frage are routed by python-telegram-bot itself)."""
from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.constants import ChatType


def _mentions(message: Message, username: str, bot_id: int) -> bool:
    mention = f"@{username}".lower()
    entities = {**message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]),
                **message.parse_caption_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])}
    return any(
        (entity.type == MessageEntity.MENTION and text.lower() == mention)
        or (entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id)
        for entity, text in entities.items()
    )


def is_addressed(message: Message, username: str, bot_id: int) -> bool:
    """True in private chats, and in groups for a mention of the bot or a reply to one of its messages."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    return _mentions(message, username, bot_id)


def without_mention(text: str, username: str) -> str:
    """The text with the bot's @mention removed, e.g. "@wissenslotse_bot Wer leitet…" → "Wer leitet…"."""
    return " ".join(re.sub(rf"(?i)@{re.escape(username)}\b[,:]?", " ", text).split())
