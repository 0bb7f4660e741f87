"""The user side of the stand-in: queue messages, button presses and replies for the bot."""

from __future__ import annotations

import copy
from typing import Any

from .html import auto_entities
from .records import JSON
from .state import StandInState


class UserSide(StandInState):
    """Methods a test calls to act as a Telegram user; each queues one update for getUpdates."""

    def send_text(self, user_id: int, text: str, chat_id: int | None = None,
                  chat_type: str | None = None, username: str | None = None,
                  first_name: str = "Tester", reply_to_message: JSON | int | None = None,
                  entities: list[JSON] | None = None, *, chat_title: str | None = None) -> JSON:
        """Queue a text message from a user; bot_command/mention entities are automatic.

        ``chat_id`` defaults to the private chat; a negative id means a group chat.
        ``reply_to_message`` is a message dict or the id of a stored message in that chat.
        """
        with self._cond:
            msg = self._user_message(user_id, chat_id, chat_type, username, first_name,
                                     chat_title, reply_to_message)
            msg["text"] = text
            ents = auto_entities(text) if entities is None else entities
            if ents:
                msg["entities"] = ents
            return self._queue("message", msg)

    def send_sticker(self, user_id: int, chat_id: int | None = None, emoji: str = "👍",
                     **kwargs: Any) -> JSON:
        """Queue a sticker message (kwargs as in :meth:`send_text`)."""
        with self._cond:
            msg = self._user_message(user_id, chat_id, **kwargs)
            msg["sticker"] = {**self._file("sticker"), "type": "regular", "width": 512,
                              "height": 512, "is_animated": False, "is_video": False,
                              "emoji": emoji}
            return self._queue("message", msg)

    def send_photo(self, user_id: int, chat_id: int | None = None, caption: str | None = None,
                   **kwargs: Any) -> JSON:
        """Queue a photo message, optionally with caption (kwargs as in :meth:`send_text`)."""
        with self._cond:
            msg = self._user_message(user_id, chat_id, **kwargs)
            msg["photo"] = [{**self._file("photo"), "width": w, "height": w, "file_size": w * 90}
                            for w in (90, 320, 800)]
            if caption is not None:
                msg["caption"] = caption
            return self._queue("message", msg)

    def send_callback(self, user_id: int, chat_id: int, message_id: int, data: str) -> JSON:
        """Queue a button press on a message (normally one the bot sent with a keyboard)."""
        with self._cond:
            message = copy.deepcopy(self._stored(chat_id, message_id))
            query = {"id": str(next(self._callback_ids)), "from": self._user(user_id),
                     "message": message, "chat_instance": str(abs(chat_id)), "data": data}
            return self._queue("callback_query", query)

    def reply_to_bot_message(self, user_id: int, chat_id: int, bot_message_id: int,
                             text: str, **kwargs: Any) -> JSON:
        """Queue a user's reply to a message the bot sent earlier."""
        with self._cond:
            original = copy.deepcopy(self._stored(chat_id, bot_message_id))
            if original["from"]["id"] != self.bot_user["id"]:
                raise ValueError(f"message {bot_message_id} in {chat_id} was not sent by the bot")
        return self.send_text(user_id, text, chat_id=chat_id, reply_to_message=original, **kwargs)
