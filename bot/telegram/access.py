"""Who may use the bot: allowed users, allowed chats and admins (who are always allowed)."""
from __future__ import annotations

from dataclasses import dataclass

from ..config import TelegramSettings


@dataclass(frozen=True)
class AccessPolicy:
    """The allow lists from the configuration; everyone not on them is politely refused."""

    users: frozenset[int]
    chats: frozenset[int]
    admins: frozenset[int]

    @classmethod
    def from_settings(cls, settings: TelegramSettings) -> AccessPolicy:
        return cls(frozenset(settings.allowed_users), frozenset(settings.allowed_chats), frozenset(settings.admins))

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    def admits(self, user_id: int | None, chat_id: int | None) -> bool:
        """True for admins, allowed users anywhere, and anyone in an allowed chat."""
        return self.is_admin(user_id) or (user_id is not None and user_id in self.users) or (
            chat_id is not None and chat_id in self.chats
        )

    @property
    def closed(self) -> bool:
        """Nobody but admins can use the bot (worth a warning at start)."""
        return not (self.users or self.chats)
