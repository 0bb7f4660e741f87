"""Sending on Matrix: chat HTML as `formatted_body` with a plain `body`, edits (m.replace), replies,
and direct rooms for people the bot writes to first (hand-off experts). bot.front.Messenger."""
from __future__ import annotations

import logging
from html import unescape

from bs4 import BeautifulSoup
from nio import AsyncClient, RoomCreateError, RoomPreset, RoomSendResponse

from ...front import Unreachable
from ...html_blocks import pack
from ...ids import MATRIX, front_of, local

log = logging.getLogger(__name__)
MAX_MESSAGE = 16000  # HTML per event; with the plain body it stays far below Matrix's 64 KiB event limit
MSGTYPE = "m.notice"  # bots send notices: other bots do not answer them, clients show them as a bot's


def plain_text(html: str) -> str:
    """The plain `body` for chat HTML: tags dropped, links as "text (url)", entities decoded."""
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.find_all("a"):
        href, text = link.get("href", ""), link.get_text()
        link.replace_with(f"{text} ({href})" if href and href != text else text)
    return unescape(soup.get_text())


def content(html: str, reply_to: str | None = None) -> dict:
    """A message event's content for `html`; optionally as a Matrix reply to event `reply_to`."""
    body = {"msgtype": MSGTYPE, "body": plain_text(html), "format": "org.matrix.custom.html", "formatted_body": html}
    if reply_to:
        body["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return body


class MatrixMessenger:
    """Sends to rooms ("matrix:!room:server") and people ("matrix:@anna:server", in a direct room)."""

    front = MATRIX

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self._direct: dict[str, str] = {}  # user id → direct room id

    def reaches(self, chat_id: str) -> bool:
        return front_of(chat_id) == MATRIX

    async def send(self, chat_id: str, blocks: list[str], answer_here: bool = False) -> str:
        """bot.front.Messenger.send; a person is written to in a direct room (created if needed)."""
        if front_of(chat_id) != MATRIX:
            raise Unreachable(f"keine Matrix-ID: {chat_id}")
        room_id = await self.room_for(local(chat_id))
        event_id = ""
        for part in pack(blocks, MAX_MESSAGE):
            event_id = await self.send_html(room_id, part)
        return event_id

    async def send_html(self, room_id: str, html: str, reply_to: str | None = None) -> str:
        """Send one HTML message; returns its event id. Raises Unreachable if the server refuses."""
        response = await self.client.room_send(room_id, "m.room.message", content(html, reply_to),
                                               ignore_unverified_devices=True)
        if not isinstance(response, RoomSendResponse):
            raise Unreachable(f"{room_id}: {getattr(response, 'message', response)}")
        return response.event_id

    async def send_parts(self, room_id: str, blocks: list[str], reply_to: str | None = None) -> str:
        """Blocks packed into messages (the first as a reply to `reply_to`); returns the last event id."""
        event_id = ""
        for number, part in enumerate(pack(blocks, MAX_MESSAGE)):
            event_id = await self.send_html(room_id, part, reply_to if number == 0 else None)
        return event_id

    async def edit(self, room_id: str, event_id: str, html: str) -> bool:
        """Replace the text of our message `event_id` (m.replace); False if the server refused."""
        new = content(html)
        edit = {**new, "body": f"* {new['body']}", "formatted_body": f"* {html}", "m.new_content": new,
                "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}}
        response = await self.client.room_send(room_id, "m.room.message", edit, ignore_unverified_devices=True)
        if not isinstance(response, RoomSendResponse):
            log.warning("Nachricht %s nicht bearbeitet: %s", event_id, getattr(response, "message", response))
            return False
        return True

    async def room_for(self, target: str) -> str:
        """`target` if it is a room id; for a person their direct room with the bot (created once)."""
        if not target.startswith("@"):
            return target
        if target in self._direct and self._direct[target] in self.client.rooms:
            return self._direct[target]
        for room in self.client.rooms.values():
            if room.member_count == 2 and target in room.users:
                self._direct[target] = room.room_id
                return room.room_id
        created = await self.client.room_create(is_direct=True, invite=[target], preset=RoomPreset.trusted_private_chat)
        if isinstance(created, RoomCreateError):
            raise Unreachable(f"{target}: {created.message}")
        self._direct[target] = created.room_id
        return created.room_id
