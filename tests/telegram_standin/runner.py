"""Runs a python-telegram-bot Application against the stand-in from a test thread."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def run_polling(application: Any, *, poll_timeout: int = 1,
                startup_timeout: float = 15.0) -> Iterator[asyncio.AbstractEventLoop]:
    """Run a PTB Application (initialize, start, poll) in its own event-loop thread.

    Yields that loop (for ``asyncio.run_coroutine_threadsafe(app.bot..., loop)``);
    on exit stops the updater and application and joins the thread.
    """
    ready, errors, holder = threading.Event(), list[BaseException](), dict[str, Any]()

    async def main() -> None:
        holder["loop"], holder["stop"] = asyncio.get_running_loop(), asyncio.Event()
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0, timeout=poll_timeout)
            ready.set()
            await holder["stop"].wait()
            await application.updater.stop()
            await application.stop()

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)
        finally:
            ready.set()

    def shutdown() -> None:
        if "stop" in holder:
            with contextlib.suppress(RuntimeError):  # loop already closed
                holder["loop"].call_soon_threadsafe(holder["stop"].set)
        thread.join(startup_timeout)

    thread = threading.Thread(target=target, name="ptb-application", daemon=True)
    thread.start()
    if not ready.wait(startup_timeout) or errors:
        shutdown()
        raise errors[0] if errors else RuntimeError("PTB application did not start in time")
    try:
        yield holder["loop"]
    finally:
        shutdown()
    if errors:
        raise errors[0]
