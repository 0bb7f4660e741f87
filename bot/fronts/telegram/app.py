"""The Application factory and the bot's entry point (long polling or webhook)."""
from __future__ import annotations

import hashlib
import importlib.util
import logging
from typing import Any
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, Defaults, MessageHandler, TypeHandler, filters)

from ...clock import Clock, utc_now
from ...config import Config, TelegramSettings
from ...core import ChatCore
from ... import periodic
from ...exchange import KnowledgeExchange, build_exchange
from ..startup import warmed_core
from . import admin, buttons, conversation, handoff, menus, onboarding, review, texts
from .commands import admin_menu_on_first_contact, register_commands
from ...access import AccessPolicy
from ...ids import TELEGRAM
from .context import SERVICES_KEY, LotseContext, Services
from .sending import TelegramMessenger
from ...ratelimit import SlidingWindowLimiter

log = logging.getLogger(__name__)
CONCURRENT_UPDATES = 8  # answers for different people do not wait for each other
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]  # all the bot reacts to

NON_TEXT = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
            | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
            | filters.CONTACT | filters.POLL)


class BotSetupError(Exception):
    """The bot cannot start as configured; the message (German) says what to change."""


def build_application(config: Config, core: ChatCore, clock: Clock = utc_now,
                      exchange: KnowledgeExchange | None = None) -> Application:
    """The bot's Application: token and Bot API server from `config`, every handler registered, and
    the periodic hand-off check (reminders, deadlines) on the JobQueue; `clock` is injectable for tests."""
    if not config.telegram.token:
        raise BotSetupError(texts.NO_TOKEN_HELP)
    application = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(ContextTypes(context=LotseContext))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(register_commands)
        .build()
    )
    telegram = config.telegram
    access = AccessPolicy.from_lists(TELEGRAM, telegram.allowed_users, telegram.allowed_chats, telegram.admins)
    services = Services(config, core, access,
                        SlidingWindowLimiter(config.telegram.rate_limit_per_minute, 60.0),
                        exchange or build_exchange(core, clock))
    services.flows = TelegramMessenger(application.bot)
    application.bot_data[SERVICES_KEY] = services
    if services.access.closed:
        log.warning("Keine allowed_users/allowed_chats konfiguriert: nur Admins erhalten Antworten.")

    messages = filters.UpdateType.MESSAGE  # edited messages are not asked again
    # Before the normal handlers: give an admin their command menu, learn experts' ids, take an
    # admin's edited FAQ answer (or access), take an expert's reply to a hand-off. The latter two
    # stop further handling when they apply.
    application.add_handler(TypeHandler(Update, handoff.learn_expert), group=-3)
    application.add_handler(TypeHandler(Update, admin_menu_on_first_contact), group=-4)
    application.add_handler(MessageHandler(messages & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
                                           review.edited_answer), group=-2)
    application.add_handler(MessageHandler(messages & filters.REPLY, handoff.expert_reply), group=-1)
    application.add_handlers([
        CommandHandler("start", conversation.start, messages),
        CommandHandler("onboarding", onboarding.onboarding_command, messages),
        CommandHandler(["hilfe", "help"], conversation.hilfe, messages),
        CommandHandler("frage", conversation.frage, messages),
        CommandHandler("quellen", conversation.quellen, messages),
        CommandHandler("status", admin.status, messages),
        CommandHandler("reindex", admin.reindex, messages),
        CommandHandler("pruefen", review.pruefen, messages),
        CommandHandler("luecken", admin.luecken, messages),
        MessageHandler(messages & filters.COMMAND, conversation.unknown_command),
        MessageHandler(messages & filters.TEXT, conversation.text_message),
        MessageHandler(messages & NON_TEXT, conversation.non_text),
        CallbackQueryHandler(conversation.feedback_button, pattern=buttons.is_feedback),
        CallbackQueryHandler(conversation.more_sources_button, pattern=buttons.is_more),
        CallbackQueryHandler(handoff.handoff_button, pattern=buttons.is_handoff),
        CallbackQueryHandler(handoff.consent_button, pattern=buttons.is_consent),
        CallbackQueryHandler(onboarding.onboarding_button, pattern=menus.is_onboarding),
        CallbackQueryHandler(review.review_button, pattern=menus.is_review),
        CallbackQueryHandler(conversation.stale_button),
    ])
    application.add_error_handler(on_error)
    schedule_checks(application, config)
    return application


def schedule_checks(application: Application, config: Config) -> None:
    """Run the retention purge daily and the hand-off check (reminders, deadlines, pending re-index) every
    few seconds or minutes."""
    if application.job_queue is None:
        log.warning("Ohne python-telegram-bot[job-queue] werden alte Daten nur beim Start gelöscht und es gibt "
                    "keine Erinnerungen und Fristen für Weiterleitungen.")
        return
    application.job_queue.run_repeating(purge_old_data, interval=periodic.RETENTION_INTERVAL, first=periodic.RETENTION_INTERVAL,
                                        name="retention")
    if not config.handoff.enabled:
        return
    interval = config.handoff.check_interval_seconds
    application.job_queue.run_repeating(handoff.check_due, interval=interval, first=interval, name="handoff-check")


async def purge_old_data(context: LotseContext) -> None:
    """The daily job: bot.periodic.purge_old_data."""
    await periodic.purge_old_data(context.lotse.core)


async def on_error(update: object, context: LotseContext) -> None:
    """Log every error in one place and, where possible, tell the person something went wrong."""
    log.error("Fehler bei der Bearbeitung eines Updates", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG)
        elif update.effective_message is not None:
            await update.effective_message.reply_html(texts.SOMETHING_WENT_WRONG)
    except TelegramError as error:  # e.g. the query was answered already or the chat is gone
        log.info("Fehlermeldung an den Nutzer nicht zugestellt: %s", error)


def webhook_options(settings: TelegramSettings) -> dict[str, Any]:
    """Arguments for run_webhook: listen here, serve the public URL's path, and check Telegram's
    secret header (derived from the token, so it needs no setting of its own)."""
    return {
        "listen": settings.listen, "port": settings.port, "webhook_url": settings.webhook_url,
        "url_path": urlsplit(settings.webhook_url).path.lstrip("/"),
        "secret_token": hashlib.sha256(settings.token.encode()).hexdigest(),
    }


def run_bot(config: Config) -> None:
    """Run the Telegram bot until interrupted: long polling, or a webhook if configured."""
    settings = config.telegram
    if settings.mode not in ("polling", "webhook"):
        raise BotSetupError(f"[telegram] mode muss „polling“ oder „webhook“ sein, nicht „{settings.mode}“.")
    if settings.mode == "webhook" and not settings.webhook_url:
        raise BotSetupError("Für mode = „webhook“ fehlt [telegram] webhook_url (die öffentliche HTTPS-Adresse).")
    if settings.mode == "webhook" and importlib.util.find_spec("tornado") is None:
        raise BotSetupError("Für den Webhook-Betrieb bitte python-telegram-bot[webhooks] installieren.")
    application = build_application(config, warmed_core(config, "/reindex"))
    if settings.mode == "webhook":
        application.run_webhook(**webhook_options(settings), allowed_updates=ALLOWED_UPDATES)
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
