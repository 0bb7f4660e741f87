"""Answers as chat HTML: the tag subset Telegram accepts, which Matrix's formatted_body accepts too.

Every piece of document or user text is escaped; messages are packed from self-contained blocks
(bot.html_blocks) to fit a front's limit (Telegram: 4096 characters).
"""
from __future__ import annotations

import re
from html import escape
from textwrap import shorten

from ..core import Answer, Source
from ..html_blocks import MAX_MESSAGE, pack, text_blocks
from ..phrases import ENGLISH_LEAD, caveat, label, leads, phrased_note

__all__ = ["MAX_MESSAGE", "all_sources_html", "answer_html", "more_sources_html", "pack", "source_html", "text_blocks"]
_LINK = re.compile(r"^https?://\S+$")


def _short(value: str, width: int = 300) -> str:
    """Escaped and shortened, so one source always fits a message whatever a document says."""
    return escape(shorten(value, width=width, placeholder=" …"))


def source_html(number: int, source: Source, language: str = "de") -> str:
    """One source: linked or coded location, section, ⚠️ flag, Stand and contact person."""
    title = _short(source.title) or label("untitled", language)
    if _LINK.match(source.location) and len(source.location) <= 1000:
        head = f'{number}. <a href="{escape(source.location, quote=True)}">{title}</a>'
        where = ""
    else:
        head = f"{number}. <b>{title}</b>"
        where = f"\n    <code>{_short(source.location, 500)}</code>"
    if source.section:
        head += f" › {_short(source.section)}"
    if source.outdated:
        head += f" ⚠️ <b>{label('outdated', language)}</b>"
    if source.unreviewed:
        head += f" 🕓 <i>{label('unreviewed', language)}</i>"
    details = [f"{label('as_of', language)} {_short(source.updated, 40)}" if source.updated else "",
               f"{label('contact', language)}: {_short(source.owner, 200)}" if source.owner else ""]
    extra = " · ".join(d for d in details if d)
    return head + where + (f"\n    {extra}" if extra else "")


def sources_blocks(heading: str, sources: list[Source], start: int = 1, language: str = "de") -> list[str]:
    """A bold heading kept together with the first source, then one block per source."""
    blocks = [source_html(n, s, language) for n, s in enumerate(sources, start)]
    if blocks:
        blocks[0] = f"<b>{escape(heading)}</b>\n{blocks[0]}"
    return blocks


def answer_html(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """The messages for one answer: the passage, a warning for outdated sources, the sources."""
    blocks = text_blocks(answer.text, limit)
    if answer.alternative:
        source = answer.sources[answer.alternative_source - 1]
        head = f"<i>{escape(label('alternative', answer.language))} {answer.alternative_source}. {_short(source.title)}:</i>"
        alternative = text_blocks(answer.alternative, limit - len(head) - 1)
        blocks += [f"{head}\n{alternative[0]}", *alternative[1:]]
    if answer.answered:
        warnings = leads(answer.outdated, answer.unreviewed, any(s.outdated for s in answer.sources), answer.language)
        blocks[:0] = [f"<b>{escape(line)}</b>" for line in warnings]
    if answer.answered and answer.language == "en":
        blocks.insert(0, f"<i>{escape(ENGLISH_LEAD)}</i>")
    if answer.caveat:
        blocks.append(f"<i>{escape(caveat(answer.language))}</i>")
    if answer.phrased:
        blocks.append(f"<i>🤖 {escape(phrased_note(answer.language))}</i>")
    if answer.sources:
        blocks.extend(sources_blocks(label("sources", answer.language), answer.sources, language=answer.language))
    return pack(blocks, limit)


def all_sources_html(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """/quellen: every source of an answer, headed by (the start of) the question it answered."""
    question = _short(answer.question, 200)
    blocks = [f"<b>{label('all_sources', answer.language)}</b> „{question}“"]
    blocks += [source_html(n, s, answer.language) for n, s in enumerate(answer.sources + answer.more_sources, 1)]
    return pack(blocks, limit)


def more_sources_html(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """The "Mehr Quellen" button: the sources not shown under the answer."""
    start = len(answer.sources) + 1
    return pack(sources_blocks(label("more_sources", answer.language), answer.more_sources, start, answer.language), limit)

