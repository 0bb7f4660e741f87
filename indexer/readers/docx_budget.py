"""Check a DOCX's zip directory before python-docx reads it: XML parts are capped, media never read.

python-docx loads every part it finds into memory, a 1 GiB image (a few KB compressed) included.
The declared sizes in the zip directory are checked first (zipfile enforces them while reading),
and parts that are not XML are replaced by empty ones when any of them is large.
"""
from __future__ import annotations

import io
import zipfile

from .errors import UnreadableDocument

MAX_XML_PART_BYTES = 50_000_000
"""Unpacked size of one XML part (document.xml of ~1,000 pages is ~20 MB); above it the file is skipped."""
MAX_XML_TOTAL_BYTES = 100_000_000
MAX_KEPT_MEDIA_BYTES = 1_000_000
"""Non-XML parts are kept as they are only while none declares more than this."""


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def lean_docx(data: bytes) -> bytes:
    """The DOCX bytes python-docx may read: unchanged, or with its media parts emptied.

    Raises UnreadableDocument when an XML part is too large unpacked (zipfile.BadZipFile when broken).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        xml = [info for info in infos if _is_xml(info.filename)]
        for info in xml:
            if info.file_size > MAX_XML_PART_BYTES:
                raise UnreadableDocument(
                    f"Word-Datei zu groß entpackt ({info.filename}: {info.file_size / 1e6:.0f} MB, "
                    f"Grenze {MAX_XML_PART_BYTES / 1e6:.0f} MB)"
                )
        if sum(info.file_size for info in xml) > MAX_XML_TOTAL_BYTES:
            raise UnreadableDocument(f"Word-Datei zu groß entpackt (Grenze {MAX_XML_TOTAL_BYTES / 1e6:.0f} MB Text)")
        if all(info.file_size <= MAX_KEPT_MEDIA_BYTES for info in infos if not _is_xml(info.filename)):
            return data
        lean = io.BytesIO()
        with zipfile.ZipFile(lean, "w", zipfile.ZIP_STORED) as target:
            for info in infos:
                target.writestr(info.filename, archive.read(info) if _is_xml(info.filename) else b"")
        return lean.getvalue()
