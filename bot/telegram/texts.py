"""Every fixed German text the Telegram bot sends, in one place (Telegram HTML, already escaped)."""
from __future__ import annotations

from html import escape

from ..faq_writer import ACCESS_TO_DECIDE

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


# -- onboarding -------------------------------------------------------------------------------------
ONBOARDING_PRIVATE_ONLY = "Das Onboarding begleite ich im Einzelchat – schreiben Sie mir dort einfach /onboarding."
ONBOARDING_OFFER = (
    "\n\n🧭 <b>Neu in der SCIU?</b> Der Onboarding-Pfad führt Sie Schritt für Schritt durch Ihre ersten "
    "Tage. Zwischendurch können Sie mir jederzeit Fragen stellen."
)

# -- expert hand-off --------------------------------------------------------------------------------
HANDOFF_AFTER_THUMBS_DOWN = (
    "Das tut mir leid. Soll ich Ihre Frage an eine Expertin oder einen Experten weiterleiten? "
    "Die Antwort bekommen Sie dann hier im Chat."
)
HANDOFF_CANCELLED = "Alles klar, ich leite die Frage nicht weiter."
ANSWER_TEXT_ONLY = "Bitte antworten Sie mit einem Text – den gebe ich dann weiter."


def duration(hours: float) -> str:
    """24 → "1 Tag", 72 → "3 Tagen", 5 → "5 Stunden" (dative, as in "innerhalb von …")."""
    if hours >= 24 and hours % 24 == 0:
        days = int(hours // 24)
        return f"{days} Tag" if days == 1 else f"{days} Tagen"
    whole = f"{hours:g}".replace(".", ",")
    return f"{whole} Stunde" if hours == 1 else f"{whole} Stunden"


def handoff_consent(question: str, recipient: str) -> str:
    return (f"Ich leite Ihre Frage „{escape(question)}“ an <b>{escape(recipient)}</b> weiter.\n\n"
            "Darf ich Ihren Namen mitschicken, oder möchten Sie anonym bleiben?")


def handoff_sent(question: str, recipient: str, deadline_hours: float) -> str:
    return (f"✅ Ihre Frage „{escape(question)}“ ist an <b>{escape(recipient)}</b> weitergeleitet. Sobald eine "
            f"Antwort da ist, schicke ich sie Ihnen hier. Falls innerhalb von {duration(deadline_hours)} niemand "
            "antwortet, sage ich Ihnen Bescheid.")


def handoff_unreachable(contact: str) -> str:
    return (f"Leider konnte ich gerade niemanden erreichen, der Ihre Frage beantworten kann. Bitte wenden Sie "
            f"sich direkt an {escape(contact)}.")


_WHY = {
    "owner": "Sie sind als Ansprechperson für „{title}“ eingetragen, das am besten zur Frage passt.",
    "owner_untitled": "Sie sind als Ansprechperson für das Dokument eingetragen, das am besten zur Frage passt.",
    "topic": "Sie sind als Expertin oder Experte für dieses Thema hinterlegt.",
    "fallback": "Die zuständige Person ist nicht hinterlegt oder gerade nicht erreichbar.",
}


def expert_question(question: str, asker: str | None, kind: str, document_title: str) -> str:
    """The hand-off as the expert receives it."""
    who = f"von {escape(asker)}" if asker else "anonym gestellt"
    kind = "owner_untitled" if kind == "owner" and not document_title else kind
    why = escape(_WHY.get(kind, _WHY["fallback"]).format(title=document_title))
    return (f"📨 <b>Frage aus dem Wissenslotsen</b> ({who})\n\n„{escape(question)}“\n\n"
            f"Ich konnte sie nicht sicher aus der Wissensbasis beantworten. {why}\n\n"
            "Bitte <b>antworten Sie direkt auf diese Nachricht</b> (Antworten-Funktion). Ihre Antwort geht an die "
            "fragende Person und wird als FAQ-Eintrag gespeichert – bis zur Prüfung mit dem Hinweis "
            "„noch nicht geprüft“.")


def expert_reminder(question: str) -> str:
    return (f"⏰ <b>Erinnerung:</b> Diese Frage wartet noch auf Ihre Antwort:\n\n„{escape(question)}“\n\n"
            "Bitte antworten Sie direkt auf diese Nachricht. Vielen Dank!")


def expert_answer_head(question: str, author: str) -> str:
    """Above an expert's answer delivered to the asker (the answer follows in its own blocks)."""
    return f"💡 <b>Antwort von {escape(author)}</b> auf Ihre Frage „{escape(question)}“:"


UNREVIEWED_NOTE = "<i>Diese Antwort ist noch nicht vom SCIU-Team geprüft.</i>"


def expert_thanks(delivered: bool, indexed: bool) -> str:
    head = ("Danke! Ihre Antwort ist zugestellt" if delivered else
            "Danke! Die Frist für diese Frage war schon abgelaufen, die fragende Person bekommt die Antwort daher nicht mehr")
    tail = ("Ab sofort beantworte ich diese Frage selbst (bis zur Prüfung mit dem Hinweis „noch nicht geprüft“)."
            if indexed else "In die Suche wird sie in Kürze aufgenommen.")
    return f"{head} – und als FAQ-Eintrag gespeichert. {tail}"


def handoff_expired(question: str, contact: str) -> str:
    return (f"Leider hat auf Ihre Frage „{escape(question)}“ bisher niemand geantwortet. Entschuldigen Sie die "
            f"Wartezeit! Bitte wenden Sie sich direkt an {escape(contact)}.")


# -- review of expert answers ------------------------------------------------------------------------
NO_PENDING_REVIEWS = "Keine Antworten von Expert:innen warten auf Prüfung. 👍"
REVIEW_EDIT_PROMPT = "✏️ Bitte senden Sie mir jetzt den neuen Antworttext als nächste Nachricht."
REVIEW_GONE = "Diesen Eintrag gibt es nicht mehr."


REVIEW_ACCESS_PROMPT = ("🔒 Wer soll diese Antwort sehen? Bitte senden Sie die Gruppe(n), durch Komma getrennt, "
                        "oder „öffentlich“ für alle.")


def access_text(access: tuple[str, ...]) -> str:
    """Who sees an expert answer, as the reviewer reads it."""
    if not access:
        return "alle (öffentlich)"
    if ACCESS_TO_DECIDE in access:
        return ("noch festzulegen – die Quellen gehören zu Gruppen ohne gemeinsames Mitglied; "
                "bis dahin sieht niemand die Antwort")
    return "nur Gruppe " + ", ".join(access)


def review_hidden(access: tuple[str, ...]) -> str:
    """Instead of a restricted answer's text, for an admin outside its groups."""
    return (f"🔒 <i>Der Antworttext ist nur für Mitglieder der Gruppe {escape(', '.join(access))} sichtbar. "
            "Prüfen kann ihn ein Admin aus dieser Gruppe.</i>")


def review_head(question: str, author: str, updated: str, path: str, access: tuple[str, ...] = ()) -> str:
    """Above a pending expert answer in /pruefen (the answer follows in its own blocks)."""
    return (f"<b>Frage:</b> {escape(question)}\n<code>{escape(path)}</code>\n"
            f"<b>Zugriff:</b> {escape(access_text(access))}\n"
            f"<b>Antwort</b> von {escape(author)} (Stand {escape(updated)}):")


def review_done(action: str, question: str, indexed: bool) -> str:
    done = {"approve": "✅ Freigegeben", "reject": "🗑 Verworfen", "edit": "✏️ Neue Antwort gespeichert",
            "access": "🔒 Zugriff geändert"}[action]
    later = "" if indexed else " (die Suche übernimmt die Änderung in Kürze)"
    return f"{done}: „{escape(question)}“{later}"
