"""A generation's documents as search sees them: access groups, outdated, successor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class SearchDocument:
    """A generation's document as search sees it: who may see it, whether it is outdated."""

    title: str
    path: str
    meta: dict
    access: frozenset[str]
    outdated: bool
    successor: int | None = None  # id of the indexed document that supersedes this one

    def visible_to(self, groups: frozenset[str]) -> bool:
        return not self.access or bool(self.access & groups)

    @property
    def glossary(self) -> bool:
        """Glossaries feed query expansion and definitions, not passage retrieval."""
        return str(self.meta.get("type", "")).lower() in {"glossary", "glossar"}


def is_outdated(meta: dict, today: date, broken_link: bool) -> bool:
    """Replaced by an indexed successor (unless the link is broken) or past its `valid_until`."""
    if meta.get("superseded_by") and not broken_link:
        return True
    valid_until = meta.get("valid_until")
    if not valid_until:
        return False
    try:
        return date.fromisoformat(str(valid_until)[:10]) < today
    except ValueError:
        return False
