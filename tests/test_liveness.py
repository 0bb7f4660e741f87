"""A question is answered while the indexer is in the middle of embedding a batch: it neither waits
for the batch nor queues behind it (real model, real index, real interactions.db)."""
from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from bot.config import Config
from bot.core import Asker, ChatCore
from indexer import Index
from indexer.embedder import BATCH_NICENESS, BATCH_THREAD_NAME, UniversalSentenceEncoderEmbedder

pytestmark = pytest.mark.timeout(180)


def test_a_question_is_answered_while_a_reindex_batch_is_embedding(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = UniversalSentenceEncoderEmbedder(threads=2)  # its own instance: its backend is patched below
    inside, release, niceness = threading.Event(), threading.Event(), []
    encode = embedder._backend._encode

    def held_batch(part: Any) -> Any:
        """Batch slices stop inside the model until the test lets them go."""
        if threading.current_thread().name.startswith(BATCH_THREAD_NAME):
            niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            inside.set()
            assert release.wait(120), "the test never released the batch"
        return encode(part)

    monkeypatch.setattr(embedder._backend, "_encode", held_batch)
    core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
    news = config.index.knowledge_dir / "neu"
    news.mkdir()
    for number in range(40):  # enough new chunks for the indexer to hand batches to the worker pool
        (news / f"meldung-{number}.md").write_text(
            f"---\ntitle: Meldung {number}\n---\n\nMeldung Nummer {number} über das Projekt Falke-{number}.\n",
            encoding="utf-8")
    outcome: dict[str, Any] = {}
    reindex = threading.Thread(target=lambda: outcome.setdefault("report", core.reindex()))
    try:
        reindex.start()
        assert inside.wait(120), "the re-index never reached the embedding batch"
        ask = threading.Thread(target=lambda: outcome.setdefault("answer", core.ask("Wer leitet die SCIU?", Asker("t"))))
        ask.start()
        ask.join(60)  # before the fix the question waited on the embedder's lock for the whole batch
        assert not ask.is_alive(), "the question waited for the indexing batch"
        assert outcome["answer"].answered and "Lena Hoffmann" in outcome["answer"].contact
        assert reindex.is_alive() and "report" not in outcome  # the batch really was still held
    finally:
        release.set()
        reindex.join(120)
        core.interactions.close()
    assert outcome["report"].added == 40
    assert niceness and set(niceness) == {BATCH_NICENESS}  # batch workers yield the CPU to questions
