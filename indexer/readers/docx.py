"""Word documents via python-docx: heading styles give the structure, tables stay whole."""
from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..records import TABLE_CELL, Block, ParsedDocument
from .docx_budget import lean_docx
from .metadata import picked_keys


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
            rows.append(TABLE_CELL.join(cells))
    return "\n".join(rows)


def _related_blob(document: docx.document.Document, reltype: str) -> bytes | None:
    for rel in document.part.package.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return rel.target_part.blob
    return None


def _custom_properties(document: docx.document.Document) -> dict[str, str]:
    """docProps/custom.xml ("Datei › Eigenschaften › Benutzerdefiniert"): name → text value."""
    blob = _related_blob(document, RT.CUSTOM_PROPERTIES)
    if not blob:
        return {}
    values = {}
    for prop in parse_xml(blob):
        name = prop.get("name")
        if name and len(prop):
            values[name] = (prop[0].text or "").strip()
    return values


def _core_properties(document: docx.document.Document) -> dict[str, str]:
    """Author and modification date, only if the file has core properties (python-docx would
    otherwise invent defaults)."""
    if _related_blob(document, RT.CORE_PROPERTIES) is None:
        return {}
    core = document.core_properties
    found = {"title": (core.title or "").strip(), "owner": (core.author or "").strip()}
    if core.modified is not None:
        found["updated"] = core.modified.date().isoformat()
    return {key: value for key, value in found.items() if value}


def read_docx(data: bytes, path: Path) -> ParsedDocument:
    """A .docx file; the title is the core property, else the first heading. Custom properties
    named like front-matter keys (access, owner, …) are its metadata."""
    document = docx.Document(io.BytesIO(lean_docx(data)))
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
    properties = _core_properties(document)
    title = properties.pop("title", "") or first_heading or path.stem
    return ParsedDocument(title=title, meta=picked_keys(_custom_properties(document)), blocks=blocks, properties=properties)
