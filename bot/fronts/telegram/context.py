"""What every handler needs (core, access, limiter, knowledge exchange, reindex state) and the typed
context carrying it.

Follows python-telegram-bot's ``contexttypesbot`` example: a CallbackContext subclass with a
typed property instead of string lookups in ``bot_data`` all over the handlers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackContext, ExtBot

from ...config import Config
from ...core import Asker, ChatCore
from ...exchange import KnowledgeExchange
from ...front import Messenger
from ...ids import TELEGRAM, qualify
from ...access import AccessPolicy
from ...ratelimit import SlidingWindowLimiter

SERVICES_KEY = "lotse"


def prefixed(value: int | None) -> str | None:
    """A Telegram user or chat id as the core and the stores know it ("telegram:123")."""
    return None if value is None else qualify(value, TELEGRAM)


@dataclass
class Services:
    """The bot's long-lived parts, created once in build_application."""

    config: Config
    core: ChatCore
    access: AccessPolicy
    limiter: SlidingWindowLimiter
    exchange: KnowledgeExchange
    reindexing: bool = False
    reindex_waiting: set[int] = field(default_factory=set)  # chats told "läuft bereits": they get the result too
    # admin id ("telegram:…") → (hand-off, "edit" | "access"): whose FAQ answer or access their next text sets
    editing: dict[str, tuple[int, str]] = field(default_factory=dict)
    admin_menus: set[str] = field(default_factory=set)  # admins ("telegram:…") whose command menu is set
    progress_interval: float = 1.5  # seconds between edits of the /reindex progress message
    # what the hand-off flow sends through: this bot, or every front running in this process
    flows: Messenger | None = None

    def asker(self, update: Update) -> Asker:
        """The Asker for an update; restricted documents only in private chats (a group may
        include people without access)."""
        user = update.effective_user
        user_id = user.id if user else 0
        chat = update.effective_chat
        private = chat is None or chat.type == ChatType.PRIVATE
        groups = frozenset(self.config.groups_of(user_id)) if private else frozenset()
        return Asker(qualify(user_id, TELEGRAM), user.first_name if user else "", groups, TELEGRAM)


class LotseContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext with typed access to the bot's Services."""

    @property
    def lotse(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]
