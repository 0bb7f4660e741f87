"""What every Matrix handler needs: the bot's long-lived parts, its small conversation state, and one
incoming message as the handlers see it."""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field

from nio import MatrixRoom

from ...access import AccessPolicy
from ...config import Config
from ...core import Asker, ChatCore
from ...exchange import KnowledgeExchange
from ...front import Messenger
from ...ids import MATRIX, qualify
from ...ratelimit import SlidingWindowLimiter
from .messenger import MatrixMessenger

REMEMBERED = 2000  # answers whose reactions count, hand-off choices waiting


@dataclass
class Incoming:
    """A text message to the bot: who, where, the text (without a reply's quoted fallback), and
    what it replies to or mentions."""

    room: MatrixRoom
    event_id: str
    sender: str
    text: str
    formatted: str = ""
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()

    @property
    def direct(self) -> bool:
        """A room with only the bot and this person: restricted documents may be shown here."""
        return self.room.member_count <= 2

    @property
    def chat_id(self) -> str:
        return qualify(self.room.room_id, MATRIX)


@dataclass
class MatrixServices:
    """The Matrix bot's parts, created once in MatrixBot."""

    config: Config
    core: ChatCore
    exchange: KnowledgeExchange
    access: AccessPolicy
    limiter: SlidingWindowLimiter
    messenger: MatrixMessenger
    user_id: str  # the bot's own Matrix ID
    answers: OrderedDict[str, int] = field(default_factory=OrderedDict)  # answer event id → question id
    choosing: OrderedDict[tuple[str, str], int] = field(default_factory=OrderedDict)  # (user, room) → question id
    flows: Messenger | None = None  # what the hand-off flow sends through: this bot, or every front running here
    reindexing: bool = False
    background: set[asyncio.Task] = field(default_factory=set)  # e.g. a re-index run, kept until done
    progress_interval: float = 1.5

    def asker(self, message_sender: str, room: MatrixRoom) -> Asker:
        """The Asker; access groups only in a direct room (a room may include people without access)."""
        user_id = qualify(message_sender, MATRIX)
        groups = frozenset(self.config.groups_of(user_id)) if room.member_count <= 2 else frozenset()
        return Asker(user_id, room.user_name(message_sender) or message_sender, groups, MATRIX)

    def is_admin(self, sender: str) -> bool:
        return self.access.is_admin(qualify(sender, MATRIX))

    def admits(self, sender: str, room_id: str) -> bool:
        return self.access.admits(qualify(sender, MATRIX), qualify(room_id, MATRIX))

    def remember_answer(self, event_id: str, question_id: int) -> None:
        self.answers[event_id] = question_id
        while len(self.answers) > REMEMBERED:
            self.answers.popitem(last=False)

    def await_choice(self, sender: str, room_id: str, question_id: int) -> None:
        self.choosing[(sender, room_id)] = question_id
        while len(self.choosing) > REMEMBERED:
            self.choosing.popitem(last=False)
