"""Plain text files, and the byte decoding that every text-based reader shares."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from ..records import Block, ParsedDocument
from .errors import UnreadableDocument


# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16/32 with BOM; else a detected legacy encoding (e.g. cp1252)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as error:
                raise UnreadableDocument(f"ungültige Zeichenkodierung ({encoding} mit BOM)") from error
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


_UNDERLINE = re.compile(r"^\s*[-=~_]{3,}\s*$")
_COLUMNS = re.compile(r"\S\s{2,}\S")


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text layout: a line underlined with ---- or ==== is a heading, and lines
    aligned in columns (two or more spaces between fields) are list items, one record a line."""
    blocks: list[Block] = []
    headings: tuple[str, ...] = ()
    for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line.rstrip() for line in part.splitlines() if line.strip()]
        if len(lines) >= 2 and _UNDERLINE.match(lines[1]):
            headings = (lines[0].strip(),)
            lines = lines[2:]
        if not lines:
            continue
        if sum(bool(_COLUMNS.search(line.strip())) for line in lines) * 2 >= len(lines):
            items = [" · ".join(re.split(r"\s{2,}", line.strip())) for line in lines]
            blocks.append(Block("\n".join(f"- {item}" for item in items), headings, "list"))
        else:
            blocks.append(Block(" ".join(line.strip() for line in lines), headings))
    return blocks


def read_text(data: bytes, path: Path) -> ParsedDocument:
    """A .txt file: the first line is the title, blank lines separate paragraphs."""
    text = decode(data)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0][:200] if lines else path.stem
    return ParsedDocument(title=title, meta={}, blocks=text_blocks(text))
