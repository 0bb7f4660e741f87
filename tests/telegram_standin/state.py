"""The stand-in's state (users, chats, messages, queued updates) and the helpers that shape it.

Every helper here expects the caller to hold ``self._cond``.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from typing import TYPE_CHECKING

from .records import JSON, Call, Failure

if TYPE_CHECKING:
    from .http import Server


class StandInState:
    """What the fake server remembers; shared by the user side, the API side and the test side."""

    def __init__(self, token: str = "123:TEST", bot_username: str = "wissenslotse_bot", *,
                 bot_first_name: str = "Wissenslotse", validate_html: bool = True,
                 strict_html: bool = True, max_poll_wait: float = 1.0) -> None:
        bot_id = token.split(":")[0]
        self.token, self.validate_html, self.max_poll_wait = token, validate_html, max_poll_wait
        self.strict_html = strict_html
        self.bot_user: JSON = {
            "id": int(bot_id) if bot_id.isdigit() else 1, "is_bot": True,
            "first_name": bot_first_name, "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False}
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._updates: list[JSON] = []
        self._update_ids, self._callback_ids = itertools.count(1), itertools.count(1)
        self._file_ids = itertools.count(1)
        self._next_msg_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._commands: dict[str, list[JSON]] = {}
        self._webhook_url, self._allowed_updates = "", None
        self._blocked: dict[int | str, str] = {}
        self._failures: list[Failure] = []
        self._stopping = False
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def _queue(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _user(self, user_id: int, username: str | None = None, first_name: str = "Tester") -> JSON:
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False,
                                                "first_name": first_name, "language_code": "de"})
        if username:
            user["username"] = username
        return copy.deepcopy(user)

    def _chat(self, chat_id: int, chat_type: str | None = None, title: str | None = None,
              user: JSON | None = None) -> JSON:
        if chat_id not in self._chats:
            chat_type = chat_type or ("private" if chat_id > 0 else "group")
            chat: JSON = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat.update({k: v for k, v in (user or {}).items()
                             if k in ("first_name", "username")} or {"first_name": "User"})
            else:
                chat["title"] = title or f"Testgruppe {chat_id}"
            self._chats[chat_id] = chat
        return copy.deepcopy(self._chats[chat_id])

    def _new_message(self, chat: JSON, sender: JSON, reply_to: JSON | int | None = None) -> JSON:
        mid = self._next_msg_id[chat["id"]] = self._next_msg_id.get(chat["id"], 0) + 1
        msg = {"message_id": mid, "from": sender, "chat": chat, "date": int(time.time())}
        if isinstance(reply_to, int):
            reply_to = self._messages.get((chat["id"], reply_to))
        if reply_to:
            msg["reply_to_message"] = {k: v for k, v in copy.deepcopy(reply_to).items()
                                       if k != "reply_to_message"}
        self._messages[(chat["id"], mid)] = msg
        return msg

    def _user_message(self, user_id: int, chat_id: int | None = None,
                      chat_type: str | None = None, username: str | None = None,
                      first_name: str = "Tester", chat_title: str | None = None,
                      reply_to_message: JSON | int | None = None) -> JSON:
        user = self._user(user_id, username, first_name)
        chat = self._chat(user_id if chat_id is None else chat_id, chat_type, chat_title, user)
        return self._new_message(chat, user, reply_to_message)

    def _stored(self, chat_id: int, message_id: int) -> JSON:
        try:
            return self._messages[(chat_id, message_id)]
        except KeyError:
            known = sorted(m for c, m in self._messages if c == chat_id)
            raise KeyError(f"no message {message_id} in chat {chat_id}; known: {known}") from None

    def _file(self, kind: str) -> JSON:
        n = next(self._file_ids)
        return {"file_id": f"{kind}-{n}", "file_unique_id": f"u{kind}{n}"}
