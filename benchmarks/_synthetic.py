"""A synthetic index of law text at any size, written through the indexer's real store code.

Used by `search_latency.py`. Paragraphs of the 400 laws in /work/shared/corpora/gesetze-sample/
are shuffled and recombined into ~150-word chunks under real law titles and section headings,
50 chunks per document. Only the first `embedded` chunks are embedded by the real model (about
125 chunks/s on 2 cores, too slow for 100,000); every other chunk is the first half of one of
them plus the second half of another, with the vector normalise(v_p + v_q + 0.1·noise).
Document 0 is typed `glossar`, as in the real knowledge base, so searches exclude its chunks
(the FAISS ID-selector path). The store is written the way indexer/build.py does it: compound
vocabulary, Analyzer, IndexStore (SQLite + FTS5), `write_lexical` (tantivy above `tantivy_above`),
`build_vectors` (HNSW above `approximate_above`), manifest with the build signature,
`Generations.publish`.
"""
from __future__ import annotations

import hashlib
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Iterable

import numpy as np

import _bench

from indexer.analysis import Analyzer
from indexer.build import signature
from indexer.cache import text_key
from indexer.embedder import load_embedder
from indexer.generations import DB_NAME, VECTORS_NAME, Generations
from indexer.health import file_digest
from indexer.lexical_files import write_lexical
from indexer.readers import read_document
from indexer.sentences import split_sentences
from indexer.settings import IndexSettings
from indexer.store import IndexStore, NewChunk
from indexer.unit_files import UnitWriter
from indexer.unit_vectors import chunk_units, unit_texts, unit_titles
from indexer.units import split_units
from indexer.vectors import build_vectors, save_vectors

PER_DOCUMENT = 50
TEMPLATES = ["Was regelt die {title}?", "Welche Behörde ist nach {abbr} zuständig?", "Wann tritt {abbr} in Kraft?",
             "Welche Fristen gelten nach {abbr}?", "Wer trägt die Kosten nach {abbr}?",
             "Was steht in {heading} {abbr}?", "Welche Ordnungswidrigkeiten sieht {abbr} vor?"]


def law_material(rng: random.Random) -> tuple[list[str], list[str], list[str], list[str]]:
    """Text units (paragraphs, long ones cut at sentences), titles, headings and law-style questions."""
    units, titles, headings, questions = [], [], [], []
    for path in _bench.law_files():
        document = read_document(path.read_bytes(), path)
        titles.append(document.title)
        abbr = str(document.meta.get("jurabk") or document.title)
        for block in document.blocks:
            if block.kind == "paragraph":
                words = len(block.text.split())
                units.extend([block.text] if words <= 120 else split_sentences(block.text))
            if len(block.headings) > 1:
                headings.append(block.headings[-1])
        heading = rng.choice(headings[-5:] or ["§ 1"])
        questions.append(rng.choice(TEMPLATES).format(title=document.title, abbr=abbr, heading=heading))
    return [u for u in units if len(u.split()) >= 4], titles, headings, questions


def compose(rng: random.Random, lengths: list[int], words: int = 150) -> list[int]:
    """Indices of random units until the chunk has at least `words` words."""
    parts: list[int] = []
    total = 0
    while total < words:
        parts.append(rng.randrange(len(lengths)))
        total += lengths[parts[-1]]
    return parts


def embed_bases(settings: IndexSettings, inputs: list[str], what: str = "real chunks") -> np.ndarray:
    """The real chunks' (or their units') embeddings, kept in the system's temp folder between runs
    (same seed, same text, same model: same vectors), so repeated runs skip minutes of encoding."""
    digest = hashlib.sha256("\x00".join([settings.model, *inputs]).encode()).hexdigest()[:16]
    cached = Path(tempfile.gettempdir()) / f"wissenslotse-bench-{digest}.npy"
    if cached.is_file():
        print(f"  embeddings of {len(inputs)} {what} from {cached}")
        return np.load(cached)
    embedder, start = load_embedder(settings.model), time.perf_counter()
    base = embedder.encode(inputs, batch_size=settings.batch_size)
    seconds = time.perf_counter() - start
    print(f"  embedded {len(inputs)} {what} in {seconds:.1f} s ({len(inputs) / seconds:.1f}/s)")
    np.save(cached, base)
    return base


class SyntheticUnits:
    """Answer-unit vectors of the synthetic chunks, made as their chunk vectors are: the units of the
    `embedded` real chunks are embedded by the model; a recombined chunk is made of their paragraphs,
    so its units are mostly theirs, and take their vectors. A unit no real chunk has (a list or a
    heading cut differently at the seam) takes its chunk's vector."""

    def __init__(self, settings: IndexSettings, store: IndexStore, directory: Path, real: list[tuple[str, str]],
                 doc_titles: list[str]) -> None:
        self.store, self.titles = store, unit_titles(doc_titles)
        store.clear_unit_quotes()
        texts = sorted({t for text, heading in real for t in unit_texts(split_units(text, heading), self.titles) if t})
        vectors = embed_bases(settings, texts, "units of the real chunks")
        self.known = {text: row for row, text in enumerate(texts)}
        self.vectors = vectors
        self.writer = UnitWriter(directory, vectors.shape[1])
        self.units = self.borrowed = 0

    def add(self, first_id: int, rows: list[tuple[str, str]], chunk_vectors: np.ndarray) -> None:
        """The units of consecutive chunks (text, heading path) from id `first_id` on."""
        ids = list(range(first_id, first_id + len(rows)))
        texts = chunk_units(self.store, [(i, text, heading) for i, (text, heading) in zip(ids, rows)], self.titles)
        out = np.zeros((sum(map(len, texts)), self.vectors.shape[1]), np.float32)
        row = 0
        for one, own in zip(texts, chunk_vectors):
            for text in one:
                if text:
                    known = self.known.get(text)
                    out[row] = own if known is None else self.vectors[known]
                    self.borrowed += known is None
                row += 1
        self.writer.add(ids, [len(one) for one in texts], out)
        self.units += row

    def close(self) -> int:
        print(f"  answer units: {self.units} ({self.units / max(1, len(self.writer.chunks)):.1f} "
              f"per chunk), {len(self.known)} embedded for real, {self.borrowed} took their chunk's vector")
        return self.writer.close()


def word_counts(units: list[str], chunk_parts: Iterable[list[int]], other_texts: list[str]) -> Counter:
    """`Analyzer.count_words` of every chunk text plus `other_texts`, as indexer/build.py counts
    them: a chunk is a sequence of whole units and counts add up, so each unit is counted once
    and weighted by how often chunks use it."""
    uses = Counter(u for one in chunk_parts for u in one)
    counts = Analyzer.count_words(other_texts)
    for unit, times in uses.items():
        for key, n in Analyzer.count_words([units[unit]]).items():
            counts[key] += n * times
    return counts


def build_synthetic(settings: IndexSettings, chunks: int, embedded: int, rng: random.Random) -> list[str]:
    """Write the synthetic index as a published generation; returns the law-style questions.

    Streams: a chunk is a list of unit indices until its document is written, so 1,000,000 chunks
    hold no more text in memory than one document's.
    """
    start = time.perf_counter()
    units, titles, headings, questions = law_material(rng)
    lengths = [len(u.split()) for u in units]
    bases = [compose(rng, lengths) for _ in range(embedded)]
    pairs = np.array([rng.sample(range(embedded), 2) for _ in range(chunks - embedded)], dtype=np.int64).reshape(-1, 2)
    doc_titles = [f"{rng.choice(titles)} ({n})" for n in range(-(-chunks // PER_DOCUMENT))]
    chunk_heads = [rng.choice(headings) for _ in range(chunks)]

    def parts(i: int) -> list[int]:
        if i < embedded:
            return bases[i]
        p, q = bases[pairs[i - embedded, 0]], bases[pairs[i - embedded, 1]]
        return p[: len(p) // 2] + q[len(q) // 2:]

    def text(i: int) -> str:
        return "\n".join(units[u] for u in parts(i))

    def embedded_text(i: int) -> str:
        return f"{doc_titles[i // PER_DOCUMENT]} › {chunk_heads[i]}\n{text(i)}"

    print(f"  material: {len(units)} law paragraphs/sentences, {time.perf_counter() - start:.1f} s")
    base = embed_bases(settings, [embedded_text(i) for i in range(embedded)])
    vectors = np.empty((chunks, base.shape[1]), dtype=np.float32)
    vectors[:embedded] = base
    noise_rng, step = np.random.default_rng(7), 100_000
    for first in range(0, len(pairs), step):
        batch = pairs[first : first + step]
        noise = noise_rng.standard_normal((len(batch), base.shape[1])).astype(np.float32)
        mixed = base[batch[:, 0]] + base[batch[:, 1]] + 0.1 * noise / np.sqrt(base.shape[1])
        vectors[embedded + first : embedded + first + len(batch)] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)

    start = time.perf_counter()
    generations = Generations(settings.index_dir)
    with generations.lock():
        building = generations.begin()
        store = IndexStore.create(building / DB_NAME)
        store.adjust_word_counts(word_counts(units, [parts(i) for i in range(chunks)], [*doc_titles, *chunk_heads]))
        analyzer = Analyzer(store.vocabulary())
        units_start = time.perf_counter()
        real = [(text(i), chunk_heads[i]) for i in range(embedded)]
        answer_units = SyntheticUnits(settings, store, building, real, doc_titles)
        units_seconds = time.perf_counter() - units_start
        for d, title in enumerate(doc_titles):
            span = range(d * PER_DOCUMENT, min(chunks, (d + 1) * PER_DOCUMENT))
            rows = [NewChunk(i - span.start, text(i), chunk_heads[i], text_key(embedded_text(i)), analyzer.index_text(title),
                             analyzer.index_text(chunk_heads[i]), analyzer.index_text(text(i))) for i in span]
            meta = {"type": "glossar"} if d == 0 else {}
            first_id = store.next_id("chunks")
            store.add_document(f"synthetisch/{d:05d}.md", title, f"{d:064x}", 0, 0, meta, rows)
            units_start = time.perf_counter()
            answer_units.add(first_id, [(row.text, row.heading_path) for row in rows], vectors[span.start : span.stop])
            units_seconds += time.perf_counter() - units_start
            if d % 2000 == 1999:
                print(f"  stored {span.stop} chunks, {time.perf_counter() - start:.0f} s", flush=True)
        units_start = time.perf_counter()
        unit_count = answer_units.close()
        units_seconds += time.perf_counter() - units_start
        store.commit()
        lexical_start = time.perf_counter()
        lexical = write_lexical(store, building, None, chunks, settings.tantivy_above)
        lexical_seconds = time.perf_counter() - lexical_start
        ids = np.array([chunk_id for chunk_id, _ in store.chunk_vector_keys()], dtype=np.int64)
        stored = time.perf_counter()
        index, params = build_vectors(ids, vectors, settings.approximate_above, settings.compact_above)
        del vectors
        built = time.perf_counter()
        save_vectors(index, building / VECTORS_NAME)
        digest = file_digest(building / VECTORS_NAME)
        store.set_manifest(signature=signature(settings), model=settings.model, dimension=int(index.d),
                           vectors={**params, "dimension": int(index.d), "sha256": digest, "units": unit_count},
                           lexical=lexical, generation=1,
                           built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), documents=len(doc_titles), chunks=chunks)
        store.commit()
        store.close()
        del index
        generations.publish(building)
    print(f"  analysis + SQLite/FTS5 {stored - start - lexical_seconds - units_seconds:.1f} s, answer-unit files "
          f"{units_seconds:.1f} s, lexical index ({lexical['kind']}) "
          f"{lexical_seconds:.1f} s, {params['kind']} vectors: build {built - stored:.1f} s, "
          f"save + SHA-256 {time.perf_counter() - built:.1f} s ({params.get('count')} vectors)")
    return questions


def xquad_questions(count: int, rng: random.Random) -> list[str]:
    """`count` questions drawn from XQuAD-de (topics unrelated to law: a hard case for retrieval)."""
    data = json.loads(_bench.XQUAD.read_text(encoding="utf-8"))["data"]
    return rng.sample([qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]], count)
