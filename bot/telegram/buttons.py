"""The inline buttons under an answer and their callback data, kept tiny and parsed strictly.

Callback data is ``f+:<question id>`` / ``f-:<question id>`` for 👍/👎 and ``m:<question id>``
for "Mehr Quellen"; anything else (old formats, forged data) parses to None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..core import Answer

_DATA = re.compile(r"(f\+|f-|m):([0-9]{1,12})")


@dataclass(frozen=True)
class ButtonPress:
    """A decoded button press: what was asked for and for which logged question."""

    action: str  # "up" | "down" | "more"
    question_id: int


_ACTIONS = {"f+": "up", "f-": "down", "m": "more"}
_CODES = {action: code for code, action in _ACTIONS.items()}


def encode(action: str, question_id: int) -> str:
    """Callback data for one button (well below Telegram's 64-byte limit)."""
    return f"{_CODES[action]}:{question_id}"


def parse(data: str | None) -> ButtonPress | None:
    """The press encoded in `data`, or None if it is not one of ours."""
    match = _DATA.fullmatch(data or "")
    return ButtonPress(_ACTIONS[match.group(1)], int(match.group(2))) if match else None


def is_feedback(data: object) -> bool:
    """Pattern for the 👍 / 👎 handler."""
    press = parse(data if isinstance(data, str) else None)
    return press is not None and press.action in ("up", "down")


def is_more(data: object) -> bool:
    """Pattern for the "Mehr Quellen" handler."""
    press = parse(data if isinstance(data, str) else None)
    return press is not None and press.action == "more"


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """👍 / 👎 and, when there are more, "Mehr Quellen"; None for answers that were not logged."""
    if answer.question_id is None:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    if "feedback" in answer.actions:
        rows.append([InlineKeyboardButton("👍", callback_data=encode("up", answer.question_id)),
                     InlineKeyboardButton("👎", callback_data=encode("down", answer.question_id))])
    if "more_sources" in answer.actions and answer.more_sources:
        rows.append([InlineKeyboardButton("Mehr Quellen", callback_data=encode("more", answer.question_id))])
    return InlineKeyboardMarkup(rows) if rows else None
