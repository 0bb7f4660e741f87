"""Which lexical engine a generation gets, and its files: written by the build (checked on open, health.py).

Up to `tantivy_above` chunks the lexical side is FTS5's bm25() alone; above, the build also writes
a tantivy index of the same FTS rows into `lexical/` (indexer/tantivy_lexical.py), which the
search then uses. The FTS5 table stays the source of the terms either way (statistics, re-analysis,
deltas). The manifest's `lexical` record names the kind and each file's size and SHA-256.

A delta generation on a tantivy base keeps the base's files as hard links in `base.lexical/`
(never written) and its own `lexical/`: the same files linked once more, plus what tantivy writes
for the change: the withdrawn base chunks as deleted documents and a segment of the delta's rows.
Tantivy still counts a deleted row in its statistics until the next fold; that only shifts which
candidates it returns, since their scores come from the merged index's statistics (lexical.py).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .delta_store import DeltaStore, has_base
from .health import file_digest
from .lexical import COLUMN_WEIGHTS
from .private_files import private_dir
from .store import IndexStore
from .tantivy_lexical import BASE_LEXICAL, FTS5, LEXICAL_DIR, TANTIVY, extend_tantivy, tantivy_files, write_tantivy


def write_lexical(store: IndexStore, building: Path, live: Path | None, chunks: int, tantivy_above: int) -> dict[str, Any]:
    """Write the generation's lexical index, if it gets one; returns the manifest's `lexical` record."""
    if isinstance(store, DeltaStore):
        base = store.manifest()["base"].get("lexical") or {"kind": FTS5}
        if base["kind"] != TANTIVY or live is None:
            return {"kind": FTS5}
        source = live / (BASE_LEXICAL if has_base(live) else LEXICAL_DIR)
        private_dir(building / BASE_LEXICAL)
        for path in tantivy_files(source):
            os.link(path, building / BASE_LEXICAL / path.name)
        extend_tantivy(building / BASE_LEXICAL, building / LEXICAL_DIR, store.withdrawn_chunk_ids(),
                       store.fts_rows(), COLUMN_WEIGHTS)
        known = base["files"]
    elif chunks > tantivy_above:
        write_tantivy(building / LEXICAL_DIR, store.fts_rows(), COLUMN_WEIGHTS)
        known = {}
    else:
        return {"kind": FTS5}
    files = {}
    for path in tantivy_files(building / LEXICAL_DIR):
        size = path.stat().st_size
        base_file = building / BASE_LEXICAL / path.name
        linked = base_file.exists() and os.path.samefile(path, base_file)  # its digest is on record
        files[path.name] = known[path.name] if linked else [size, file_digest(path)]
    return {"kind": TANTIVY, "rows": chunks, "files": files}
