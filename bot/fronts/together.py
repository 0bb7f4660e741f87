"""Telegram and Matrix in one process: one chat core, one knowledge exchange, one periodic check, and
hand-offs across fronts (a question from Telegram can go to an expert on Matrix and back)."""
from __future__ import annotations

import asyncio

from ..config import Config
from ..core import ChatCore
from ..exchange import build_exchange
from ..front import Messengers
from .matrix import MatrixBot
from .matrix.app import check_settings
from .startup import warmed_core
from .telegram import BotSetupError, build_application, register_commands
from .telegram.app import ALLOWED_UPDATES
from .telegram.context import SERVICES_KEY
from .telegram.sending import TelegramMessenger
from .telegram.texts import NO_TOKEN_HELP


async def serve_together(config: Config, core: ChatCore, poll_timeout: int = 10) -> None:
    """Run both fronts on this event loop until cancelled. Telegram's JobQueue runs the periodic work
    for both, through a messenger that reaches either front."""
    exchange = build_exchange(core)
    application = build_application(config, core, exchange=exchange)
    matrix = MatrixBot(config, core, exchange=exchange, periodic=False)
    flows = Messengers(TelegramMessenger(application.bot), matrix.lotse.messenger)
    application.bot_data[SERVICES_KEY].flows = flows
    matrix.lotse.flows = flows
    async with application:
        await register_commands(application)
        await application.start()
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=poll_timeout)
        try:
            await matrix.run()
        finally:
            await application.updater.stop()
            await application.stop()
            await matrix.close()


def run_together(config: Config) -> None:
    """`lotse bot --front telegram --front matrix`: both fronts until interrupted."""
    if not config.telegram.token:
        raise BotSetupError(NO_TOKEN_HELP)
    check_settings(config.matrix)
    core = warmed_core(config, "/reindex bzw. !reindex")
    try:
        asyncio.run(serve_together(config, core))
    except KeyboardInterrupt:
        pass
