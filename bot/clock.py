"""The one source of "now" for reminders, deadlines and onboarding: injectable, so tests control time."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock: an aware datetime in UTC."""
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """A moment as stored in the interactions database (ISO 8601, seconds, UTC)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_stamp(value: str | None) -> datetime | None:
    """The inverse of `stamp`; None stays None."""
    return datetime.fromisoformat(value) if value else None


class ManualClock:
    """A clock that only moves when told to (for tests and simulations)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. ``clock.advance(hours=25)``; returns the new time."""
        self.now += timedelta(**delta)
        return self.now
