"""The boundary between the front-neutral conversation and a messenger: what a front must offer so
the hand-off flow (bot.handoff_flow) and other core-driven messages can reach people.

A front implements `Messenger` over its client library; everything it sends is chat HTML built
from self-contained blocks (bot.html_blocks), which the front packs to its own message limit.
"""
from __future__ import annotations

from typing import Protocol


class Unreachable(Exception):
    """The chat cannot be reached: blocked the bot, never started it, gone, or on another front."""


class Messenger(Protocol):
    """Sending on one front; chat and message ids are prefixed strings (bot.ids)."""

    front: str  # e.g. "telegram", "matrix"

    async def send(self, chat_id: str, blocks: list[str], answer_here: bool = False) -> str:
        """Send HTML `blocks` (packed into as few messages as fit) to a chat; `answer_here` asks the
        reader to reply to the last message (the hand-off question). Returns the last message's id;
        raises Unreachable."""
        ...
