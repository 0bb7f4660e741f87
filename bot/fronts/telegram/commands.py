"""The command menus (setMyCommands): everyone's at start-up, and each admin's own in their private
chat. Telegram refuses a chat scope for a chat the admin has never opened ("chat not found"), so an
admin whose menu could not be set at start-up gets it with their first message to the bot."""
from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application

from . import texts
from ... import ids
from .context import SERVICES_KEY, LotseContext, Services, prefixed

log = logging.getLogger(__name__)


def _everyone() -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in texts.COMMANDS]


async def _set_admin_menu(application: Application, services: Services, admin_id: str) -> bool:
    """Publish the admin menu in `admin_id`'s private chat; remembers success, False on refusal."""
    commands = _everyone() + [BotCommand(name, text) for name, text in texts.ADMIN_COMMANDS]
    chat = ids.telegram_id(admin_id)
    if chat is None:
        return False
    try:
        await application.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat))
    except TelegramError as error:  # e.g. the admin has never opened a chat with the bot
        log.info("Admin-Befehlsmenü für %s noch nicht gesetzt (%s); folgt mit der ersten Nachricht", admin_id, error)
        return False
    services.admin_menus.add(admin_id)
    return True


async def register_commands(application: Application) -> None:
    """At start-up: the German menu for everyone, and the admin menu for every configured admin
    whose chat Telegram knows."""
    await application.bot.set_my_commands(_everyone())
    services: Services = application.bot_data[SERVICES_KEY]
    for admin_id in services.access.admins:
        await _set_admin_menu(application, services, admin_id)


async def admin_menu_on_first_contact(update: Update, context: LotseContext) -> None:
    """Every update: an admin writing in private whose menu is not set yet gets it now."""
    user, chat, services = update.effective_user, update.effective_chat, context.lotse
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    admin = prefixed(user.id)
    if services.access.is_admin(admin) and admin not in services.admin_menus:
        await _set_admin_menu(context.application, services, admin)
