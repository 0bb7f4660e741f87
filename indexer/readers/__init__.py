"""Turn a file of any supported format into a ParsedDocument, or say in one line why not."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from ..records import ParsedDocument
from .errors import UnreadableDocument
from .metadata import complete_metadata

Reader = Callable[[bytes, Path], ParsedDocument]
# Raise when readers extract different text or metadata from the same bytes: the next run re-reads all.
READER_VERSION = 6

# Suffix → (module, function). A reader's module and its libraries (pypdf, bs4, python-docx, …)
# are imported when the first such file is read: ~0.2 s of every `lotse` start, and most of a
# no-change `lotse index`, went into importing them.
READERS: dict[str, tuple[str, str]] = {
    ".md": ("markdown", "read_markdown"),
    ".markdown": ("markdown", "read_markdown"),
    ".txt": ("text", "read_text"),
    ".html": ("html", "read_html"),
    ".htm": ("html", "read_html"),
    ".pdf": ("pdf", "read_pdf"),
    ".docx": ("docx", "read_docx"),
}
FORMAT_NAMES = {"markdown": "Markdown", "text": "Text", "html": "HTML", "pdf": "PDF", "docx": "Word"}


def supported_formats() -> str:
    """The readable formats for messages, e.g. "Markdown, Text, HTML, PDF, Word"."""
    return ", ".join(dict.fromkeys(FORMAT_NAMES[module] for module, _ in READERS.values()))


def _reader(suffix: str) -> Reader | None:
    spec = READERS.get(suffix)
    if spec is None:
        return None
    return getattr(importlib.import_module(f".{spec[0]}", __name__), spec[1])


def read_document(data: bytes, path: Path) -> ParsedDocument:
    """Parse `data` (the bytes of `path`) with the reader for its suffix.

    Raises UnreadableDocument with a German, one-line reason for anything that cannot be indexed.
    """
    reader = _reader(path.suffix.lower())
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
    complete_metadata(document)
    return document


__all__ = ["READERS", "READER_VERSION", "UnreadableDocument", "read_document", "supported_formats"]
