"""PDF text via pypdf, with its layout rebuilt: running headers and footers dropped, wrapped lines
joined into paragraphs across page breaks, numbered section titles as headings, "- " lines as lists."""
from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from pypdf import PdfReader

from ..records import Block, ParsedDocument
from .errors import UnreadableDocument
from .metadata import picked_keys


def _metadata(reader: PdfReader) -> tuple[dict, dict]:
    """(explicit keys such as /Access or /Owner, the author and date as property fallbacks)."""
    info = reader.metadata
    if not info:
        return {}, {}
    explicit = picked_keys({str(key).lstrip("/"): str(value) for key, value in info.items() if key != "/Title"})
    properties = {"owner": str(info.author or "").strip()}
    try:
        when = info.modification_date or info.creation_date
    except Exception:  # a malformed date string must not cost the document
        when = None
    if when is not None:
        properties["updated"] = when.date().isoformat()
    return explicit, {key: value for key, value in properties.items() if value}


def read_pdf(data: bytes, path: Path) -> ParsedDocument:
    """A .pdf file; encrypted files are tried with an empty password, then skipped."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception:
            ok = 0
        if not ok:
            raise UnreadableDocument("passwortgeschützte PDF-Datei")
    title = ""
    if reader.metadata and reader.metadata.title:
        title = str(reader.metadata.title).strip()
    blocks = layout_blocks([page.extract_text() or "" for page in reader.pages])
    if not title and blocks:
        title = blocks[0].text[:120]
    explicit, properties = _metadata(reader)
    return ParsedDocument(title=title or path.stem, meta=explicit, blocks=blocks, properties=properties)


_PAGE_NUMBER = re.compile(r"(?:^|[\s\-–|])(?:Seite|Page|S\.)\s*\d+(?:\s*(?:von|/|of)\s*\d+)?\s*$|^\s*-?\s*\d+\s*-?\s*$", re.I)
_SECTION = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.)\s+\S.{0,80}$")
_ITEM = re.compile(r"^\s*(?:[-–•*]|\d+[.)])\s+")
_END = (".", "!", "?", ":", ";")


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines that repeat at the top or bottom of several pages (digits ignored): headers, footers."""
    if len(pages) < 2:
        return set()
    edges = Counter(re.sub(r"\d+", "#", line) for lines in pages for line in {*lines[:2], *lines[-2:]})
    return {line for line, count in edges.items() if count >= 2}


def layout_blocks(pages: list[str]) -> list[Block]:
    """Blocks from the pages' text lines: paragraphs, lists and the section titles they stand under."""
    page_lines = [[line.strip() for line in text.splitlines() if line.strip()] for text in pages]
    running = _running_lines(page_lines)
    lines = [line for page in page_lines for line in page
             if re.sub(r"\d+", "#", line) not in running and not _PAGE_NUMBER.search(line)]
    blocks: list[Block] = []
    headings: tuple[str, ...] = ()
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph), headings))
            paragraph.clear()
        if items:
            blocks.append(Block("\n".join(f"- {item}" for item in items), headings, "list"))
            items.clear()

    for line in lines:
        if _SECTION.match(line) and not line.endswith(_END) and len(line) < 60:
            flush()
            headings = (line,)
        elif _ITEM.match(line):
            if paragraph:
                flush()
            items.append(_ITEM.sub("", line, count=1))
        elif items and not paragraph:
            items[-1] += " " + line  # a wrapped list item
        else:
            paragraph.append(line)
            if line.endswith(_END) and len(line) < 60:
                flush()  # a short line that ends a sentence ends its paragraph
    flush()
    return blocks
