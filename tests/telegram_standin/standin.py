"""The public StandIn: lifecycle, failure injection and the test side (recorded calls, waits)."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable

from .api import BotApi
from .http import Server
from .records import BLOCKED, JSON, Call, Failure
from .users import UserSide


class StandIn(UserSide, BotApi):
    """Fake Telegram Bot API server. Use as a context manager; all methods are thread-safe.

    ``StandIn(token, bot_username, *, bot_first_name, validate_html, strict_html,
    max_poll_wait)``; ``base_url`` is what PTB's ``ApplicationBuilder().base_url`` takes.
    """

    # --- lifecycle -------------------------------------------------------------------
    def start(self) -> StandIn:
        """Bind 127.0.0.1 on a free port and serve from a background thread."""
        self._stopping = False
        self._server = Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="telegram-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release blocked long polls, stop serving and join all server threads."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._server and self._thread:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``; PTB appends the token itself."""
        assert self._server, "StandIn is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # --- failure injection -----------------------------------------------------------
    def block_chat(self, chat_id: int | str, description: str = BLOCKED) -> None:
        """Make send*/copy*/forward* calls to ``chat_id`` fail with 403 Forbidden."""
        with self._cond:
            self._blocked[chat_id] = description

    def unblock_chat(self, chat_id: int | str) -> None:
        """Undo :meth:`block_chat`."""
        with self._cond:
            self._blocked.pop(chat_id, None)

    def fail(self, method: str, description: str = "Bad Request: can't parse entities: "
             "injected failure", status: int = 400, *, times: int | None = 1,
             chat_id: int | str | None = None, parameters: JSON | None = None) -> None:
        """Make the next ``times`` calls of ``method`` (None: all) fail with this error.

        ``parameters={"retry_after": 3}`` with status 429 simulates flood control.
        """
        with self._cond:
            self._failures.append(Failure(method.lower(), status, description, chat_id,
                                          times, parameters))

    # --- inspection (the "test" side) --------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        """All recorded calls in order, optionally only those of ``method``."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def mark(self) -> int:
        """Number of calls so far; pass as ``since`` to :meth:`wait_for` to skip older calls."""
        with self._cond:
            return len(self._calls)

    def wait_for(self, predicate: Callable[[Call], bool] | str, timeout: float = 30.0,
                 since: int = 0) -> Call:
        """Block until a call (index >= since) matches; a str predicate matches the method."""
        match = (lambda c: c.method == predicate) if isinstance(predicate, str) else predicate
        found: list[Call] = []

        def check() -> bool:
            found.extend(c for c in self._calls[since:] if match(c))
            return bool(found)

        with self._cond:
            if self._cond.wait_for(check, timeout):
                return found[0]
            recent = [c for c in self._calls if c.method != "getUpdates"][-15:]
        lines = "\n".join(f"  {c.method} [{c.status}] {c.params}" for c in recent) or "  (none)"
        raise AssertionError(f"no matching Bot API call within {timeout}s; recent calls:\n{lines}")

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[str]:
        """Command names of the menu currently set for ``scope`` (default scope if None)."""
        key = json.dumps([scope or {"type": "default"}, language_code], sort_keys=True)
        with self._cond:
            return [c["command"] for c in self._commands.get(key, [])]

    def messages_to(self, chat_id: int) -> list[str]:
        """Texts of successful sendMessage calls to ``chat_id`` as sent (before parsing)."""
        return [c.params.get("text", "") for c in self.calls("sendMessage")
                if c.status == 200 and c.params.get("chat_id") == chat_id]

    def message(self, chat_id: int, message_id: int) -> JSON:
        """Current state of a stored message (reflects edits), as a copy."""
        with self._cond:
            return copy.deepcopy(self._stored(chat_id, message_id))

    def pending_updates(self) -> int:
        """Queued updates the bot has not confirmed yet via getUpdates offset."""
        with self._cond:
            return len(self._updates)
