"""Plain text files, and the byte decoding that every text-based reader shares."""
from __future__ import annotations

import re
from pathlib import Path

from charset_normalizer import from_bytes

from ..records import Block, ParsedDocument
from .errors import UnreadableDocument


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM); fall back to a detected legacy encoding (e.g. cp1252)."""
    if b"\x00" in data[:8192]:
        raise UnreadableDocument("Binärdatei, kein Text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding in {"utf_16", "utf_32"}:
        raise UnreadableDocument("unbekannte Zeichenkodierung (bitte als UTF-8 speichern)")
    text = str(best)
    if sum(ch.isprintable() or ch.isspace() for ch in text) < 0.95 * len(text):
        raise UnreadableDocument("ungültige Zeichenkodierung (bitte als UTF-8 speichern)")
    return text


def paragraphs(text: str) -> list[str]:
    """Split text at blank lines; lines within a paragraph are joined."""
    parts = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [" ".join(line.strip() for line in part.splitlines()).strip() for part in parts if part.strip()]


def read_text(data: bytes, path: Path) -> ParsedDocument:
    """A .txt file: the first line is the title, blank lines separate paragraphs."""
    text = decode(data)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0][:200] if lines else path.stem
    blocks = [Block(text=para) for para in paragraphs(text)]
    return ParsedDocument(title=title, meta={}, blocks=blocks)
