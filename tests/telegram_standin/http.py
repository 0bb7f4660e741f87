"""The HTTP layer: decodes Bot API requests in every encoding PTB uses and answers JSON."""

from __future__ import annotations

import contextlib
import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .records import JSON

if TYPE_CHECKING:
    from .standin import StandIn


# Parameters that are plain strings in the Bot API; everything else is JSON-decoded.
_STRING_PARAMS = frozenset(
    "text caption parse_mode callback_query_id url action emoji query language_code "
    "secret_token inline_message_id title description short_description name "
    "business_connection_id message_effect_id ip_address file_id sticker photo document "
    "audio video voice animation".split()
)


class RequestHandler(BaseHTTPRequestHandler):
    """Parses one request (query, form, multipart or JSON) and hands it to the StandIn."""

    server: Server
    timeout = 10  # socket timeout, so a stray idle connection cannot block shutdown

    def do_POST(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        url = urlsplit(self.path)
        m = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", url.path)
        if not m:
            return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        params: dict[str, Any] = dict(parse_qsl(url.query))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ctype = self.headers.get("Content-Type", "")
        if body and ctype.startswith("application/json"):
            params.update(json.loads(body))
        elif body and ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + body)
            for part in msg.iter_parts():  # type: ignore[attr-defined]
                name = part.get_param("name", header="content-disposition")
                raw = part.get_payload(decode=True) or b""
                params[name] = ({"filename": part.get_filename(), "size": len(raw)}
                                if part.get_filename() else raw.decode())
        elif body:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        params = {k: v if k in _STRING_PARAMS or not isinstance(v, str) else _json_or_str(v)
                  for k, v in params.items()}
        self._reply(*self.server.standin.dispatch(m[1], m[2], params))

    do_GET = do_POST

    def _reply(self, status: int, payload: JSON) -> None:
        """Send a JSON answer; the client may already have hung up (cancelled poll)."""
        data = json.dumps(payload).encode()
        with contextlib.suppress(ConnectionError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""


def _json_or_str(value: str) -> Any:
    """JSON-decode a form value (ints, bools, reply_markup...) but keep non-JSON strings."""
    try:
        return json.loads(value)
    except ValueError:
        return value


class Server(ThreadingHTTPServer):
    """Threading server on a free 127.0.0.1 port; knows its StandIn, joins handlers on close."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, standin: StandIn) -> None:
        super().__init__(("127.0.0.1", 0), RequestHandler)
        self.standin = standin
