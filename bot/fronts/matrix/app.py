"""The Matrix bot: login by access token, the sync loop (each event handled once, also across
restarts), invites, and the entry point `lotse bot --front matrix`."""
from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from pathlib import Path

from nio import (AsyncClient, AsyncClientConfig, MegolmEvent, ReactionEvent, RoomMessageMedia, RoomMessageText,
                 SyncResponse, UnknownEncryptedEvent, WhoamiResponse)
from nio.crypto import ENCRYPTION_ENABLED

from indexer.private_files import private_dir, private_file

from ... import texts as shared
from ...access import AccessPolicy
from ...clock import Clock, utc_now
from ...config import Config, MatrixSettings
from ...core import ChatCore
from ...exchange import KnowledgeExchange, build_exchange
from ...periodic import run_periodic
from ..startup import warmed_core
from ...ids import MATRIX
from ...ratelimit import SlidingWindowLimiter
from . import handlers, texts
from .context import Incoming, MatrixServices
from .messenger import MatrixMessenger

log = logging.getLogger(__name__)
HANDLED = 5000  # event ids remembered against a double delivery within one run
RETRY_SECONDS = 2.0  # wait after a failed sync before the next attempt
AGE_TOLERANCE_MS = 250  # network delay between an event's age being measured and the bot reading it
ENCRYPTED_NOTICE_EVERY = 60.0  # seconds: every encrypted message gets the notice, a burst only one


class MatrixSetupError(Exception):
    """The Matrix bot cannot start as configured; the message (German) says what to change."""


def check_settings(settings: MatrixSettings) -> None:
    """Raise MatrixSetupError (with how to fix it) if the homeserver, account or token is missing."""
    missing = [name for name in ("homeserver", "user_id", "access_token") if not getattr(settings, name)]
    if missing:
        raise MatrixSetupError(texts.setup_help(missing))


def _reply_fallback_removed(body: str) -> str:
    """A reply's body without the quoted original ("> <@a:b> …" lines and the blank line after them)."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).strip()


class MatrixBot:
    """One Matrix account answering in its rooms; `run()` until cancelled."""

    def __init__(self, config: Config, core: ChatCore, clock: Clock = utc_now,
                 exchange: KnowledgeExchange | None = None, periodic: bool = True) -> None:
        """`exchange` is shared when fronts run in one process; then only one of them runs the
        `periodic` work."""
        settings = config.matrix
        check_settings(settings)
        self.state_dir = private_dir(config.index.data_dir / "matrix")
        self.encrypted = settings.encryption and ENCRYPTION_ENABLED
        if settings.encryption and not ENCRYPTION_ENABLED:
            log.warning("matrix-nio ohne Verschlüsselung installiert (matrix-nio[e2e]): verschlüsselte Räume "
                        "bekommen nur einen Hinweis.")
        crypto = private_dir(self.state_dir / "crypto")
        client = AsyncClient(settings.homeserver, settings.user_id, store_path=str(crypto),
                             config=AsyncClientConfig(max_timeout_retry_wait_time=RETRY_SECONDS * 2,
                                                      store_sync_tokens=False, encryption_enabled=self.encrypted))
        client.access_token = settings.access_token
        client.user_id = settings.user_id
        access = AccessPolicy.from_lists(MATRIX, settings.allowed_users, settings.allowed_rooms, settings.admins)
        if access.closed:
            log.warning("Keine allowed_users/allowed_rooms konfiguriert: nur Admins erhalten Antworten.")
        self.client = client
        self.lotse = MatrixServices(config, core, exchange or build_exchange(core, clock), access,
                                    SlidingWindowLimiter(settings.rate_limit_per_minute, 60.0),
                                    MatrixMessenger(client), settings.user_id)
        self.lotse.flows = self.lotse.messenger
        self.periodic = periodic
        self._handled: OrderedDict[str, None] = OrderedDict()
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task] = set()
        self._encrypted_notice: dict[str, float] = {}  # room → when the bot last said it cannot read it
        self._resumed, self._started = False, time.monotonic()
        self.syncs = 0  # completed syncs: 1 means the bot is up to date with its rooms

    @property
    def _token_path(self) -> Path:
        return self.state_dir / "sync_token"

    def _saved_token(self) -> str | None:
        try:
            return self._token_path.read_text().strip() or None
        except FileNotFoundError:
            return None

    def _save_token(self, token: str) -> None:
        """Kept in data_dir, so after a restart the bot goes on where it stopped: messages sent meanwhile
        are answered, none twice."""
        temporary = private_file(self._token_path.with_suffix(".tmp"))
        temporary.write_text(token)
        os.replace(temporary, self._token_path)

    async def _login(self) -> None:
        """With encryption: the device of the access token, and its keys from the crypto store in
        data_dir (created on first start and uploaded), so encrypted rooms can be read and answered."""
        if not self.encrypted:
            return
        whoami = await self.client.whoami()
        if not isinstance(whoami, WhoamiResponse) or not whoami.device_id:
            raise MatrixSetupError(texts.NO_DEVICE.format(error=getattr(whoami, "message", whoami)))
        self.client.restore_login(self.lotse.user_id, whoami.device_id, self.lotse.config.matrix.access_token)
        await self._keys()

    async def _keys(self) -> None:
        """Upload, query and claim encryption keys as nio asks, and send queued key shares."""
        if not self.encrypted:
            return
        client = self.client
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

    async def run(self) -> None:
        """Sync until cancelled; a lost connection is retried (nio backs off), errors are logged."""
        await self._login()
        since = self._saved_token()
        first = since is None
        self._resumed, self._started = not first, time.monotonic()
        checker = asyncio.create_task(run_periodic(self.lotse.flows, self.lotse.exchange)) if self.periodic else None
        try:
            while True:
                response = await self.client.sync(timeout=0 if first else self.lotse.config.matrix.sync_timeout_ms,
                                                  since=since, full_state=first or None)
                if not isinstance(response, SyncResponse):
                    log.warning("Matrix-Sync fehlgeschlagen: %s", getattr(response, "message", response))
                    await asyncio.sleep(RETRY_SECONDS)
                    continue
                await self._keys()
                await self._dispatch(response, history=first)
                since, first = response.next_batch, False
                self._save_token(since)
                self.syncs += 1
        finally:
            if checker is not None:
                checker.cancel()
            for task in list(self._tasks):
                task.cancel()

    async def _dispatch(self, response: SyncResponse, history: bool) -> None:
        """Join invites; hand each new event to its room's queue (one room in order, rooms in parallel).
        The first sync of a fresh bot is history: nothing in it is answered."""
        for room_id in response.rooms.invite:
            joined = await self.client.join(room_id)
            log.info("Einladung in %s angenommen: %s", room_id, joined)
        for room_id, info in response.rooms.join.items():
            events = [] if history else [e for e in info.timeline.events if self._new(e)]
            fresh = [e for e in events if getattr(e, "sender", None) != self.lotse.user_id and self._first_time(e)]
            if fresh or (not history and self._just_joined(info)):
                self._spawn(room_id, fresh, greet=self._just_joined(info) and not history)

    def _just_joined(self, info: object) -> bool:
        """The bot's own join is in this sync's timeline."""
        timeline = getattr(getattr(info, "timeline", None), "events", [])
        return any(getattr(e, "state_key", None) == self.lotse.user_id and getattr(e, "membership", None) == "join"
                   for e in timeline)

    def _new(self, event: object) -> bool:
        """Without a saved sync token, only events sent after the start count: the homeserver may
        answer a fresh bot's first sync from its cache, with a position some minutes old. An event's
        age is the homeserver's own measure, so clocks need not agree."""
        if self._resumed:
            return True
        age = getattr(event, "source", {}).get("unsigned", {}).get("age")
        return age is None or age <= (time.monotonic() - self._started) * 1000 + AGE_TOLERANCE_MS

    def _first_time(self, event: object) -> bool:
        event_id = getattr(event, "event_id", None)
        if not event_id or event_id in self._handled:
            return False
        self._handled[event_id] = None
        while len(self._handled) > HANDLED:
            self._handled.popitem(last=False)
        return True

    def _spawn(self, room_id: str, events: list, greet: bool) -> None:
        task = asyncio.create_task(self._room_events(room_id, events, greet))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _room_events(self, room_id: str, events: list, greet: bool) -> None:
        lock = self._room_locks.setdefault(room_id, asyncio.Lock())
        async with lock:
            room = self.client.rooms.get(room_id)
            if room is None:
                return
            if greet:
                await self._greet(room)
            for event in events:
                try:
                    await self._event(room, event)
                except Exception:
                    log.exception("Fehler bei der Bearbeitung von %s", getattr(event, "event_id", event))
                    await self._tell(room_id, shared.SOMETHING_WENT_WRONG)

    async def _greet(self, room) -> None:
        """After joining: a short introduction, and in an encrypted room the notice that the bot cannot read it."""
        unreadable = room.encrypted and not self.encrypted
        await self._tell(room.room_id, texts.ENCRYPTED if unreadable else texts.greeting(self.lotse.user_id))

    async def _tell(self, room_id: str, html: str) -> None:
        try:
            await self.lotse.messenger.send_html(room_id, html)
        except Exception as error:  # the room may be gone; nothing else to do
            log.info("Nachricht an %s nicht zugestellt: %s", room_id, error)

    async def _event(self, room, event) -> None:
        lotse = self.lotse
        if isinstance(event, RoomMessageText):
            relates = event.source.get("content", {}).get("m.relates_to", {})
            if relates.get("rel_type") == "m.replace":
                return  # edited messages are not asked again
            mentions = tuple(event.source.get("content", {}).get("m.mentions", {}).get("user_ids", []) or [])
            reply_to = relates.get("m.in_reply_to", {}).get("event_id")
            message = Incoming(room, event.event_id, event.sender, _reply_fallback_removed(event.body),
                               event.formatted_body or "", reply_to, mentions)
            await handlers.on_message(lotse, message)
        elif isinstance(event, ReactionEvent):
            await handlers.on_reaction(lotse, room.room_id, event.sender, event.reacts_to, event.key)
        elif isinstance(event, (MegolmEvent, UnknownEncryptedEvent)):
            now = time.monotonic()
            if now - self._encrypted_notice.get(room.room_id, -ENCRYPTED_NOTICE_EVERY) >= ENCRYPTED_NOTICE_EVERY:
                self._encrypted_notice[room.room_id] = now
                log.info("Nicht entschlüsselbare Nachricht in %s: Hinweis gesendet", room.room_id)
                await self._tell(room.room_id, texts.UNDECRYPTABLE if self.encrypted else texts.ENCRYPTED)
        elif isinstance(event, RoomMessageMedia) and room.member_count <= 2:
            await self._tell(room.room_id, shared.NON_TEXT)

    async def close(self) -> None:
        await self.client.close()


def run_matrix_bot(config: Config) -> None:
    """Run the Matrix bot until interrupted."""
    check_settings(config.matrix)  # before loading the model: a missing token is said at once
    bot = MatrixBot(config, warmed_core(config, "!reindex"))

    async def main() -> None:
        try:
            await bot.run()
        finally:
            await bot.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
