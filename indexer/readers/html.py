"""HTML to structured blocks. Markdown is rendered to HTML first, so both share this walk."""
from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ..records import Block, ParsedDocument
from .metadata import picked_keys
from .text import decode

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SKIPPED = {"script", "style", "nav", "footer", "head", "noscript", "template", "svg"}
# <meta name="…"> values that describe the page the way file properties do (fallbacks only).
PROPERTY_NAMES = {
    "author": "owner", "dc.creator": "owner", "dcterms.creator": "owner",
    "date": "updated", "dc.date": "updated", "dcterms.date": "updated", "dcterms.modified": "updated",
    "last-modified": "updated", "revised": "updated",
}


def _text(node: Tag) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def _list_text(node: Tag) -> str:
    items = [_text(li) for li in node.find_all("li", recursive=False)]
    return "\n".join(f"- {item}" for item in items if item)


def _table_text(node: Tag) -> str:
    rows = []
    for row in node.find_all("tr"):
        cells = [_text(cell) for cell in row.find_all(["th", "td"])]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _definitions_text(node: Tag) -> str:
    lines = []
    for child in node.find_all(["dt", "dd"], recursive=False):
        lines.append(_text(child) if child.name == "dt" else f"  {_text(child)}")
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

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                self.add(" ".join(str(child).split()), "paragraph")
            elif isinstance(child, Tag):
                self.visit(child)

    def visit(self, node: Tag) -> None:
        name = node.name
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
            self.add(node.get_text(), "code")
        elif name in {"p", "blockquote"} or not node.find(["p", "ul", "ol", "table", "div", *HEADINGS]):
            self.add(_text(node), "paragraph")
        else:
            self.walk(node)


def _meta_tags(soup: BeautifulSoup) -> tuple[dict, dict]:
    """`<meta name=… content=…>` as (explicit keys such as access/owner, property fallbacks)."""
    named: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        name, content = tag.get("name"), tag.get("content")
        if isinstance(name, str) and isinstance(content, str):
            named.setdefault(name.strip().lower(), []).append(content.strip())
    explicit = picked_keys({name: values if name == "access" else values[0] for name, values in named.items()})
    properties = {PROPERTY_NAMES[name]: values[0] for name, values in named.items() if name in PROPERTY_NAMES}
    return explicit, properties


def html_to_document(html: str, fallback_title: str, meta: dict | None = None) -> ParsedDocument:
    """Walk HTML into blocks; the title is the <title>, else the first <h1>, else the fallback."""
    return _soup_to_document(BeautifulSoup(html, "html.parser"), fallback_title, meta or {})


def _soup_to_document(soup: BeautifulSoup, fallback_title: str, meta: dict) -> ParsedDocument:
    walker = _Walker()
    walker.walk(soup.body or soup)
    title_tag = soup.find("title")
    title = (title_tag.get_text(strip=True) if title_tag else "") or walker.first_h1 or fallback_title
    return ParsedDocument(title=title, meta=meta, blocks=walker.blocks)


def read_html(data: bytes, path: Path) -> ParsedDocument:
    """An .html file; `<meta name="access|owner|department|updated|…">` set its metadata."""
    soup = BeautifulSoup(decode(data), "html.parser")
    explicit, properties = _meta_tags(soup)
    document = _soup_to_document(soup, path.stem, explicit)
    document.properties = properties
    return document
