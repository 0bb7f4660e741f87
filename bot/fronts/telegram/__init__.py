"""The Telegram front end of Wissenslotse (python-telegram-bot v22, asyncio).

    from bot.fronts.telegram import run_bot
    run_bot(load_config())   # long polling, or a webhook if [telegram] mode = "webhook"

Modules: app (factory, entry point, error handler, periodic hand-off check), conversation and
admin (handlers), onboarding, handoff and review (the knowledge-exchange handlers), gate (access,
admin, rate limit), addressing (groups), render, buttons and menus (Answer → HTML, keyboards),
sending, progress, ratelimit, access, context, usage, texts, commands (the command menus).
"""
from .app import BotSetupError, build_application, run_bot
from .commands import register_commands
from .texts import NO_TOKEN_HELP

__all__ = ["NO_TOKEN_HELP", "BotSetupError", "build_application", "register_commands", "run_bot"]
