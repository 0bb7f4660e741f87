"""Answers as plain text for the terminal chat and `lotse ask`."""
from __future__ import annotations

from ..core import Answer, Source
from ..phrases import ENGLISH_LEAD, caveat, label, leads, phrased_note


def source_line(number: int, source: Source, language: str = "de") -> str:
    section = f" › {source.section}" if source.section else ""
    details = [f"{label('as_of', language)} {source.updated}" if source.updated else None,
               f"{label('contact', language)} {source.owner}" if source.owner else None]
    extra = ", ".join(d for d in details if d)
    flag = f" [{label('outdated', language)}]" if source.outdated else ""
    return f"  [{number}] {source.title}{section}{flag}\n      {source.location}" + (f" ({extra})" if extra else "")


def render_answer(answer: Answer) -> str:
    lines = []
    if answer.answered and answer.language == "en":
        lines.append(ENGLISH_LEAD)
    if answer.answered:
        lines.extend(leads(answer.outdated, answer.unreviewed, any(s.outdated for s in answer.sources), answer.language))
    lines.append(answer.text)
    if answer.alternative:
        source = answer.sources[answer.alternative_source - 1]
        lines.append(f"\n{label('alternative', answer.language)} [{answer.alternative_source}] {source.title}:")
        lines.append(answer.alternative)
    if answer.caveat:
        lines.append(f"({caveat(answer.language)})")
    if answer.phrased:
        lines.append(f"({phrased_note(answer.language)})")
    if answer.sources:
        lines.append(f"\n{label('sources', answer.language)}:")
        lines.extend(source_line(n, s, answer.language) for n, s in enumerate(answer.sources, start=1))
    elif answer.more_sources:
        lines.append(f"\n{label('closest', answer.language)}:")
        lines.append(source_line(1, answer.more_sources[0], answer.language))
    return "\n".join(lines)


def render_sources(answer: Answer) -> str:
    everything = answer.sources + answer.more_sources
    if not everything:
        return "Zur letzten Antwort gibt es keine Quellen."
    return "Alle Quellen der letzten Antwort:\n" + "\n".join(source_line(n, s) for n, s in enumerate(everything, 1))
