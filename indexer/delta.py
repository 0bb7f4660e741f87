"""Which kind of generation a run writes: a delta on the live base, or one whole index.

A large index is not copied and re-embedded into a vector index of a million chunks for every
changed file: the run links the live generation's base into the new generation and writes only a
delta (delta_store.py), which search merges (delta_search.py). A run writes one whole index again
(a fresh base) when the index is small (`delta_above`), when the model or anything else in the
build signature changed, or when the delta would outgrow `delta_share` of the base: then the delta
is folded into a copy of the base.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .delta_store import BASE_DB, DeltaStore, MergedStore, fold, has_base
from .generations import DB_NAME
from .settings import IndexSettings
from .store import IndexStore


def use_delta(settings: IndexSettings, previous: IndexStore | None, rebuild: bool, changed_documents: int) -> bool:
    """Whether this run writes a delta on the live generation's base (`previous`, still open)."""
    if rebuild or previous is None or settings.delta_share <= 0:
        return False
    manifest = previous.manifest()
    base = manifest.get("base") or manifest
    base_chunks, base_documents = int(base.get("chunks") or 0), int(base.get("documents") or 0)
    if base_chunks < max(settings.delta_above, 1):
        return False
    estimate = changed_documents * base_chunks / max(base_documents, 1)
    pending = previous.delta_size() if isinstance(previous, MergedStore) else 0
    return pending + estimate <= settings.delta_share * base_chunks


def open_building(building: Path, live: Path | None, rebuild: bool, as_delta: bool
                  ) -> tuple[IndexStore, Counter[tuple[str, bool]]]:
    """The store a run writes into (the next delta, a copy of the live index, or an empty one for
    a rebuild) and word count changes the run still has to apply: a delta folded into a copy of
    its base brings its own, so that the run analyses again what splits differently now."""
    if as_delta and live is not None:
        return DeltaStore.begin(building, live), Counter()
    if rebuild or live is None:
        return IndexStore.create(building / DB_NAME), Counter()
    if not has_base(live):
        return IndexStore.create(building / DB_NAME, source=live / DB_NAME), Counter()
    store = IndexStore.create(building / DB_NAME, source=live / BASE_DB)
    return store, fold(store, live)
