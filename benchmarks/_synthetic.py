"""A synthetic index of law text at any size, written through the indexer's real store code.

Used by `search_latency.py`. Paragraphs of the 400 laws in /work/shared/corpora/gesetze-sample/
are shuffled and recombined into ~150-word chunks under real law titles and section headings,
50 chunks per document. Only the first `embedded` chunks are embedded by the real model (about
125 chunks/s on 2 cores, too slow for 100,000); every other chunk is the first half of one of
them plus the second half of another, with the vector normalise(v_p + v_q + 0.1·noise).
Document 0 is typed `glossar`, as in the real knowledge base, so searches exclude its chunks
(the FAISS ID-selector path). The store is written the way indexer/build.py does it: compound
vocabulary, Analyzer, IndexStore (SQLite + FTS5), `build_vectors` (HNSW above
`approximate_above`), manifest with the build signature, `Generations.publish`.
"""
from __future__ import annotations

import json
import random
import time

import numpy as np

import _bench

from indexer.analysis import Analyzer
from indexer.build import signature
from indexer.cache import text_key
from indexer.embedder import load_embedder
from indexer.generations import DB_NAME, VECTORS_NAME, Generations
from indexer.readers import read_document
from indexer.sentences import split_sentences
from indexer.settings import IndexSettings
from indexer.store import IndexStore, NewChunk
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


def compose(rng: random.Random, units: list[str], words: int = 150) -> list[str]:
    """Random units until the chunk has at least `words` words."""
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < words:
        parts.append(rng.choice(units))
    return parts


def build_synthetic(settings: IndexSettings, chunks: int, embedded: int, rng: random.Random) -> list[str]:
    """Write the synthetic index as a published generation; returns the law-style questions."""
    start = time.perf_counter()
    units, titles, headings, questions = law_material(rng)
    bases = [compose(rng, units) for _ in range(embedded)]
    pairs = [rng.sample(range(embedded), 2) for _ in range(chunks - embedded)]
    parts = bases + [bases[p][: len(bases[p]) // 2] + bases[q][len(bases[q]) // 2:] for p, q in pairs]
    texts = ["\n".join(p) for p in parts]
    doc_titles = [f"{rng.choice(titles)} ({n})" for n in range(-(-chunks // PER_DOCUMENT))]
    chunk_heads = [rng.choice(headings) for _ in range(chunks)]
    inputs = [f"{doc_titles[i // PER_DOCUMENT]} › {chunk_heads[i]}\n{texts[i]}" for i in range(chunks)]
    print(f"  material: {len(units)} law paragraphs/sentences, {time.perf_counter() - start:.1f} s")

    embedder, start = load_embedder(settings.model), time.perf_counter()
    base = embedder.encode(inputs[:embedded], batch_size=settings.batch_size)
    seconds = time.perf_counter() - start
    print(f"  embedded {embedded} real chunks in {seconds:.1f} s ({embedded / seconds:.1f} chunks/s)")
    index_pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    noise = np.random.default_rng(7).standard_normal((len(pairs), base.shape[1])).astype(np.float32)
    mixed = base[index_pairs[:, 0]] + base[index_pairs[:, 1]] + 0.1 * noise / np.sqrt(base.shape[1])
    vectors = np.vstack([base, mixed / np.linalg.norm(mixed, axis=1, keepdims=True)])

    start = time.perf_counter()
    generations = Generations(settings.index_dir)
    with generations.lock():
        building = generations.begin()
        store = IndexStore.create(building / DB_NAME)
        vocabulary = Analyzer.build_vocabulary([*doc_titles, *set(chunk_heads), *texts])
        store.set_vocabulary(vocabulary)
        analyzer = Analyzer(vocabulary)
        for d, title in enumerate(doc_titles):
            span = range(d * PER_DOCUMENT, min(chunks, (d + 1) * PER_DOCUMENT))
            rows = [NewChunk(i - span.start, texts[i], chunk_heads[i], text_key(inputs[i]), analyzer.index_text(title),
                             analyzer.index_text(chunk_heads[i]), analyzer.index_text(texts[i])) for i in span]
            meta = {"type": "glossar"} if d == 0 else {}
            store.add_document(f"synthetisch/{d:05d}.md", title, f"{d:064x}", 0, 0, meta, rows)
        ids = np.array([chunk_id for chunk_id, _ in store.chunk_vector_keys()], dtype=np.int64)
        stored = time.perf_counter()
        index, params = build_vectors(ids, vectors, settings.approximate_above)
        save_vectors(index, building / VECTORS_NAME)
        store.set_manifest(signature=signature(settings), model=settings.model, dimension=int(vectors.shape[1]),
                           vectors={**params, "dimension": int(vectors.shape[1])}, generation=1,
                           built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), documents=len(doc_titles), chunks=chunks)
        store.commit()
        store.close()
        generations.publish(building)
    print(f"  analysis + SQLite/FTS5 {stored - start:.1f} s, {params['kind']} vectors "
          f"{time.perf_counter() - stored:.1f} s ({params.get('count')} vectors)")
    return questions


def xquad_questions(count: int, rng: random.Random) -> list[str]:
    """`count` questions drawn from XQuAD-de (topics unrelated to law: a hard case for retrieval)."""
    data = json.loads(_bench.XQUAD.read_text(encoding="utf-8"))["data"]
    return rng.sample([qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]], count)
