"""The lexical side: FTS5 bm25 with access filtering inside the query, frequent terms left out in
large indexes, and whether the list holds every match."""
from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer import lexical
from indexer.analysis import Analyzer
from indexer.lexical import Lexical
from indexer.store import IndexStore, NewChunk

COMMON = ["antrag", "frist", "behord", "stadt", "verfahr"]
RARE = ["baugb", "gleitzeit", "lorawan"]  # analysed terms: unchanged by the Analyzer


def chunk(position: int, title: str, heading: str, body: str) -> NewChunk:
    return NewChunk(position, body, heading, f"key-{title}-{position}", title, heading, body)


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    """400 chunks of analysed terms: common ones everywhere, rare ones in a few, some in titles."""
    rng = random.Random(5)
    store = IndexStore.create(tmp_path / "index.db")
    for d in range(40):
        rows = []
        for n in range(10):
            words = rng.choices(COMMON, k=rng.randint(3, 40)) + rng.choices(["fullwort", "text"], k=rng.randint(0, 30))
            if rng.random() < 0.08:
                words += [rng.choice(RARE)] * rng.randint(1, 3)
            heading = " ".join(rng.choices([*COMMON, "abschnitt"], k=rng.randint(0, 3)))
            if rng.random() < 0.03:
                heading += f" {rng.choice(RARE)}"
            rows.append(chunk(n, f"dokument {rng.choice(COMMON)}", heading, " ".join(rng.sample(words, len(words)))))
        store.add_document(f"d{d}.md", f"D{d}", f"{d:064x}", 0, 0, {}, rows)
    store.commit()
    return store


def make(store: IndexStore) -> Lexical:
    return Lexical(store, Analyzer(), store.term_frequencies(), threading.Lock())


def test_excluded_chunks_never_come_back_and_the_list_says_if_it_is_complete(store):
    search = make(store)
    everything = search.search("Antrag BauGB", 1000, np.array([], np.int64))
    assert everything.complete and 300 < len(everything.scores) < 1000
    best = sorted(everything.scores, key=lambda i: -everything.scores[i])
    excluded = np.array(best[:5], dtype=np.int64)
    found = search.search("Antrag BauGB", 10, excluded)
    assert not found.complete and set(found.scores) == set(best[5:15])
    assert all(found.scores[i] == pytest.approx(everything.scores[i]) for i in found.scores)
    only_rare = search.search("BauGB", 1000, excluded)
    assert only_rare.complete and not set(only_rare.scores) & set(best[:5])


def test_frequent_terms_are_left_out_in_large_indexes_but_never_all(store, monkeypatch):
    monkeypatch.setattr(lexical, "FREQUENT_TERMS_ABOVE", 100)
    search = make(store)
    assert "antrag" in search.frequent and "baugb" not in search.frequent
    assert search.terms("Antrag BauGB") == ["baugb"]
    assert search.terms("Antrag") == ["antrag"]
    assert search.search("Was ist das?", 10, np.array([], np.int64)) == lexical.LexicalHits({}, True)
