"""Turn a file of any supported format into a ParsedDocument, or say in one line why not."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..records import ParsedDocument
from .docx import read_docx
from .errors import UnreadableDocument
from .html import read_html
from .markdown import read_markdown
from .pdf import read_pdf
from .text import read_text

Reader = Callable[[bytes, Path], ParsedDocument]

READERS: dict[str, Reader] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
}


def read_document(data: bytes, path: Path) -> ParsedDocument:
    """Parse `data` (the bytes of `path`) with the reader for its suffix.

    Raises UnreadableDocument with a German, one-line reason for anything that cannot be indexed.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableDocument(f"Dateiformat {path.suffix or '(ohne Endung)'} wird nicht unterstützt")
    if not data.strip():
        raise UnreadableDocument("leere Datei")
    try:
        document = reader(data, path)
    except UnreadableDocument:
        raise
    except Exception as error:  # a broken file must never stop the run
        raise UnreadableDocument(f"Datei nicht lesbar ({type(error).__name__}: {error})") from error
    if not any(block.text.strip() for block in document.blocks):
        raise UnreadableDocument("kein Text gefunden")
    return document


__all__ = ["READERS", "UnreadableDocument", "read_document"]
