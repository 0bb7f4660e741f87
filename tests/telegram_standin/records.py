"""Records shared by the stand-in's modules: recorded calls, API errors, injected failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]
MAX_TEXT = 4096
BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass(frozen=True)
class Call:
    """One recorded Bot API request; ``result`` holds the result or the error description."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200
    result: Any = None


class ApiError(Exception):
    """An error answer (``ok: false``) with HTTP status and Telegram-style description."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Failure:
    """An injected error for ``method`` (optionally only for ``chat_id``); None = forever."""

    method: str
    status: int
    description: str
    chat_id: int | str | None
    remaining: int | None
    parameters: JSON | None
