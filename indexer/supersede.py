"""Which document replaces which (front matter `superseded_by`), and the links that cannot hold.

One rule for the search side and the run report: a link counts only when it points to another
indexed document and does not lead back to where it started. Self-links and cycles count as
"not superseded" and are reported, naming the files.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Succession:
    """Valid links (document → successor, both indexed) and the broken ones with a reason."""

    successors: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # path → German reason


def target(value: object) -> str:
    """The path a `superseded_by` value names ("./a/b.md" → "a/b.md"; "" when none)."""
    return str(value or "").strip().lstrip("./")


def resolve(links: dict[str, str], indexed: set[str]) -> Succession:
    """Resolve `links` (path → named successor) among the `indexed` paths."""
    result = Succession()
    for path, successor in links.items():
        if not successor:
            continue
        if successor == path:
            result.problems[path] = "ersetzt sich selbst (superseded_by zeigt auf die eigene Datei)"
        elif successor in indexed:
            result.successors[path] = successor
    for path in list(result.successors):
        chain, current = [path], result.successors[path]
        while current in result.successors and current not in chain:
            chain.append(current)
            current = result.successors[current]
        if current == path:
            result.problems[path] = "superseded_by bildet einen Kreis: " + " → ".join([*chain, path])
    for path in result.problems:
        result.successors.pop(path, None)
    return result
