"""The inline buttons under an answer and their callback data, kept tiny and parsed strictly.

Callback data is ``f+:<question id>`` / ``f-:<question id>`` for 👍/👎, ``m:<question id>``
for "Mehr Quellen", ``h:<question id>`` for "An Expert:in weiterleiten" and ``hn:``/``ha:``/``hx:``
for the asker's consent (with name, anonymous, cancel); anything else (old formats, forged data)
parses to None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ...core import Answer
from ...phrases import label

_DATA = re.compile(r"(f\+|f-|m|h|hn|ha|hx):([0-9]{1,12})")


@dataclass(frozen=True)
class ButtonPress:
    """A decoded button press: what was asked for and for which logged question."""

    action: str  # "up" | "down" | "more" | "handoff" | "named" | "anonymous" | "cancel"
    question_id: int


_ACTIONS = {"f+": "up", "f-": "down", "m": "more", "h": "handoff", "hn": "named", "ha": "anonymous", "hx": "cancel"}
HANDOFF = label("handoff_button")
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


def is_handoff(data: object) -> bool:
    """Pattern for the "An Expert:in weiterleiten" handler."""
    press = parse(data if isinstance(data, str) else None)
    return press is not None and press.action == "handoff"


def is_consent(data: object) -> bool:
    """Pattern for the asker's answer to "Name mitschicken oder anonym?"."""
    press = parse(data if isinstance(data, str) else None)
    return press is not None and press.action in ("named", "anonymous", "cancel")


def handoff_keyboard(question_id: int) -> InlineKeyboardMarkup:
    """The one button that offers a hand-off (after 👎)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(HANDOFF, callback_data=encode("handoff", question_id))]])


def consent_keyboard(question_id: int) -> InlineKeyboardMarkup:
    """With name, anonymous, or cancel."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("Mit meinem Namen", callback_data=encode("named", question_id)),
         InlineKeyboardButton("Anonym", callback_data=encode("anonymous", question_id))],
        [InlineKeyboardButton("Abbrechen", callback_data=encode("cancel", question_id))],
    ])


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """👍 / 👎, "Mehr Quellen" when there are more, and the hand-off when the bot was unsure;
    None for answers that were not logged."""
    if answer.question_id is None:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    if "feedback" in answer.actions:
        rows.append([InlineKeyboardButton("👍", callback_data=encode("up", answer.question_id)),
                     InlineKeyboardButton("👎", callback_data=encode("down", answer.question_id))])
    if "more_sources" in answer.actions and answer.more_sources:
        rows.append([InlineKeyboardButton(label("more_button", answer.language), callback_data=encode("more", answer.question_id))])
    if "handoff" in answer.actions:
        rows.append([InlineKeyboardButton(label("handoff_button", answer.language),
                                          callback_data=encode("handoff", answer.question_id))])
    return InlineKeyboardMarkup(rows) if rows else None
