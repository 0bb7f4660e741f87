"""A real ChatCore whose re-index pauses after its first progress step until the test opens the
gate, so tests can watch a bot answer and report progress while a run is under way."""
from __future__ import annotations

import threading
from typing import Any, Callable

from bot.core import ChatCore


class GatedCore(ChatCore):
    """ChatCore whose reindex reports a first step, then waits for the test to open the gate."""

    gate: threading.Event | None = None

    def reindex(self, on_progress: Callable[[str, int, int], None] | None = None) -> Any:
        if self.gate is not None:
            if on_progress:
                on_progress("lesen", 0, 1)
            assert self.gate.wait(60), "test never opened the reindex gate"
        return super().reindex(on_progress)
