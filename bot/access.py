"""Who may use the bot: allowed users, allowed chats (or rooms) and admins (who are always allowed).

Front-neutral: every id is prefixed (bot.ids), so each front builds one policy from its own
section's lists and asks it with its own prefixed ids.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .ids import qualify


def _ids(values: Iterable[int | str], front: str) -> frozenset[str]:
    return frozenset(qualify(value, front) for value in values)


@dataclass(frozen=True)
class AccessPolicy:
    """The allow lists from the configuration; everyone not on them is politely refused."""

    users: frozenset[str]
    chats: frozenset[str]
    admins: frozenset[str]

    @classmethod
    def from_lists(cls, front: str, users: Iterable[int | str], chats: Iterable[int | str],
                   admins: Iterable[int | str]) -> AccessPolicy:
        """A policy from one front's configured lists (bare ids are that front's own)."""
        return cls(_ids(users, front), _ids(chats, front), _ids(admins, front))

    def is_admin(self, user_id: str | None) -> bool:
        return user_id is not None and user_id in self.admins

    def admits(self, user_id: str | None, chat_id: str | None) -> bool:
        """True for admins, allowed users anywhere, and anyone in an allowed chat."""
        return self.is_admin(user_id) or (user_id is not None and user_id in self.users) or (
            chat_id is not None and chat_id in self.chats
        )

    @property
    def closed(self) -> bool:
        """Nobody but admins can use the bot (worth a warning at start)."""
        return not (self.users or self.chats)
