"""A small client for the OpenAI Chat Completions protocol with streaming (server-sent events).

Speaks only what vLLM, Ollama, LiteLLM and llama.cpp servers share: POST {base_url}/chat/completions
with `stream: true`. It is the only place that talks to a model server.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Iterator

import httpx

from ..config import LlmSettings


class ModelError(Exception):
    """The model server did not deliver a usable answer; `kind` is timeout, http or malformed."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class ChatClient:
    """Streams one chat completion at a time; safe to share between threads (httpx.Client is)."""

    def __init__(self, settings: LlmSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._http = httpx.Client(base_url=settings.base_url.rstrip("/") + "/", headers=headers,
                                  timeout=httpx.Timeout(settings.timeout_seconds), transport=transport)

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """The answer's text pieces as they arrive. Raises ModelError on a timeout (the whole answer
        must arrive within `timeout_seconds`), an HTTP error, or a stream that cannot be read."""
        deadline = time.monotonic() + self.settings.timeout_seconds
        body = {"model": self.settings.model, "messages": messages, "stream": True,
                "max_tokens": self.settings.max_tokens, "temperature": self.settings.temperature}
        try:
            with self._http.stream("POST", "chat/completions", json=body) as response:
                if response.status_code != 200:
                    raise ModelError("http", f"HTTP {response.status_code}")
                # A server that stalls mid-answer is cut off at the deadline, not a read timeout later.
                watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), response.close)
                watchdog.start()
                try:
                    yield from _pieces(response, deadline)
                finally:
                    watchdog.cancel()
        except ModelError:
            raise
        except Exception as error:  # httpx errors, or the stream closed under the reader by the watchdog
            if isinstance(error, httpx.TimeoutException) or time.monotonic() >= deadline:
                raise ModelError("timeout", type(error).__name__) from error
            if isinstance(error, (httpx.HTTPError, httpx.StreamError)):
                raise ModelError("http", type(error).__name__) from error
            raise

    def close(self) -> None:
        self._http.close()


def _pieces(response: httpx.Response, deadline: float) -> Iterator[str]:
    """The text pieces of a streamed response, until [DONE] or a finish_reason."""
    finished = False
    for line in response.iter_lines():
        if time.monotonic() > deadline:
            raise ModelError("timeout", "answer not complete in time")
        piece, done = _event(line)
        finished = finished or done
        if piece:
            yield piece
        if line.strip() == "data: [DONE]":
            return
    if not finished:
        raise ModelError("malformed", "stream ended before the answer was complete")


def _event(line: str) -> tuple[str, bool]:
    """The text in one SSE line and whether it ends the answer ([DONE] or a finish_reason)."""
    line = line.strip()
    if not line.startswith("data:"):
        return "", False  # blank separators, comments (": ping"), "event:" lines
    data = line[5:].strip()
    if data == "[DONE]":
        return "", True
    try:
        event = json.loads(data)
        if "error" in event:
            raise ModelError("http", "error event in stream")
        choice = event["choices"][0] if event["choices"] else {}
        piece = (choice.get("delta") or {}).get("content") or ""
        if not isinstance(piece, str):
            raise TypeError("content is not text")
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise ModelError("malformed", f"unreadable event ({type(error).__name__})") from error
    return piece, bool(choice.get("finish_reason"))
