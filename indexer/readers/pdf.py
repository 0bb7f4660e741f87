"""PDF text via pypdf; one block per paragraph, the page number kept as the heading."""
from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from ..records import Block, ParsedDocument
from .errors import UnreadableDocument
from .text import paragraphs


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
    blocks: list[Block] = []
    for number, page in enumerate(reader.pages, start=1):
        for para in paragraphs(page.extract_text() or ""):
            blocks.append(Block(text=para, headings=(f"Seite {number}",)))
    if not title and blocks:
        title = blocks[0].text[:120]
    return ParsedDocument(title=title or path.stem, meta={}, blocks=blocks)
