"""Every fixed German text the Telegram bot sends, in one place (Telegram HTML, already escaped)."""
from __future__ import annotations

from html import escape

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
    ("hilfe", "Kurze Anleitung"),
    ("start", "Begrüßung und Überblick"),
]
ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("status", "Index und Nutzung anzeigen"),
    ("reindex", "Wissensbasis neu einlesen"),
]

HOW_TO_ASK = (
    "<b>So fragen Sie:</b>\n"
    "• Im Einzelchat schreiben Sie Ihre Frage einfach als Nachricht, z. B. "
    "<i>Wer leitet die SCIU?</i> oder <i>Wie richte ich das VPN ein?</i>\n"
    "• In Gruppen erwähnen Sie mich ({mention}), antworten auf eine meiner Nachrichten "
    "oder schreiben /frage und Ihre Frage.\n"
    "• /quellen zeigt alle Quellen der letzten Antwort, 👍/👎 unter einer Antwort hilft uns, "
    "besser zu werden.\n"
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


ADMIN_ONLY = "Dieser Befehl ist nur für Administratorinnen und Administratoren des Wissenslotsen gedacht."
NON_TEXT = (
    "Danke! Ich kann leider nur Textnachrichten lesen – Bilder, Sticker, Sprachnachrichten und "
    "Dateien verstehe ich nicht. Bitte schreiben Sie mir Ihre Frage als Text."
)
UNKNOWN_COMMAND = "Diesen Befehl kenne ich nicht. Eine Übersicht gibt es mit /hilfe."
NO_LAST_ANSWER = (
    "Hier habe ich noch keine Antwort an Sie, zu der ich Quellen zeigen könnte. Fragen Sie einfach los, "
    "z. B. <i>Wer leitet die SCIU?</i> (Quellen aus vertraulichen Dokumenten zeige ich nur im Einzelchat.)"
)
NO_SOURCES = "Zur letzten Antwort gibt es keine Quellen."
FEEDBACK_THANKS = {True: "Danke für Ihr 👍!", False: "Danke für Ihr Feedback – wir kümmern uns darum."}
STALE_BUTTON = "Diese Schaltfläche ist nicht mehr aktuell. Bitte stellen Sie die Frage einfach noch einmal."
NOT_ALLOWED_BUTTON = "Sie sind für den Wissenslotsen noch nicht freigeschaltet."
SOMETHING_WENT_WRONG = (
    "Entschuldigung, da ist bei mir etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal."
)
REINDEX_STARTED = "🔄 Neuindizierung gestartet …"
REINDEX_RUNNING = "Es läuft bereits eine Neuindizierung. Ich melde mich, sobald sie fertig ist."
REINDEX_FAILED = "❌ Die Neuindizierung ist fehlgeschlagen. Details stehen im Protokoll des Bots."


def rate_limited(seconds: float) -> str:
    """Reply when someone asks more often than the per-minute limit allows."""
    wait = max(1, round(seconds))
    return (
        f"Sie haben in kurzer Zeit sehr viele Fragen gestellt. Bitte warten Sie etwa {wait} "
        f"Sekunde{'n' if wait != 1 else ''} und fragen Sie dann erneut."
    )
