"""The core's fixed sentences in the asker's language (German, or English for English questions)."""
from __future__ import annotations

NO_ANSWER = {
    "de": "Dazu habe ich nichts Verlässliches gefunden.",
    "en": "I could not find anything reliable on that in the SCIU's documents.",
}
ASK_CONTACT = {"de": "Am besten fragen Sie {contact}.", "en": "Your best contact is {contact}."}
CAVEAT = {
    "de": "Ich bin mir nicht sicher, ob das Ihre Frage beantwortet – bitte prüfen Sie die Quelle.",
    "en": "I am not sure this answers your question – please check the source.",
}
PHRASED = {
    "de": "Von einem Sprachmodell formuliert; jeder Satz ist an der Quelle [n] geprüft, auf die er verweist.",
    "en": "Phrased by a language model; every sentence was checked against the source [n] it cites.",
}
ENGLISH_LEAD = "From the SCIU's documents (most of them are in German):"
# Warnings before a passage, from Answer.outdated / Answer.unreviewed; each front renders them.
OUTDATED_LEAD = "⚠️ Veraltet – es gibt nur eine ältere Fassung dazu:"
UNREVIEWED_LEAD = ("🕓 Noch nicht geprüft – diese Antwort stammt von einer Expertin oder einem Experten "
                   "und wird noch vom SCIU-Team geprüft:")
OUTDATED_SOURCES = "⚠️ Achtung, veraltet: mindestens eine Quelle ist nicht mehr aktuell."
NOT_A_QUESTION = (
    "Ich habe darin keine Frage erkannt. Schreiben Sie mir Ihre Frage einfach in Worten, "
    "z. B. „Wie beantrage ich ein Diensthandy?“"
)


def no_answer(language: str, contact: str) -> str:
    """The decline sentence with the person to ask."""
    return f"{NO_ANSWER[language]} {ASK_CONTACT[language].format(contact=contact)}"


def caveat(language: str) -> str:
    return CAVEAT[language]


def phrased_note(language: str) -> str:
    """The note under an answer the model wrote ([llm]): people should know, and where to check."""
    return PHRASED[language]


def leads(answer_outdated: bool, answer_unreviewed: bool, any_source_outdated: bool) -> list[str]:
    """The warning lines a front shows before a passage, in order (plain text)."""
    lines = [UNREVIEWED_LEAD] if answer_unreviewed else []
    if answer_outdated:
        lines.append(OUTDATED_LEAD)
    elif any_source_outdated:
        lines.append(OUTDATED_SOURCES)
    return lines
