"""The fake Bot API methods: each request is checked, applied to the state and recorded."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from .html import parse_html
from .records import MAX_TEXT, JSON, ApiError, Call
from .state import StandInState

_MEDIA = {"sendPhoto": "photo", "sendDocument": "document", "sendSticker": "sticker",
          "sendAudio": "audio", "sendVideo": "video", "sendVoice": "voice",
          "sendAnimation": "animation"}
# Implemented methods and the BotApi attribute answering each; the rest go to _fallback.
_METHODS = {
    "getMe": "_get_me", "logOut": "_true", "close": "_true", "getUpdates": "_get_updates",
    "setWebhook": "_set_webhook", "deleteWebhook": "_delete_webhook",
    "getWebhookInfo": "_webhook_info", "setMyCommands": "_set_commands",
    "getMyCommands": "_get_commands", "deleteMyCommands": "_delete_commands",
    "sendMessage": "_send_message", "editMessageText": "_edit_text",
    "editMessageReplyMarkup": "_edit_markup", "deleteMessage": "_delete_message",
    "answerCallbackQuery": "_true", "sendChatAction": "_true"}
_BY_LOWER = {name.lower(): (name, attr) for name, attr in _METHODS.items()}


class BotApi(StandInState):
    """The server side: :meth:`dispatch` runs one Bot API method (from an HTTP handler thread)."""

    def dispatch(self, token: str, method: str, params: JSON) -> tuple[int, JSON]:
        """Run one API method under the lock, record it and build the JSON answer."""
        with self._cond:
            name, attr = _BY_LOWER.get(method.lower(), (method, None))
            try:
                if token != self.token:
                    raise ApiError(401, "Unauthorized")
                self._check_failures(name, params)
                result = copy.deepcopy(getattr(self, attr)(params) if attr
                                       else self._fallback(name, params))
                status, payload = 200, {"ok": True, "result": result}
            except ApiError as err:
                status, result = err.status, err.description
                payload = {"ok": False, "error_code": status, "description": result}
                if err.parameters:
                    payload["parameters"] = err.parameters
            self._calls.append(Call(name, params, time.time(), status, result))
            self._cond.notify_all()
            return status, payload

    def _true(self, p: JSON) -> bool:
        return True

    def _get_me(self, p: JSON) -> JSON:
        return self.bot_user

    def _check_failures(self, name: str, p: JSON) -> None:
        chat = p.get("chat_id")
        if chat in self._blocked and name.startswith(("send", "copy", "forward")):
            raise ApiError(403, self._blocked[chat])
        for f in self._failures:
            if f.method == name.lower() and f.remaining != 0 and f.chat_id in (None, chat):
                f.remaining = None if f.remaining is None else f.remaining - 1
                raise ApiError(f.status, f.description, f.parameters)

    def _fallback(self, name: str, p: JSON) -> Any:
        """Unknown methods answer True; unknown send* methods answer a Message."""
        if not name.startswith("send"):
            return True
        msg = self._bot_message(p)
        if name in _MEDIA:
            media = {**self._file(_MEDIA[name]), "width": 1, "height": 1, "duration": 1,
                     "type": "regular", "is_animated": False, "is_video": False}
            msg[_MEDIA[name]] = [media] if name == "sendPhoto" else media
        if isinstance(p.get("caption"), str):
            msg["caption"] = p["caption"]
        return msg

    def _get_updates(self, p: JSON) -> list[JSON]:
        """Long poll: confirm updates below offset, wait up to min(timeout, max_poll_wait)."""
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                                " use deleteWebhook to delete the webhook first")
        offset = int(p.get("offset") or 0)
        if p.get("allowed_updates") is not None:
            self._allowed_updates = p["allowed_updates"] or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        def ready() -> list[JSON]:
            allowed = self._allowed_updates
            return [u for u in self._updates if not allowed or any(k in u for k in allowed)]

        wait = min(float(p.get("timeout") or 0), self.max_poll_wait)
        self._cond.wait_for(lambda: self._stopping or bool(ready()), timeout=wait)
        return ready()[: int(p.get("limit") or 100)]

    def _set_webhook(self, p: JSON) -> bool:
        self._webhook_url = str(p.get("url") or "")
        return True

    def _delete_webhook(self, p: JSON) -> bool:
        self._webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _webhook_info(self, p: JSON) -> JSON:
        return {"url": self._webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def _commands_key(self, p: JSON) -> str:
        """Key of a menu; like Telegram, a chat scope needs a chat the bot knows ("chat not found"
        for a user who has never opened the chat)."""
        scope = p.get("scope") or {"type": "default"}
        if str(scope.get("type", "")).startswith("chat") and scope.get("chat_id") not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return json.dumps([scope, p.get("language_code") or ""], sort_keys=True)

    def _set_commands(self, p: JSON) -> bool:
        self._commands[self._commands_key(p)] = list(p.get("commands") or [])
        return True

    def _get_commands(self, p: JSON) -> list[JSON]:
        return self._commands.get(self._commands_key(p), [])

    def _delete_commands(self, p: JSON) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _text_content(self, p: JSON) -> JSON:
        """Validate text/parse_mode like Telegram and return {"text", "entities"?}."""
        text, entities = str(p.get("text") or ""), p.get("entities")
        if self.validate_html and str(p.get("parse_mode") or "").upper() == "HTML":
            try:
                text, entities = parse_html(text, self.strict_html)
            except ValueError as err:
                raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return {"text": text, **({"entities": entities} if entities else {})}

    def _bot_message(self, p: JSON, content: JSON | None = None) -> JSON:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        reply = p.get("reply_parameters") or {}
        msg = self._new_message(self._chat(chat_id), copy.deepcopy(self.bot_user),
                                reply.get("message_id") or p.get("reply_to_message_id"))
        msg.update(content or {})
        markup = p.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            msg["reply_markup"] = markup  # like Telegram, only inline keyboards are echoed
        return msg

    def _send_message(self, p: JSON) -> JSON:
        return self._bot_message(p, self._text_content(p))

    def _find(self, p: JSON, action: str) -> JSON:
        msg = self._messages.get((p.get("chat_id"), p.get("message_id")))  # type: ignore[arg-type]
        if msg is None:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        return msg

    def _apply_edit(self, msg: JSON, content: JSON, markup: Any) -> JSON:
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        old = {k: msg.get(k) for k in ("text", "entities", "reply_markup")}
        if old == {"entities": None, "reply_markup": markup, **content}:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        for key in ("entities", "reply_markup"):
            msg.pop(key, None)
        msg.update(content, edit_date=int(time.time()))
        if markup:
            msg["reply_markup"] = markup
        return msg

    def _edit_text(self, p: JSON) -> JSON | bool:
        if p.get("inline_message_id"):
            return True
        return self._apply_edit(self._find(p, "edit"), self._text_content(p), p.get("reply_markup"))

    def _edit_markup(self, p: JSON) -> JSON | bool:
        if p.get("inline_message_id"):
            return True
        msg = self._find(p, "edit")
        content = {k: msg[k] for k in ("text", "entities") if k in msg}
        return self._apply_edit(msg, content, p.get("reply_markup"))

    def _delete_message(self, p: JSON) -> bool:
        msg = self._find(p, "delete")
        del self._messages[(msg["chat"]["id"], msg["message_id"])]
        return True
