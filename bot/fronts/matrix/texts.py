"""The German texts only the Matrix front sends (its !-commands, Matrix IDs, encryption, reactions);
the texts all fronts share are in bot/texts.py. HTML, already escaped."""
from __future__ import annotations

from html import escape

from ...core import Answer
from ...phrases import label

ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("status", "Index, Nutzung, Onboarding und Weiterleitungen anzeigen"),
    ("reindex", "Wissensbasis neu einlesen (mit Fortschritt)"),
    ("luecken", "Wissenslücken: häufige offene Fragen"),
    ("pruefen", "Antworten von Expert:innen prüfen (!freigeben N, !verwerfen N)"),
]

HOW_TO_ASK = (
    "<b>So fragen Sie:</b>\n"
    "• Im Direktchat schreiben Sie Ihre Frage einfach als Nachricht, z. B. <i>Wer leitet die SCIU?</i>\n"
    "• In Räumen erwähnen Sie mich ({mention}) oder schreiben <code>!frage</code> und Ihre Frage.\n"
    "• <code>!quellen</code> zeigt alle Quellen der letzten Antwort. Reagieren Sie mit 👍 oder 👎 auf eine "
    "Antwort – das hilft uns, besser zu werden.\n"
    "• Weiß ich etwas nicht sicher, leite ich Ihre Frage mit <code>!weiterleiten</code> an eine Expertin oder "
    "einen Experten weiter – die Antwort bekommen Sie dann hier.\n"
    "• Neu in der SCIU? <code>!onboarding</code> führt Sie im Direktchat Schritt für Schritt durch Ihre ersten Tage.\n"
    "• Vertrauliche Dokumente zeige ich nur im Direktchat und nur Berechtigten.\n"
    "(Befehle gehen mit ! oder, wo Ihr Client es erlaubt, mit /.)"
)


def greeting(mention: str) -> str:
    """After the bot joined a room."""
    return ("Guten Tag! Ich bin der <b>Wissenslotse</b> der Smart City Innovation Unit Bochum und beantworte "
            "Fragen aus der SCIU-Wissensbasis – mit Quellen, Stand und Ansprechperson.\n\n"
            + HOW_TO_ASK.format(mention=escape(mention)))


def help_text(mention: str, admin: bool) -> str:
    """!hilfe; admins also see their commands."""
    text = HOW_TO_ASK.format(mention=escape(mention))
    if admin:
        text += "\n\n<b>Für Admins:</b>\n" + "\n".join(f"<code>!{name}</code> – {label}" for name, label in ADMIN_COMMANDS)
    return text


def refusal(user_id: str) -> str:
    """Polite refusal for someone not on the allow list; includes the id an admin needs."""
    return ("Entschuldigung, Sie sind für den Wissenslotsen noch nicht freigeschaltet.\n"
            f"Ihre Matrix-ID lautet <code>{escape(user_id)}</code>. Bitte nennen Sie diese ID einer Administratorin "
            "oder einem Administrator des SCIU-Teams, dann kann man Sie freischalten.")


UNKNOWN_COMMAND = "Diesen Befehl kenne ich nicht. Eine Übersicht gibt es mit <code>!hilfe</code>."
ONBOARDING_PRIVATE_ONLY = ("Das Onboarding begleite ich im Direktchat – schreiben Sie mir dort einfach "
                           "<code>!onboarding</code>.")
ENCRYPTED = (
    "🔒 <b>Dieser Raum ist Ende-zu-Ende-verschlüsselt – verschlüsselte Nachrichten kann ich nicht lesen.</b> "
    "Bitte schreiben Sie mir in einem unverschlüsselten Direktchat: in Element beim Anlegen des Chats "
    "„Ende-zu-Ende-Verschlüsselung aktivieren“ ausschalten (bei Direktnachrichten: über „Raum erstellen“). "
    "Warum das so ist, steht in der Anleitung des Wissenslotsen."
)
UNDECRYPTABLE = (
    "🔒 Diese Nachricht konnte ich nicht entschlüsseln – mir fehlt der Schlüssel dazu. Bitte senden Sie sie "
    "noch einmal; hilft das nicht, erlauben Sie in Element das Senden an nicht verifizierte Sitzungen."
)
NO_DEVICE = "Das Matrix-Zugangstoken gehört zu keiner Sitzung (Gerät), Verschlüsselung ist so nicht möglich: {error}"
HANDOFF_CHOICES = ("Antworten Sie mit <b>1</b> – mit meinem Namen, <b>2</b> – anonym, oder <b>0</b> – abbrechen.")
NO_HANDOFF_QUESTION = "Es gibt hier noch keine Antwort von mir, die ich weiterleiten könnte."
NOT_AN_ADMIN_ENTRY = "Bitte geben Sie die Nummer des Eintrags an, z. B. <code>!freigeben 3</code>."


def answer_footer(answer: Answer) -> str:
    """What can be done with an answer, as text (Matrix has no buttons): reactions and commands."""
    language = answer.language
    hints = [label("reaction_hint", language)] if answer.question_id is not None and "feedback" in answer.actions else []
    if answer.more_sources:
        hints.append(f"<code>!quellen</code> – {label('sources_hint', language)}")
    if "handoff" in answer.actions:
        hints.append(f"<code>!weiterleiten</code> – {label('handoff_hint', language)}")
    return f"<i>{' · '.join(hints)}</i>" if hints else ""


def review_footer(number: int) -> str:
    return f"<code>!freigeben {number}</code> · <code>!verwerfen {number}</code>"


def setup_help(missing: list[str]) -> str:
    """Why `lotse bot --front matrix` cannot start: which settings are missing and how to get them."""
    return (f"Für den Matrix-Bot fehlt: {', '.join(f'[matrix] {name}' for name in missing)}.\n\n"
            "So richten Sie ihn ein:\n"
            "  1. Ein Konto für den Bot anlegen (z. B. @wissenslotse:bochum.de), in Element anmelden.\n"
            "  2. Zugangstoken holen: Element → Einstellungen → Hilfe & Info → Zugangstoken.\n"
            "  3. export MATRIX_ACCESS_TOKEN=\"syt_…\" und in der Konfiguration [matrix] homeserver und user_id setzen.\n\n"
            "Ohne Matrix können Sie den Wissenslotsen im Terminal nutzen: lotse chat")
