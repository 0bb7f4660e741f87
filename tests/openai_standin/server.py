"""The stand-in server: `/v1/chat/completions` (streaming or not) and `/v1/models`.

A test sets `standin.behaviour`; `reply` is the answer text or a function of the passages the
request carried (parsed back from the prompt), so tests need not know the index's passages.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

_PASSAGE = re.compile(r"^\[(\d+)\] [^\n]*\n(.*?)(?=\n\n\[\d+\] |\n\n(?:Frage|Question): )", re.S | re.M)


def passages_in(messages: list[dict]) -> dict[int, str]:
    """The numbered passage texts in a Wissenslotse prompt."""
    user = next((m["content"] for m in messages if m["role"] == "user"), "")
    return {int(number): text.strip() for number, text in _PASSAGE.findall(user)}


@dataclass
class Behaviour:
    """What the next answers look like."""

    reply: str | Callable[[dict[int, str]], str] = "Dazu steht nichts in den Auszügen."
    status: int = 200
    delay: float = 0.0  # seconds before each streamed piece (a slow model)
    piece_words: int = 3  # words per streamed piece
    raw: str | None = None  # sent as the whole response body instead of proper events
    broken_after: int | None = None  # after this many pieces, send a cut-off event and close
    stall_after: int | None = None  # after this many pieces, send nothing more until the stand-in stops


@dataclass
class OpenAIStandIn:
    """Runs in a thread; use as a context manager. `requests` holds every request body received."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[dict] = field(default_factory=list)
    model: str = "standin-model"

    def __enter__(self) -> "OpenAIStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet in test output
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": standin.model, "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                standin.requests.append(body)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                standin.answer(self, body)

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def text_for(self, body: dict) -> str:
        reply = self.behaviour.reply
        return reply(passages_in(body.get("messages", []))) if callable(reply) else reply

    def answer(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        b = self.behaviour
        if b.status != 200:
            handler._json(b.status, {"error": {"message": "stand-in failure", "type": "server_error"}})
            return
        if b.raw is not None:
            data = b.raw.encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream" if body.get("stream") else "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        text = self.text_for(body)
        if not body.get("stream"):
            handler._json(200, _completion(self.model, text))
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Connection", "close")
        handler.end_headers()
        words = text.split(" ")
        pieces = [" ".join(words[i:i + b.piece_words]) + " " for i in range(0, len(words), b.piece_words)]
        try:
            for number, piece in enumerate(pieces):
                if b.broken_after is not None and number >= b.broken_after:
                    handler.wfile.write(b'data: {"choices": [{"delta": {"content": "Hal')
                    handler.wfile.flush()
                    handler.close_connection = True
                    return
                if b.stall_after is not None and number >= b.stall_after:
                    self._stopping.wait()  # a model that hangs mid-answer
                    return
                if b.delay:
                    time.sleep(b.delay)  # the model "thinking": server side, not a test wait
                _event(handler, {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            _event(handler, {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            handler.wfile.write(b"data: [DONE]\n\n")
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout): fine
        handler.close_connection = True


def _event(handler: BaseHTTPRequestHandler, payload: dict) -> None:
    payload = {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": 0, "model": "standin-model",
               **payload}
    handler.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
    handler.wfile.flush()


def _completion(model: str, text: str) -> dict:
    return {"id": "chatcmpl-standin", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
