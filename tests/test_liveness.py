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


def test_a_large_index_opens_its_new_generation_in_the_background(config: Config, embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a generation of a million chunks takes tens of seconds: questions meanwhile get the
    previous generation's answers instead of waiting (here every index counts as large)."""
    from indexer import build_index
    import indexer.index as index_module

    config.index.background_switch_above = 0
    index = Index(config.index, config.search, embedder=embedder)
    assert "Falke" not in index.search("Projekt Falke").passage
    (config.index.knowledge_dir / "falke.md").write_text(
        "---\ntitle: Projekt Falke\n---\n\nDas Projekt Falke zählt Fahrräder an der Ruhr.\n", encoding="utf-8")
    build_index(config.index, embedder=embedder)

    opening, release = threading.Event(), threading.Event()
    real_snapshot = index_module.Snapshot

    def slow_snapshot(*args: Any, **kwargs: Any) -> Any:
        opening.set()
        assert release.wait(60), "the test never let the generation open"
        return real_snapshot(*args, **kwargs)

    monkeypatch.setattr(index_module, "Snapshot", slow_snapshot)
    old = index.generation_served
    during = index.search("Was zählt das Projekt Falke?")  # answered at once, from the old generation
    assert opening.wait(30) and index.generation_served == old and "Fahrräder" not in during.passage
    release.set()
    assert index.wait_for_switch(60)
    after = index.search("Was zählt das Projekt Falke?")
    assert index.generation_served == index.generation > old and "Fahrräder" in after.passage
