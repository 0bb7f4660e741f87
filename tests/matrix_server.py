"""A real Synapse homeserver for tests (SQLite, 127.0.0.1, no federation, rate limits off), and
Matrix users driven over the Client-Server API with httpx, polling with timeouts."""
from __future__ import annotations

import asyncio
import ctypes
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import httpx

SERVER_NAME = "lotse.test"
SECRET = "test-registration-secret"
UNLIMITED = {"per_second": 10000, "burst_count": 10000}
CONFIG = """\
server_name: "{server_name}"
pid_file: "{dir}/homeserver.pid"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{dir}/homeserver.db"
log_config: "{dir}/log.yaml"
media_store_path: "{dir}/media"
signing_key_path: "{dir}/signing.key"
registration_shared_secret: "{secret}"
macaroon_secret_key: "{macaroon}"
form_secret: "{form}"
report_stats: false
enable_registration: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
presence:
  enabled: false
rc_message: {unlimited}
rc_registration: {unlimited}
rc_login:
  address: {unlimited}
  account: {unlimited}
  failed_attempts: {unlimited}
rc_joins:
  local: {unlimited}
  remote: {unlimited}
rc_joins_per_room: {unlimited}
rc_invites:
  per_room: {unlimited}
  per_user: {unlimited}
  per_issuer: {unlimited}
rc_admin_redaction: {unlimited}
rc_3pid_validation: {unlimited}
"""
LOG_CONFIG = """\
version: 1
formatters:
  plain:
    format: "%(asctime)s %(levelname)s %(name)s: %(message)s"
handlers:
  file:
    class: logging.FileHandler
    filename: "{dir}/homeserver.log"
    formatter: plain
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
"""


def _die_with_parent() -> None:
    """In the homeserver's process: end when the test run ends, even if it is killed (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: the session fixture's stop() still ends it
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Synapse:
    """One homeserver process in `directory`; `start()` and `stop()` may be called again (restart)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = directory / "homeserver.yaml"
        self.process: subprocess.Popen | None = None
        directory.mkdir(parents=True, exist_ok=True)
        unlimited = json.dumps(UNLIMITED)
        self.config.write_text(CONFIG.format(server_name=SERVER_NAME, dir=directory, port=self.port, secret=SECRET,
                                             macaroon=uuid.uuid4().hex, form=uuid.uuid4().hex, unlimited=unlimited))
        (directory / "log.yaml").write_text(LOG_CONFIG.format(dir=directory))
        subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(self.config),
                        "--generate-keys"], check=True, capture_output=True, timeout=120)

    def start(self, timeout: float = 90) -> None:
        log = open(self.directory / "stdout.log", "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "--config-path",
                                         str(self.config)], stdout=log, stderr=subprocess.STDOUT,
                                        env={**os.environ, "SYNAPSE_ASYNC_IO_REACTOR": "0"},
                                        preexec_fn=_die_with_parent)
        log.close()

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                tail = (self.directory / "stdout.log").read_text(errors="replace")[-3000:]
                raise AssertionError(f"Synapse exited with {self.process.returncode}:\n{tail}")
            try:
                return httpx.get(f"{self.url}/_matrix/client/versions", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout, "Synapse to answer /_matrix/client/versions", interval=0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def register(self, localpart: str, admin: bool = False) -> MatrixUser:
        """A new user via the shared-secret admin API, logged in (access token from the registration)."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = httpx.get(endpoint, timeout=10).json()["nonce"]
        password = uuid.uuid4().hex
        mac = hmac.new(SECRET.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                 b"admin" if admin else b"notadmin"]))
        response = httpx.post(endpoint, json={"nonce": nonce, "username": localpart, "password": password,
                                              "admin": admin, "mac": mac.hexdigest()}, timeout=30)
        response.raise_for_status()
        body = response.json()
        return MatrixUser(self, body["user_id"], body["access_token"], body.get("device_id", ""))


@dataclass
class MatrixUser:
    """A person in Element, reduced to the Client-Server API calls the tests need."""

    server: Synapse
    user_id: str
    token: str
    device_id: str = ""
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(base_url=f"{self.server.url}/_matrix/client/v3",
                                    headers={"Authorization": f"Bearer {self.token}"}, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None, **params: Any) -> dict:
        def attempt() -> httpx.Response | None:
            try:
                return self._client.request(method, path, json=body, params=params or None)
            except httpx.TransportError:  # the homeserver is restarting
                return None

        response = wait_until(attempt, 60, f"{method} {path}", interval=0.2)
        assert response.status_code == 200, (method, path, response.status_code, response.text)
        return response.json()

    def create_room(self, invite: list[str], direct: bool = False, encrypted: bool = False, name: str = "") -> str:
        state = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
        body = {"invite": invite, "is_direct": direct, "preset": "private_chat" if direct else "public_chat",
                "initial_state": state if encrypted else []}
        if name:
            body["name"] = name
        return self.call("POST", "/createRoom", body)["room_id"]

    def join(self, room_id: str) -> None:
        self.call("POST", f"/join/{quote(room_id)}", {})

    def invite(self, room_id: str, user_id: str) -> None:
        self.call("POST", f"/rooms/{quote(room_id)}/invite", {"user_id": user_id})

    def send(self, room_id: str, content: dict, event_type: str = "m.room.message") -> str:
        path = f"/rooms/{quote(room_id)}/send/{event_type}/{uuid.uuid4().hex}"
        return self.call("PUT", path, content)["event_id"]

    def say(self, room_id: str, text: str, html: str | None = None, mentions: list[str] | None = None,
            reply_to: str | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if html is not None:
            content |= {"format": "org.matrix.custom.html", "formatted_body": html}
        if mentions is not None:
            content["m.mentions"] = {"user_ids": mentions}
        if reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return self.send(room_id, content)

    def react(self, room_id: str, event_id: str, key: str) -> str:
        return self.send(room_id, {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}},
                         "m.reaction")

    def events(self, room_id: str, limit: int = 200) -> list[dict]:
        """The room's message events, oldest first (edits included as their own events)."""
        chunk = self.call("GET", f"/rooms/{quote(room_id)}/messages", dir="b", limit=limit)["chunk"]
        return [e for e in reversed(chunk) if e["type"] in ("m.room.message", "m.reaction", "m.room.encrypted")]

    def wait_for(self, room_id: str, match: Callable[[dict], bool], after: str | None = None,
                 timeout: float = 120, what: str = "a message") -> dict:
        """The first event matching `match` (after event `after`, if given), polling until `timeout`."""

        def find() -> dict | None:
            events = self.events(room_id)
            if after is not None:
                ids = [e["event_id"] for e in events]
                events = events[ids.index(after) + 1:] if after in ids else []
            return next((e for e in events if match(e)), None)

        return wait_until(find, timeout, f"{what} in {room_id}", interval=0.1)

    def wait_joined(self, room_id: str, user_id: str, timeout: float = 30) -> None:
        def joined() -> bool:
            members = self.call("GET", f"/rooms/{quote(room_id)}/joined_members")["joined"]
            return user_id in members

        wait_until(joined, timeout, f"{user_id} to join {room_id}", interval=0.1)


class EncryptedClient:
    """The same person with an end-to-end encrypting client (matrix-nio with its crypto store), as
    Element would be: sends encrypted messages and reads the decrypted replies.

    It runs on `loop`, the event loop thread of the bot under test: nio's stores switch a global
    database binding per call, which is safe on one thread, not across two."""

    def __init__(self, user: MatrixUser, store: Path, loop: asyncio.AbstractEventLoop) -> None:
        from nio import AsyncClient, AsyncClientConfig

        store.mkdir(parents=True, exist_ok=True)
        self.user = user
        self.loop = loop
        self.client = AsyncClient(user.server.url, user.user_id, user.device_id, str(store),
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False))
        self._run(self._restore())
        self.seen: list[Any] = []  # decrypted room events, oldest first
        self.sync()

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def sync(self, timeout_ms: int = 0) -> None:
        from nio import MegolmEvent, SyncResponse

        client = self.client
        response = self._run(client.sync(timeout=timeout_ms))
        assert isinstance(response, SyncResponse), response
        for info in response.rooms.join.values():
            self.seen += [e for e in info.timeline.events if not isinstance(e, MegolmEvent)]
        if client.should_upload_keys:
            self._run(client.keys_upload())
        if client.should_query_keys:
            self._run(client.keys_query())
        if client.should_claim_keys:
            self._run(client.keys_claim(client.get_users_for_key_claiming()))
        self._run(client.send_to_device_messages())

    def say(self, room_id: str, text: str) -> str:
        self.sync()
        response = self._run(self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text},
                                                   ignore_unverified_devices=True))
        return response.event_id

    def wait_for(self, match: Callable[[Any], bool], timeout: float = 120, what: str = "a decrypted message") -> Any:
        def find() -> Any:
            self.sync(timeout_ms=200)
            return next((e for e in self.seen if match(e)), None)

        return wait_until(find, timeout, what, interval=0)

    async def _restore(self) -> None:
        self.client.restore_login(self.user.user_id, self.user.device_id, self.user.token)

    def close(self) -> None:
        self._run(self.client.close())
