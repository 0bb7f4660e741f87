"""A per-user sliding-window rate limit: at most `limit` questions in any `window` seconds."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable, Hashable


class SlidingWindowLimiter:
    """Counts each key's recent hits; the clock is injectable so tests need no sleeping.

    A limit of 0 or less switches limiting off. Used from the event loop only (not thread-safe).
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[Hashable, deque[float]] = {}

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        hits = self._hits.get(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def retry_after(self, key: Hashable) -> float:
        """Seconds until `key` may act again (0.0 when it may act now)."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        hits = self._recent(key, now)
        return 0.0 if len(hits) < self.limit else hits[0] + self.window - now

    def hit(self, key: Hashable) -> float:
        """Record an action and return 0.0 if allowed; otherwise record nothing and return the wait."""
        wait = self.retry_after(key)
        if wait > 0 or self.limit <= 0:
            return wait
        now = self.clock()
        self._hits[key] = hits = self._recent(key, now)
        hits.append(now)
        if len(self._hits) > 1000:  # forget idle users, so memory stays bounded by active ones
            self._hits = {k: h for k, h in self._hits.items() if self._recent(k, now)}
        return 0.0
