"""The boundary between the front-neutral conversation and a messenger: what a front must offer so
the hand-off flow (bot.handoff_flow) and other core-driven messages can reach people.

A front implements `Messenger` over its client library; everything it sends is chat HTML built
from self-contained blocks (bot.html_blocks), which the front packs to its own message limit.
"""
from __future__ import annotations

from typing import Protocol

from .ids import front_of


class Unreachable(Exception):
    """The chat cannot be reached: blocked the bot, never started it, gone, or on another front."""


class Messenger(Protocol):
    """Sending on one front; chat and message ids are prefixed strings (bot.ids)."""

    front: str  # e.g. "telegram", "matrix"

    def reaches(self, chat_id: str) -> bool:
        """Whether `chat_id` is on a front this messenger sends to."""
        ...

    async def send(self, chat_id: str, blocks: list[str], answer_here: bool = False) -> str:
        """Send HTML `blocks` (packed into as few messages as fit) to a chat; `answer_here` asks the
        reader to reply to the last message (the hand-off question). Returns the last message's id;
        raises Unreachable."""
        ...


class Messengers:
    """Several fronts' messengers as one, for fronts running in one process: each chat id goes to its
    own front, so a question asked in Telegram can be handed to an expert on Matrix and back."""

    def __init__(self, *messengers: Messenger) -> None:
        self.by_front = {messenger.front: messenger for messenger in messengers}
        self.front = "+".join(self.by_front)

    def reaches(self, chat_id: str) -> bool:
        return front_of(chat_id) in self.by_front

    async def send(self, chat_id: str, blocks: list[str], answer_here: bool = False) -> str:
        messenger = self.by_front.get(front_of(chat_id))
        if messenger is None:
            raise Unreachable(f"kein Messenger für {chat_id}")
        return await messenger.send(chat_id, blocks, answer_here)
