"""Topic experts: [handoff] topics maps a keyword to the handle of the person who knows the topic."""
from __future__ import annotations


def topic_experts(text: str, topics: dict[str, str]) -> list[str]:
    """The handles of the topic experts ([handoff] topics) whose keyword occurs in `text`."""
    lowered = text.lower()
    return [handle for keyword, handle in topics.items() if keyword.lower() in lowered]
