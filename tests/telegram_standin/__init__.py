"""Local stand-in for the Telegram Bot API HTTP server, for end-to-end tests of PTB bots.

Serves ``/bot<token>/<method>`` on 127.0.0.1 from a background thread, answers with
objects shaped like the real API, records every call, and lets tests queue updates
(messages, callback queries) that the bot receives through ``getUpdates``.
Stdlib only; :func:`run_polling` lazily uses python-telegram-bot's Application.

Modules: ``records`` (Call, ApiError), ``html`` (Telegram's HTML rules), ``http`` (the
server layer), ``state``/``users``/``api``/``standin`` (the fake Bot API, split by side),
``runner`` (run_polling).
"""

from .html import auto_entities, parse_html
from .records import BLOCKED, JSON, MAX_TEXT, ApiError, Call
from .runner import run_polling
from .standin import StandIn

__all__ = ["BLOCKED", "JSON", "MAX_TEXT", "ApiError", "Call", "StandIn", "auto_entities",
           "parse_html", "run_polling"]
