"""The German texts only the Telegram front sends (its commands, menus, token help); the texts all
fronts share are in bot/texts.py and re-exported here for the handlers."""
from __future__ import annotations

from html import escape

from ...texts import (  # noqa: F401  re-exported for the handlers
    ADMIN_ONLY, NON_TEXT, NO_LAST_ANSWER, NO_SOURCES, FEEDBACK_THANKS, STALE_BUTTON, NOT_ALLOWED_BUTTON,
    SOMETHING_WENT_WRONG, REINDEX_STARTED, REINDEX_RUNNING, rate_limited, ONBOARDING_OFFER,
    HANDOFF_AFTER_THUMBS_DOWN, HANDOFF_CANCELLED, ANSWER_TEXT_ONLY, handoff_consent, NO_PENDING_REVIEWS,
    REVIEW_EDIT_PROMPT, REVIEW_GONE, REVIEW_ACCESS_PROMPT, review_done, review_blocks,
)

NO_TOKEN_HELP = """\
Für den Telegram-Bot fehlt das Bot-Token.

So bekommen Sie eines:
  1. In Telegram den @BotFather öffnen und /newbot senden.
  2. Namen und Benutzernamen (endet auf „bot“) vergeben; BotFather nennt das Token.
  3. Das Token als Umgebungsvariable setzen: export TELEGRAM_BOT_TOKEN="123456:ABC…"
     (oder in der Konfiguration unter [telegram] token = "…").

Ohne Telegram können Sie den Wissenslotsen im Terminal nutzen: lotse chat"""

# (command, description) for setMyCommands: the menu for everyone, and the extra one for admins.
COMMANDS: list[tuple[str, str]] = [
    ("frage", "Eine Frage an die Wissensbasis stellen"),
    ("quellen", "Alle Quellen der letzten Antwort zeigen"),
    ("onboarding", "Ihr Onboarding-Pfad für den Einstieg"),
    ("hilfe", "Kurze Anleitung"),
    ("start", "Begrüßung und Überblick"),
]
ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("status", "Index, Nutzung und Onboarding anzeigen"),
    ("reindex", "Wissensbasis neu einlesen"),
    ("pruefen", "Antworten von Expert:innen prüfen"),
    ("luecken", "Wissenslücken: häufige offene Fragen"),
]

HOW_TO_ASK = (
    "<b>So fragen Sie:</b>\n"
    "• Im Einzelchat schreiben Sie Ihre Frage einfach als Nachricht, z. B. "
    "<i>Wer leitet die SCIU?</i> oder <i>Wie richte ich das VPN ein?</i>\n"
    "• In Gruppen erwähnen Sie mich ({mention}), antworten auf eine meiner Nachrichten "
    "oder schreiben /frage und Ihre Frage.\n"
    "• /quellen zeigt alle Quellen der letzten Antwort, 👍/👎 unter einer Antwort hilft uns, "
    "besser zu werden.\n"
    "• Weiß ich etwas nicht sicher, leite ich Ihre Frage auf Wunsch an eine Expertin oder einen "
    "Experten weiter – die Antwort bekommen Sie dann hier.\n"
    "• Neu in der SCIU? /onboarding führt Sie Schritt für Schritt durch Ihre ersten Tage.\n"
    "• Vertrauliche Dokumente zeige ich nur im Einzelchat und nur Berechtigten."
)


def welcome(first_name: str, documents: int | None, mention: str) -> str:
    """The /start text: greeting, what the bot knows, how to ask."""
    known = f"{documents} Dokumenten" if documents else "den Dokumenten"
    return (
        f"Guten Tag, {escape(first_name)}! Ich bin der <b>Wissenslotse</b> der "
        "Smart City Innovation Unit Bochum.\n\n"
        f"Ich beantworte Fragen aus {known} der SCIU-Wissensbasis: Onboarding, Zugänge und "
        "Geräte, Projekte, Strategie, Anleitungen, Termine und Ansprechpersonen. Zu jeder Antwort "
        "nenne ich die Quellen mit Stand und Ansprechperson.\n\n" + HOW_TO_ASK.format(mention=escape(mention))
    )


def help_text(mention: str, admin: bool) -> str:
    """The /hilfe text; admins also see their commands."""
    text = HOW_TO_ASK.format(mention=escape(mention))
    if admin:
        text += "\n\n<b>Für Admins:</b>\n" + "\n".join(f"/{name} – {label}" for name, label in ADMIN_COMMANDS)
    return text


def refusal(user_id: int | None) -> str:
    """Polite refusal for someone not on the allow list; includes the id an admin needs."""
    return (
        "Entschuldigung, Sie sind für den Wissenslotsen noch nicht freigeschaltet.\n"
        f"Ihre Telegram-ID lautet <code>{escape(str(user_id))}</code>. Bitte nennen Sie diese ID "
        "einer Administratorin oder einem Administrator des SCIU-Teams, dann kann man Sie freischalten."
    )


UNKNOWN_COMMAND = "Diesen Befehl kenne ich nicht. Eine Übersicht gibt es mit /hilfe."
ONBOARDING_PRIVATE_ONLY = "Das Onboarding begleite ich im Einzelchat – schreiben Sie mir dort einfach /onboarding."
