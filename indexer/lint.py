"""Warnings about metadata that would mislead without a word: unknown keys, groups nobody is in.

Checked over every document of the index after each run (not only the re-read ones), so a warning
stays in the report until the file is fixed.
"""
from __future__ import annotations

from typing import Iterable

from .access import groups_of
from .readers.metadata import near_miss, unknown_keys
from .records import IndexWarning


def metadata_warnings(
    documents: Iterable[tuple[str, dict, str | None]], known_groups: Iterable[str] | None
) -> list[IndexWarning]:
    """Notices for (path, meta, stored access) rows; groups are checked only if `known_groups` is given."""
    known = None if known_groups is None else frozenset(known_groups)
    notices: list[IndexWarning] = []
    for path, meta, access in documents:
        for key in unknown_keys(meta):
            guess = near_miss(key)
            hint = f" (gemeint: „{guess}“?)" if guess else ""
            effect = " – das Dokument ist damit für alle sichtbar" if guess == "access" and "access" not in meta else ""
            notices.append(IndexWarning(path, f"unbekannter Schlüssel „{key}“{hint} wird ignoriert{effect}"))
        if known is not None:
            for group in sorted((groups_of(access) or frozenset()) - known):
                notices.append(IndexWarning(path, f"Zugriffsgruppe „{group}“ ist in [groups] nicht eingerichtet – "
                                            "außer über die Kommandozeile (--group) sieht das Dokument niemand"))
    return notices
