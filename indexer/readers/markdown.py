"""Markdown with YAML front matter (python-frontmatter), rendered by `markdown` and walked as HTML."""
from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Any

import frontmatter
import markdown
import yaml
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString, Registry

from ..records import ParsedDocument
from .errors import UnreadableDocument
from .html import html_to_document
from .text import decode

EXTENSIONS = ["tables", "def_list", "fenced_code", "sane_lists"]
MAX_QUOTE_DEPTH = 16
"""Deeper `>` quote levels are flattened: the renderer recurses once per level over the whole quote."""
_local = threading.local()
_DEEP_QUOTE = re.compile(r"^((?: {0,3}>){%d})(?: {0,3}>)+" % MAX_QUOTE_DEPTH, re.MULTILINE)


def _plain(value: Any) -> Any:
    """Front matter values as JSON-safe data (YAML dates become ISO strings)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _refuse_aliases(header: str) -> None:
    """YAML anchors and aliases (`&a`, `*a`) are refused before loading: expanded, a few lines of
    them ("billion laughs") grow into gigabytes. Parsing events costs linear time and no expansion."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for event in yaml.parse(header, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise UnreadableDocument("Front-Matter-Kopf mit YAML-Anker oder -Alias (& oder *) wird nicht gelesen")


def _split_front_matter(text: str) -> tuple[dict, str]:
    """Front matter as a dict and the Markdown body; a header that is not a mapping is an error.

    Blank lines, spaces or a byte order mark before the opening `---` are tolerated: otherwise the
    header (and its `access`) would silently become body text of a public document.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    handler = frontmatter.detect_format(stripped, frontmatter.handlers)
    if handler is None:
        return {}, text
    try:
        header, content = handler.split(stripped)
        if isinstance(handler, frontmatter.YAMLHandler):
            _refuse_aliases(header)
        metadata = handler.load(header) if header.strip() else {}
    except UnreadableDocument:
        raise
    except Exception as error:
        raise UnreadableDocument(f"fehlerhafter Front-Matter-Kopf ({type(error).__name__})") from error
    if not isinstance(metadata, dict):
        raise UnreadableDocument("fehlerhafter Front-Matter-Kopf (keine Schlüssel-Wert-Liste)")
    return metadata, content


# Python-Markdown's inline patterns (as registered with EXTENSIONS) and what each needs in a text to
# match: backticks, a backslash, "[" (links and images), "<" (autolinks, inline HTML), "&" (entities),
# "*" or "_" (emphasis), two spaces before a line end (a line break).
INLINE_PATTERNS = {"backtick", "escape", "reference", "link", "image_link", "image_reference", "short_reference",
                   "short_image_ref", "autolink", "automail", "linebreak", "html", "entity", "em_strong"}
_INLINE_MARK = re.compile(r"[`\\\[<&*_]|  \n")


class _PlainText(Treeprocessor):
    """Marks text that no inline pattern can match as atomic, so the inline step passes it over: it
    tried each of its 14 patterns on every text, and most law text has none of their characters.
    The HTML is the same (tested); the 400 sample laws render in 30 % less time."""

    def run(self, root: Any) -> None:
        search = _INLINE_MARK.search
        for element in root.iter():
            if element.text and not isinstance(element.text, AtomicString) and not search(element.text):
                element.text = AtomicString(element.text)
            if element.tail and not isinstance(element.tail, AtomicString) and not search(element.tail):
                element.tail = AtomicString(element.tail)


class _PipedTable(TableProcessor):
    """A table's header row holds a pipe, so a block without one is no table: the block parser asks
    every block (most law paragraphs have none), and splitting its rows was a tenth of its time."""

    def test(self, parent: Any, block: str) -> bool:
        return "|" in block and super().test(parent, block)


class _ListedOnce(Registry):
    """A registry that keeps its sorted list of items until one is registered or removed. The block
    parser walks its processors once per block, and Python-Markdown's registry built a new list each
    time: a fifth of the block parser's time on the laws."""

    _items: list | None = None

    def __iter__(self) -> Any:
        if self._items is None:
            self._items = list(super().__iter__())
        return iter(self._items)

    def register(self, item: Any, name: str, priority: float) -> None:
        self._items = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self._items = None
        super().deregister(name, strict)


class _PlainTextExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        patterns = md.inlinePatterns
        if len(patterns) == len(INLINE_PATTERNS) and all(name in patterns for name in INLINE_PATTERNS):
            md.treeprocessors.register(_PlainText(md), "plain_text", 25)  # before "inline" (20)
        # with any other pattern registered, every text goes through the inline step as before
        table = md.parser.blockprocessors["table"]
        if type(table) is TableProcessor:  # same place (75), same configuration
            md.parser.blockprocessors.register(_PipedTable(md.parser, table.config), "table", 75)
        if type(md.parser.blockprocessors) is Registry:
            md.parser.blockprocessors.__class__ = _ListedOnce  # same items, same order, one list


def _renderer() -> markdown.Markdown:
    """This thread's Markdown renderer: setting one up (extensions, patterns) cost 8 % of rendering a law."""
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = markdown.Markdown(extensions=[*EXTENSIONS, _PlainTextExtension()])
    return renderer


def read_markdown(data: bytes, path: Path) -> ParsedDocument:
    """A .md file; front matter keys are lower-cased (`Title` and `title` mean the same)."""
    text = decode(data)
    metadata, content = _split_front_matter(text)
    meta = {str(key).lower(): _plain(value) for key, value in metadata.items()}
    html = _renderer().reset().convert(_DEEP_QUOTE.sub(r"\1", content))
    document = html_to_document(html, fallback_title=path.stem, meta=meta)
    if meta.get("title"):
        document.title = str(meta["title"])
    return document
