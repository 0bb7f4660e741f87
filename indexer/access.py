"""Who may see a document, as far as a file says it, and when an old version would widen that.

An access wish is None (no restriction stated), a set of groups (members of any one may see it), or
RESTRICTED: an access line is there but its groups cannot be read (a broken header, `access: []`).
Combining wishes only ever narrows; anything unclear counts as restricted (fail closed).
"""
from __future__ import annotations

import re
from typing import Iterable, Union


class _Restricted:
    def __repr__(self) -> str:
        return "RESTRICTED"


RESTRICTED = _Restricted()
Wish = Union[None, frozenset, _Restricted]

_LINE = re.compile(r"^[ \t\ufeff]*[\"']?access[\"']?[ \t]*[:=](.*)$", re.IGNORECASE | re.MULTILINE)
_META = re.compile(r"<meta\b[^>]*\bname\s*=\s*[\"']?access\b[^>]*>", re.IGNORECASE)
_CONTENT = re.compile(r"\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
_PDF_KEY = re.compile(rb"/Access\s*\(([^)]*)\)", re.IGNORECASE)
SNIFF_BYTES = 1_000_000
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".toml")


def groups_of(value: str | None) -> frozenset | None:
    """A stored `access` column ("a,b") as a set of groups; None for a public document."""
    groups = frozenset(part.strip() for part in (value or "").split(",") if part.strip())
    return groups or None


_EMPTY = {"", "null", "~", "none"}  # YAML's ways of writing "nothing"


def _wish_from_values(values: Iterable[str]) -> Wish:
    parts = (part.strip(" \t\"'[]") for value in values for part in value.split(","))
    groups = frozenset(part for part in parts if part.lower() not in _EMPTY)
    return groups or RESTRICTED


def sniff_access(data: bytes, suffix: str) -> Wish:
    """What a file that cannot be parsed visibly says about access: an `access:` / `access =`
    line (front matter, folder file), a `<meta name="access">` tag, a plain PDF `/Access` key.
    Compressed formats (DOCX) say nothing."""
    if suffix == ".pdf":
        values = [match.decode("latin-1") for match in _PDF_KEY.findall(data)]
        return _wish_from_values(values) if values else None
    if suffix not in TEXT_SUFFIXES:
        return None
    text = data[:SNIFF_BYTES].decode("utf-8", "replace")
    lines = [match[1].split("#")[0] for match in _LINE.finditer(text)]
    for tag in _META.findall(text):
        content = _CONTENT.search(tag)
        lines.append(next((g for g in content.groups() if g is not None), "") if content else "")
    return _wish_from_values(lines) if lines else None


def narrow(first: Wish, second: Wish) -> Wish:
    """Both wishes at once: the intersection of their groups; RESTRICTED stays restricted."""
    if first is None:
        return second
    if second is None:
        return first
    if first is RESTRICTED:
        return second
    if second is RESTRICTED:
        return first
    return first & second


def widens(previous: frozenset | None, wanted: Wish) -> bool:
    """Would keeping a document stored with `previous` access show it to anyone `wanted` excludes?

    A restricted previous version under a RESTRICTED wish is kept: the file names no groups that
    tell otherwise. A public one is withdrawn as soon as the file asks for any restriction.
    """
    if wanted is None:
        return False
    if previous is None:
        return True
    if wanted is RESTRICTED:
        return False
    return not previous <= wanted
