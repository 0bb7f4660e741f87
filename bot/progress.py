"""A long job's progress shown in one chat message, edited in place and throttled, for any front;
and the re-index run with its summary for every outcome."""
from __future__ import annotations

import asyncio
import logging
from html import escape
from typing import Awaitable, Callable, TypeVar

from indexer import IndexBusy, IndexingError

from . import texts
from .core import ChatCore
from .reports import index_report

T = TypeVar("T")
log = logging.getLogger(__name__)
STAGES = {"lesen": "Dokumente lesen", "einbetten": "Abschnitte einbetten"}
Edit = Callable[[str], Awaitable[bool]]  # replace the message's HTML; False if the front could not


def progress_text(stage: str, done: int, total: int) -> str:
    """E.g. "🔄 Abschnitte einbetten: 40 von 120 (33 %)" (plain text, no markup)."""
    name = STAGES.get(stage, stage)
    share = f" ({done * 100 // total} %)" if total else ""
    return f"🔄 Neuindizierung läuft – {name}: {done} von {total}{share}"


class ProgressMessage:
    """Receives progress from a worker thread; the event loop edits the message (through the front's
    `edit`) with the latest state at most every `interval` seconds and only when the text changed."""

    def __init__(self, edit: Edit, shown: str = "", interval: float = 1.5) -> None:
        self.edit = edit
        self.interval = interval
        self._latest: tuple[str, int, int] | None = None
        self._shown = shown

    def update(self, stage: str, done: int, total: int) -> None:
        """Progress callback for the worker thread (only stores; never touches the messenger)."""
        self._latest = (stage, done, total)

    async def follow(self, work: Awaitable[T]) -> T:
        """Await `work`, refreshing the message meanwhile; returns (or raises) what `work` does."""
        task = asyncio.ensure_future(work)
        while True:
            finished, _ = await asyncio.wait({task}, timeout=self.interval)
            if finished:
                return task.result()
            if self._latest is not None:
                await self.show(escape(progress_text(*self._latest)))

    async def show(self, html: str) -> bool:
        """Edit the message to `html` unless it shows that already; False if the edit failed."""
        if html == self._shown:
            return True
        if not await self.edit(html):
            return False
        self._shown = html
        return True


async def reindex_summary(core: ChatCore, progress: ProgressMessage) -> str:
    """Run ChatCore.reindex off the event loop with progress; the plain-text summary for every outcome."""
    try:
        report = await progress.follow(asyncio.to_thread(core.reindex, progress.update))
    except IndexBusy as error:
        return f"⏳ {error}"
    except IndexingError as error:
        return f"❌ {error}" + (f"\n\n{index_report(error.report)}" if error.report else "")
    except Exception:
        log.exception("Neuindizierung fehlgeschlagen")
        return texts.REINDEX_FAILED
    return "✅ " + index_report(report)
