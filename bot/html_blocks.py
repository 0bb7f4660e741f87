"""Chat HTML built from self-contained blocks: plain text escaped into blocks, and blocks packed into
messages within a front's length limit. A split between blocks can never land inside a tag or an
entity, so every message is valid on its own."""
from __future__ import annotations

import re
from html import escape

MAX_MESSAGE = 4096  # Telegram's limit; fronts with larger messages pass their own


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
