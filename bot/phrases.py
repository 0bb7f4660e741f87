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
OUTDATED_LEAD = {
    "de": "⚠️ Veraltet – es gibt nur eine ältere Fassung dazu:",
    "en": "⚠️ Outdated – there is only an older version on this:",
}
UNREVIEWED_LEAD = {
    "de": "🕓 Noch nicht geprüft – diese Antwort stammt von einer Expertin oder einem Experten "
          "und wird noch vom SCIU-Team geprüft:",
    "en": "🕓 Not yet reviewed – this answer comes from an expert and is still being reviewed by the SCIU team:",
}
OUTDATED_SOURCES = {
    "de": "⚠️ Achtung, veraltet: mindestens eine Quelle ist nicht mehr aktuell.",
    "en": "⚠️ Note: at least one source is outdated.",
}
# The words around a list of sources.
LABELS = {
    "sources": {"de": "Quellen", "en": "Sources"},
    "more_sources": {"de": "Weitere Quellen", "en": "More sources"},
    "all_sources": {"de": "Alle Quellen zu Ihrer Frage", "en": "All sources for your question"},
    "closest": {"de": "Nächstliegendes Dokument", "en": "Closest document"},
    "alternative": {"de": "Oder, laut Quelle", "en": "Or, according to source"},
    "as_of": {"de": "Stand", "en": "as of"},
    "contact": {"de": "Ansprechperson", "en": "Contact"},
    "outdated": {"de": "veraltet", "en": "outdated"},
    "unreviewed": {"de": "noch nicht geprüft", "en": "not yet reviewed"},
    "untitled": {"de": "Ohne Titel", "en": "Untitled"},
    "more_button": {"de": "Mehr Quellen", "en": "More sources"},
    "handoff_button": {"de": "An Expert:in weiterleiten", "en": "Ask an expert"},
    "reaction_hint": {"de": "👍/👎 als Reaktion", "en": "react with 👍/👎"},
    "sources_hint": {"de": "alle Quellen", "en": "all sources"},
    "handoff_hint": {"de": "an eine Expertin oder einen Experten", "en": "pass it on to an expert"},
}
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


def label(key: str, language: str = "de") -> str:
    """A word around the sources (`LABELS`) in the asker's language."""
    return LABELS[key].get(language, LABELS[key]["de"])


def leads(answer_outdated: bool, answer_unreviewed: bool, any_source_outdated: bool, language: str = "de") -> list[str]:
    """The warning lines a front shows before a passage, in order (plain text)."""
    language = language if language in OUTDATED_LEAD else "de"
    lines = [UNREVIEWED_LEAD[language]] if answer_unreviewed else []
    if answer_outdated:
        lines.append(OUTDATED_LEAD[language])
    elif any_source_outdated:
        lines.append(OUTDATED_SOURCES[language])
    return lines
