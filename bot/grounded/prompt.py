"""The grounding contract as the model reads it: numbered passages with title and Stand, and the rules."""
from __future__ import annotations

from dataclasses import dataclass

from indexer import Hit


@dataclass(frozen=True)
class Passage:
    """One numbered passage the model may cite as [number]."""

    number: int
    title: str
    updated: str | None
    text: str


RULES = {
    "de": (
        "Du bist der Wissenslotse der Stadt Bochum. Beantworte die Frage ausschließlich mit den "
        "nummerierten Auszügen unten, nicht mit eigenem Wissen. Antworte auf Deutsch, kurz und in ganzen "
        "Sätzen, in der Sie-Form. Setze hinter jeden Satz die Nummer des Auszugs, auf dem er beruht, z. B. [1]. "
        "Übernimm Zahlen, Daten, Beträge, Durchwahlen, E-Mail-Adressen und Namen genau so, wie sie in den "
        "Auszügen stehen. Wenn die Auszüge die Frage nicht beantworten, schreibe nur: "
        "„Die Unterlagen beantworten diese Frage nicht.“"
    ),
    "en": (
        "You are the Wissenslotse of the city of Bochum. Answer the question only from the numbered "
        "passages below, never from your own knowledge. Answer in English, briefly, in full sentences. "
        "Put the number of the passage each sentence rests on after it, e.g. [1]. Copy numbers, dates, "
        "amounts, phone extensions, e-mail addresses and names exactly as the passages give them. If the "
        "passages do not answer the question, write only: \"The documents do not answer this question.\""
    ),
}


def passages_from(hits: list[Hit], lead: str = "") -> list[Passage]:
    """The hits as passages numbered from 1, in the order their sources are shown. `lead` (the
    extractive answer, from the first hit's document) opens passage 1 unless its chunk holds it."""
    passages = []
    for number, hit in enumerate(hits, start=1):
        text = "\n".join(" ".join(line.split()) for line in hit.text.splitlines() if line.strip())
        lead_text = " ".join(lead.split())
        if number == 1 and lead_text and lead_text not in " ".join(text.split()):
            text = f"{lead_text}\n…\n{text}"
        title = hit.title + (f" › {hit.heading_path}" if hit.heading_path else "")
        passages.append(Passage(number, title, hit.updated, text))
    return passages


def build_messages(question: str, passages: list[Passage], language: str) -> list[dict[str, str]]:
    """The chat messages for one question: the rules as system message, passages and question as user message."""
    label = {"de": ("Auszüge", "Stand", "Frage"), "en": ("Passages", "as of", "Question")}[language]
    blocks = [f"[{p.number}] {p.title} ({label[1]}: {p.updated or '–'})\n{p.text}" for p in passages]
    user = f"{label[0]}:\n\n" + "\n\n".join(blocks) + f"\n\n{label[2]}: {question}"
    return [{"role": "system", "content": RULES[language]}, {"role": "user", "content": user}]
