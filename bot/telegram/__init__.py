"""The Telegram front end of Wissenslotse (python-telegram-bot v22, asyncio).

    from bot.telegram import run_bot
    run_bot(load_config())   # long polling, or a webhook if [telegram] mode = "webhook"

Modules: app (factory, entry point, error handler), conversation and admin (handlers), gate
(access, admin, rate limit), addressing (groups), render and buttons (Answer → HTML, keyboard),
sending, progress, ratelimit, access, context, usage, texts.
"""
from .app import BotSetupError, build_application, register_commands, run_bot
from .texts import NO_TOKEN_HELP

__all__ = ["NO_TOKEN_HELP", "BotSetupError", "build_application", "register_commands", "run_bot"]
