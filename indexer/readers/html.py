"""HTML to structured blocks. Markdown is rendered to HTML first, so both share this walk.

The tree comes from lxml (libxml2's HTML parser): building it with BeautifulSoup took as long as
rendering the Markdown, and parsing was the largest share of indexing time beside the model.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import lxml.etree
import lxml.html

from ..records import TABLE_CELL, Block, ParsedDocument
from .metadata import picked_keys
from .text import decode

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SKIPPED = {"script", "style", "nav", "footer", "head", "noscript", "template", "svg"}
BOLD = {"strong", "b"}
NOT_TEXT = {"script", "style", "template", "rt", "rp"}  # their strings are no text of the element around them
_BLOCKS = ("p", "ul", "ol", "table", "div", *HEADINGS)
# <meta name="…"> values that describe the page the way file properties do (fallbacks only).
PROPERTY_NAMES = {
    "author": "owner", "dc.creator": "owner", "dcterms.creator": "owner",
    "date": "updated", "dc.date": "updated", "dcterms.date": "updated", "dcterms.modified": "updated",
    "last-modified": "updated", "revised": "updated",
}
Element = lxml.html.HtmlElement


def _strings(node: Element) -> Iterator[str]:
    """The text of `node` and its descendants in order, as separate strings (not comments' text)."""
    if node.text:
        yield node.text
    for child in node:
        if isinstance(child.tag, str) and child.tag not in NOT_TEXT:
            yield from _strings(child)
        if child.tail:
            yield child.tail


def _text(node: Element) -> str:
    """The element's words on one line; strings meet at a space, as in "Bürger<b>service</b>"."""
    return " ".join(" ".join(_strings(node)).split())


def _field_lines(node: Element) -> list[str] | None:
    """A paragraph whose every line opens with a bold label ("**Datum:** …", "**Ort:** …", as in a
    protocol's head) as its lines, else None. Joined on one line, its fields would read as one
    run-on sentence ("… 11:30 Uhr Ort: Videokonferenz Leitung: …")."""
    lines: list[list[str]] = [[]]
    labelled: list[bool] = [False]

    def add(text: str) -> None:
        first, *rest = text.split("\n")
        lines[-1].append(first)
        for part in rest:
            lines.append([part])
            labelled.append(False)

    if node.text:
        add(node.text)
    for child in node:
        if not isinstance(child.tag, str) or child.tag in NOT_TEXT:
            pass  # a comment or script: only its tail is text
        elif child.tag == "br":
            lines.append([])
            labelled.append(False)
        else:
            text = _text(child)
            if child.tag in BOLD and not "".join(lines[-1]).strip():
                labelled[-1] = text.endswith(":") or (child.tail or "").startswith(":")
            lines[-1].append(f" {text} ")
        if child.tail:
            add(child.tail)
    fields = [(" ".join("".join(parts).split()), label) for parts, label in zip(lines, labelled)]
    fields = [(text, label) for text, label in fields if text]
    if len(fields) < 2 or not all(label for _, label in fields):
        return None
    return [text.replace(" :", ":", 1) for text, _ in fields]


def _children(node: Element, *names: str) -> list[Element]:
    return [child for child in node if child.tag in names]


def _list_text(node: Element) -> str:
    items = [_text(li) for li in _children(node, "li")]
    return "\n".join(f"- {item}" for item in items if item)


def _table_text(node: Element) -> str:
    rows = []
    for row in node.iterdescendants("tr"):
        cells = [_text(cell) for cell in row.iterdescendants("th", "td")]
        if any(cells):
            rows.append(TABLE_CELL.join(cells))
    return "\n".join(rows)


def _definitions_text(node: Element) -> str:
    lines = []
    for child in _children(node, "dt", "dd"):
        lines.append(_text(child) if child.tag == "dt" else f"  {_text(child)}")
    return "\n".join(line for line in lines if line.strip())


class _Walker:
    """Collects blocks in document order while tracking the current heading path."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.headings: list[tuple[int, str]] = []
        self.first_h1: str | None = None

    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.headings)

    def add(self, text: str, kind: str) -> None:
        if text.strip():
            self.blocks.append(Block(text=text.strip(), headings=self.path(), kind=kind))

    def walk(self, node: Element) -> None:
        """The element's own strings become paragraphs, its child elements are visited."""
        if node.text:
            self.add(" ".join(node.text.split()), "paragraph")
        for child in node:
            if isinstance(child.tag, str):
                self.visit(child)
            if child.tail:
                self.add(" ".join(child.tail.split()), "paragraph")

    def visit(self, node: Element) -> None:
        name = node.tag
        if name in SKIPPED:
            return
        if name in HEADINGS:
            level, title = HEADINGS[name], _text(node)
            if level == 1 and self.first_h1 is None:
                self.first_h1 = title
            while self.headings and self.headings[-1][0] >= level:
                self.headings.pop()
            if title:
                self.headings.append((level, title))
        elif name in {"ul", "ol"}:
            self.add(_list_text(node), "list")
        elif name == "table":
            self.add(_table_text(node), "table")
        elif name == "dl":
            self.add(_definitions_text(node), "list")
        elif name == "pre":
            self.add("".join(_strings(node)), "code")
        elif name == "p" and (fields := _field_lines(node)):
            self.add("\n".join(f"- {field}" for field in fields), "list")
        elif name in {"p", "blockquote"} or next(node.iterdescendants(*_BLOCKS), None) is None:
            self.add(_text(node), "paragraph")
        else:
            self.walk(node)


def _parse(html: str) -> Element | None:
    """The document's tree; None for one without any element. Handed over as UTF-8 bytes, so an XML
    declaration naming another encoding cannot mislead the parser."""
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except lxml.etree.ParserError:  # "Document is empty"
        return None


def _meta_tags(root: Element | None) -> tuple[dict, dict]:
    """`<meta name=… content=…>` as (explicit keys such as access/owner, property fallbacks)."""
    named: dict[str, list[str]] = {}
    for tag in root.iter("meta") if root is not None else ():
        name, content = tag.get("name"), tag.get("content")
        if isinstance(name, str) and isinstance(content, str):
            named.setdefault(name.strip().lower(), []).append(content.strip())
    explicit = picked_keys({name: values if name == "access" else values[0] for name, values in named.items()})
    properties = {PROPERTY_NAMES[name]: values[0] for name, values in named.items() if name in PROPERTY_NAMES}
    return explicit, properties


def html_to_document(html: str, fallback_title: str, meta: dict | None = None) -> ParsedDocument:
    """Walk HTML into blocks; the title is the <title>, else the first <h1>, else the fallback."""
    return _tree_to_document(_parse(html), fallback_title, meta or {})


def _tree_to_document(root: Element | None, fallback_title: str, meta: dict) -> ParsedDocument:
    walker = _Walker()
    if root is not None:
        body = root.find("body")
        walker.walk(body if body is not None else root)
    title_tag = next(root.iter("title"), None) if root is not None else None
    title = "".join(text.strip() for text in _strings(title_tag)) if title_tag is not None else ""
    return ParsedDocument(title=title or walker.first_h1 or fallback_title, meta=meta, blocks=walker.blocks)


def read_html(data: bytes, path: Path) -> ParsedDocument:
    """An .html file; `<meta name="access|owner|department|updated|…">` set its metadata."""
    root = _parse(decode(data))
    explicit, properties = _meta_tags(root)
    document = _tree_to_document(root, path.stem, explicit)
    document.properties = properties
    return document
