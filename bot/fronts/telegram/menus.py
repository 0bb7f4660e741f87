"""Inline keyboards of the onboarding path and of the review of expert answers, with their
callback data, kept tiny and parsed strictly (anything else parses to None).

Onboarding: ``ob:path`` (overview), ``ob:next`` (next step), ``ob:done:<step number>``,
``ob:dep:<0 = common steps only, else 1-based department>``.
Review: ``rv:a:<hand-off id>`` (approve), ``rv:e:<id>`` (edit), ``rv:z:<id>`` (access), ``rv:r:<id>`` (reject).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

_ONBOARDING = re.compile(r"ob:(path|next)|ob:(done|dep):([0-9]{1,6})")
_REVIEW = re.compile(r"rv:([aezr]):([0-9]{1,12})")
REVIEW_ACTIONS = {"a": "approve", "e": "edit", "z": "access", "r": "reject"}


@dataclass(frozen=True)
class MenuPress:
    """A decoded press: what to do, and for which step, department or entry (0 if none)."""

    action: str
    number: int = 0


def parse_onboarding(data: object) -> MenuPress | None:
    match = _ONBOARDING.fullmatch(data) if isinstance(data, str) else None
    if match is None:
        return None
    return MenuPress(match.group(1)) if match.group(1) else MenuPress(match.group(2), int(match.group(3)))


def parse_review(data: object) -> MenuPress | None:
    match = _REVIEW.fullmatch(data) if isinstance(data, str) else None
    return MenuPress(REVIEW_ACTIONS[match.group(1)], int(match.group(2))) if match else None


def is_onboarding(data: object) -> bool:
    return parse_onboarding(data) is not None


def is_review(data: object) -> bool:
    return parse_review(data) is not None


def path_keyboard(finished: bool, departments: list[str]) -> InlineKeyboardMarkup | None:
    """Under the overview: "Weiter" (unless finished) and, if there are several paths, the departments."""
    rows = [] if finished else [[InlineKeyboardButton("Weiter ▶", callback_data="ob:next")]]
    if departments:
        rows += [[InlineKeyboardButton(f"Bereich: {name}"[:60], callback_data=f"ob:dep:{n}")]
                 for n, name in enumerate(departments, start=1)]
        rows.append([InlineKeyboardButton("Nur allgemeine Schritte", callback_data="ob:dep:0")])
    return InlineKeyboardMarkup(rows) if rows else None


def step_keyboard(number: int) -> InlineKeyboardMarkup:
    """Under a step: "Erledigt" and back to the overview."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("✅ Erledigt", callback_data=f"ob:done:{number}"),
                                  InlineKeyboardButton("Übersicht", callback_data="ob:path")]])


def start_keyboard() -> InlineKeyboardMarkup:
    """Under the welcome of a new person."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("Onboarding starten", callback_data="ob:path")]])


def review_keyboard(handoff_id: int) -> InlineKeyboardMarkup:
    """Under a pending expert answer."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ Freigeben", callback_data=f"rv:a:{handoff_id}"),
        InlineKeyboardButton("✏️ Bearbeiten", callback_data=f"rv:e:{handoff_id}"),
    ], [
        InlineKeyboardButton("🔒 Zugriff", callback_data=f"rv:z:{handoff_id}"),
        InlineKeyboardButton("🗑 Verwerfen", callback_data=f"rv:r:{handoff_id}"),
    ]])
