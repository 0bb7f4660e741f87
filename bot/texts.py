"""The fixed German texts every chat front sends, as HTML (Telegram's subset, which Matrix's
formatted_body also accepts), already escaped. Texts that name a messenger or its commands live
in the front's own texts module."""
from __future__ import annotations

from html import escape

from .faq_writer import ACCESS_TO_DECIDE, FaqEntry, may_read
from .html_blocks import text_blocks
ADMIN_ONLY = "Dieser Befehl ist nur für Administratorinnen und Administratoren des Wissenslotsen gedacht."
NON_TEXT = (
    "Danke! Ich kann leider nur Textnachrichten lesen – Bilder, Sticker, Sprachnachrichten und "
    "Dateien verstehe ich nicht. Bitte schreiben Sie mir Ihre Frage als Text."
)
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


def review_blocks(entry: FaqEntry, viewer_groups: frozenset[str]) -> list[str]:
    """A pending expert answer for review: head, then the text – a restricted answer's text only for an
    admin in one of its groups; others see who may read it."""
    head = review_head(entry.question, entry.author, entry.updated, entry.path, entry.access)
    body = text_blocks(entry.answer) if may_read(entry, viewer_groups) else [review_hidden(entry.access)]
    return [head, *body]
