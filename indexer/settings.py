"""Typed settings for indexing and search; the bot's config object embeds these."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "use-multilingual-v3"
# Folder defaults (access, owner, department) for every file below; visible on purpose, since
# hidden files are never read.
FOLDER_FILE = "_ordner.toml"


@dataclass
class IndexSettings:
    """Where documents and data live, which model embeds, how chunks are cut."""

    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path("var")
    model: str = DEFAULT_MODEL
    chunk_min_words: int = 120
    chunk_max_words: int = 250
    overlap_sentences: int = 1
    max_file_mb: float = 20.0
    # Per-file budget while reading: a file over it is skipped with the reason and the run goes on.
    max_parse_seconds: float = 60.0  # CPU seconds of the parse worker (wall time at most 4 times that)
    max_parse_mb: float = 1024.0
    batch_size: int = 32
    # Read, chunk and store later files (and write the FTS rows at the end) on a thread while the
    # run's thread embeds (same vectors, same index as embedding after reading; see
    # indexer/embed_stream.py and indexer/document_writer.py).
    embed_while_reading: bool = True
    keep_generations: int = 2
    # Above this many chunks the dense side uses HNSW instead of exact search.
    approximate_above: int = 50_000
    # Above this many chunks the dense side scans 4-bit PQ codes and re-ranks the best candidates on
    # float16 vectors: about half the memory of HNSW, recall measured by benchmarks/search_latency.py
    # (see indexer/vectors.py). HNSW kept recall@10 ≥ 0.99 up to 120,000 vectors, not at 250,000;
    # pq-rerank there: 0.997 / 1.000 (XQuAD / law questions).
    compact_above: int = 120_000
    # Above this many chunks the lexical side is a tantivy index with top-k pruning (block-max WAND)
    # beside the FTS5 table: BM25 in well under a millisecond instead of FTS5's scan of every
    # matching row (see indexer/lexical_files.py, README "How far one machine carries").
    tantivy_above: int = 50_000
    # Every answer unit (sentence, list item, table row) is embedded too and stored as int8 beside
    # the chunk vectors (see indexer/unit_files.py): it finds paraphrased sentences and spares
    # embedding at question time. Costs index time (about as much model work again as the chunks).
    unit_vectors: bool = True
    # From this many chunks on, a run adds a delta (the changed documents) to the live index's base
    # instead of writing the whole index again; once the delta would hold more than `delta_share`
    # of the base's chunks, the next run folds it into a new base (see indexer/delta.py).
    delta_above: int = 50_000
    delta_share: float = 0.05
    # From this many chunks on, a reader opens a new generation in the background and answers from
    # the one it has until then (opening 1,000,000 chunks takes tens of seconds); below, at once.
    background_switch_above: int = 100_000
    progress: bool = True

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "cache" / "embeddings.db"


@dataclass
class SearchSettings:
    """Knobs of the hybrid search, chosen by measurement (see README, 'Retrieval')."""

    k: int = 5
    candidates: int = 100
    dense_weight: float = 0.35
    min_confidence: float = 0.5  # at or above: answer
    caveat_confidence: float = 0.20  # at or above (and below min_confidence): answer with a caveat; below: decline
    one_chunk_per_document: bool = True
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    # OpenThesaurus word lists (Debian: openthesaurus-de-text) for words the documents do not use
    thesaurus: Path | None = Path("/usr/share/openthesaurus-de/openthesaurus.txt")
    # FreeDict English–German (Debian: dict-freedict-eng-deu) for the words of English questions
    dictionary: Path | None = Path("/usr/share/dictd/freedict-eng-deu.index")
