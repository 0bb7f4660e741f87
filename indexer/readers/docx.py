"""Word documents via python-docx: heading styles give the structure, tables stay whole."""
from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..records import Block, ParsedDocument


def _heading_level(paragraph: Paragraph) -> int | None:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style == "Title":
        return 1
    for prefix in ("Heading ", "Überschrift "):
        if style.startswith(prefix) and style[len(prefix):].isdigit():
            return int(style[len(prefix):])
    return None


def _table_text(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = [" ".join(cell.text.split()) for cell in row.cells]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def read_docx(data: bytes, path: Path) -> ParsedDocument:
    """A .docx file; the title is the core property, else the first heading."""
    document = docx.Document(io.BytesIO(data))
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    first_heading = ""
    for item in document.iter_inner_content():
        path_now = tuple(text for _, text in headings)
        if isinstance(item, Table):
            text = _table_text(item)
            if text:
                blocks.append(Block(text=text, headings=path_now, kind="table"))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        level = _heading_level(item)
        if level is not None:
            first_heading = first_heading or text
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, text))
            continue
        style = (item.style.name if item.style is not None else "") or ""
        kind = "list" if "List" in style or "Liste" in style else "paragraph"
        if kind == "list" and blocks and blocks[-1].kind == "list" and blocks[-1].headings == path_now:
            blocks[-1].text += f"\n- {text}"
        else:
            blocks.append(Block(text=f"- {text}" if kind == "list" else text, headings=path_now, kind=kind))
    title = (document.core_properties.title or "").strip() or first_heading or path.stem
    return ParsedDocument(title=title, meta={}, blocks=blocks)
