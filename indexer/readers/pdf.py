"""PDF text via pypdf; one block per paragraph, the page number kept as the heading."""
from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from ..records import Block, ParsedDocument
from .errors import UnreadableDocument
from .metadata import picked_keys
from .text import paragraphs


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
    blocks: list[Block] = []
    for number, page in enumerate(reader.pages, start=1):
        for para in paragraphs(page.extract_text() or ""):
            blocks.append(Block(text=para, headings=(f"Seite {number}",)))
    if not title and blocks:
        title = blocks[0].text[:120]
    explicit, properties = _metadata(reader)
    return ParsedDocument(title=title or path.stem, meta=explicit, blocks=blocks, properties=properties)
