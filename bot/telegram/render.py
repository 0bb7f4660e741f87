"""Answers as Telegram HTML: every piece of document or user text escaped, split to fit 4096 chars.

Messages are built from blocks that are each valid HTML on their own, so a split between blocks
can never land inside a tag or an entity.
"""
from __future__ import annotations

import re
from html import escape
from textwrap import shorten

from ..core import Answer, Source
from ..phrases import ENGLISH_LEAD, caveat, phrased_note

MAX_MESSAGE = 4096
_LINK = re.compile(r"^https?://\S+$")


def _escaped_pieces(text: str, limit: int) -> list[str]:
    """`text` escaped in pieces of at most `limit` characters, cut in the plain text (at a space
    where possible), so no cut can fall inside an entity such as &amp;."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        cut = min(len(rest), limit)
        while (overshoot := len(escape(rest[:cut])) - limit) > 0:
            cut -= max(1, overshoot // 6)  # one character escapes to at most six
        space = rest.rfind(" ", 0, cut + 1)
        if cut < len(rest) and space > cut // 2:
            cut = space
        pieces.append(escape(rest[:cut].strip()))
        rest = rest[cut:].strip()
    return pieces


def text_blocks(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Plain text as escaped blocks at paragraph boundaries, each at most `limit` characters."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if len(escape(paragraph)) <= limit:
            blocks.append(escape(paragraph))
            continue
        for line in paragraph.split("\n"):
            blocks.extend(_escaped_pieces(line, limit))
    return [b for b in blocks if b.strip()]


def pack(blocks: list[str], limit: int = MAX_MESSAGE, separator: str = "\n\n") -> list[str]:
    """Join self-contained HTML blocks into as few messages as possible, each within `limit`."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > limit:
            raise ValueError(f"HTML block of {len(block)} characters exceeds the limit of {limit}")
        joined = f"{current}{separator}{block}" if current else block
        if len(joined) <= limit:
            current = joined
        else:
            parts.append(current)
            current = block
    if current:
        parts.append(current)
    return parts


def _short(value: str, width: int = 300) -> str:
    """Escaped and shortened, so one source always fits a message whatever a document says."""
    return escape(shorten(value, width=width, placeholder=" …"))


def source_html(number: int, source: Source) -> str:
    """One source: linked or coded location, section, ⚠️ flag, Stand and contact person."""
    title = _short(source.title) or "Ohne Titel"
    if _LINK.match(source.location) and len(source.location) <= 1000:
        head = f'{number}. <a href="{escape(source.location, quote=True)}">{title}</a>'
        where = ""
    else:
        head = f"{number}. <b>{title}</b>"
        where = f"\n    <code>{_short(source.location, 500)}</code>"
    if source.section:
        head += f" › {_short(source.section)}"
    if source.outdated:
        head += " ⚠️ <b>veraltet</b>"
    if source.unreviewed:
        head += " 🕓 <i>noch nicht geprüft</i>"
    details = [f"Stand {_short(source.updated, 40)}" if source.updated else "",
               f"Ansprechperson: {_short(source.owner, 200)}" if source.owner else ""]
    extra = " · ".join(d for d in details if d)
    return head + where + (f"\n    {extra}" if extra else "")


def sources_blocks(heading: str, sources: list[Source], start: int = 1) -> list[str]:
    """A bold heading kept together with the first source, then one block per source."""
    blocks = [source_html(n, s) for n, s in enumerate(sources, start)]
    if blocks:
        blocks[0] = f"<b>{escape(heading)}</b>\n{blocks[0]}"
    return blocks


def answer_html(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """The messages for one answer: the passage, a warning for outdated sources, the sources."""
    blocks = text_blocks(answer.text, limit)
    if answer.answered and answer.language == "en":
        blocks.insert(0, f"<i>{escape(ENGLISH_LEAD)}</i>")
    if answer.caveat:
        blocks.append(f"<i>{escape(caveat(answer.language))}</i>")
    if answer.phrased:
        blocks.append(f"<i>🤖 {escape(phrased_note(answer.language))}</i>")
    if any(s.outdated for s in answer.sources) and "veraltet" not in answer.text.lower():
        blocks.insert(0, "⚠️ <b>Achtung, veraltet:</b> mindestens eine Quelle ist nicht mehr aktuell.")
    if answer.sources:
        blocks.extend(sources_blocks("Quellen", answer.sources))
    return pack(blocks, limit)


def all_sources_html(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """/quellen: every source of an answer, headed by (the start of) the question it answered."""
    question = _short(answer.question, 200)
    blocks = [f"<b>Alle Quellen zu Ihrer Frage</b> „{question}“"]
    blocks += [source_html(n, s) for n, s in enumerate(answer.sources + answer.more_sources, 1)]
    return pack(blocks, limit)


def more_sources_html(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """The "Mehr Quellen" button: the sources not shown under the answer."""
    start = len(answer.sources) + 1
    return pack(sources_blocks("Weitere Quellen", answer.more_sources, start), limit)

