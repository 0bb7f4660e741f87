"""The dense side: exact, HNSW and PQ + re-rank search keyed by chunk id, with exclusions applied inside FAISS."""
import shutil
from pathlib import Path

import faiss
import numpy as np
from indexer import Index, IndexSettings, build_index
from indexer import vectors as vectors_module
from indexer.generations import Generations
from indexer.health import verify_generation
from indexer.vectors import build_vectors, hnsw_parameters, load_vectors, save_vectors, search_vectors, vector_kind
from tests.fakes import FakeEmbedder

REPO = Path(__file__).resolve().parent.parent


def unit_rows(n: int, dim: int = 32, seed: int = 1) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_small_indexes_are_exact_and_keyed_by_chunk_id():
    vectors, ids = unit_rows(200), np.arange(200) * 7 + 3
    index, params = build_vectors(ids, vectors, approximate_above=1000)
    assert params == {"kind": "flat", "count": 200}
    assert search_vectors(index, vectors[10], k=1)[0][0] == ids[10]


def test_excluded_ids_never_come_back_and_do_not_shrink_k():
    vectors, ids = unit_rows(300), np.arange(300)
    index, _ = build_vectors(ids, vectors, approximate_above=100)
    excluded = np.arange(0, 300, 2)
    found = search_vectors(index, vectors[4], k=20, excluded=excluded)
    assert len(found) == 20 and not {i for i, _ in found} & set(excluded.tolist())


def test_hnsw_recall_against_exact_search(tmp_path):
    vectors, ids = unit_rows(3000, dim=64), np.arange(3000)
    exact, _ = build_vectors(ids, vectors, approximate_above=10_000)
    approximate, params = build_vectors(ids, vectors, approximate_above=1000)
    assert params["kind"] == "hnsw"
    save_vectors(approximate, tmp_path / "v.faiss")
    approximate = load_vectors(tmp_path / "v.faiss")
    queries = unit_rows(100, dim=64, seed=2)
    hits = sum(
        len({i for i, _ in search_vectors(approximate, q, 10)} & {i for i, _ in search_vectors(exact, q, 10)})
        for q in queries
    )
    assert hits / (10 * len(queries)) >= 0.99


def test_hnsw_recall_when_all_vectors_share_a_direction():
    """Like real chunk embeddings (mean vector norm ≈ 0.7) with questions off that direction:
    uncentred HNSW reaches recall@10 ≈ 0.93 here even at efSearch 512."""
    rng = np.random.default_rng(3)
    common = rng.normal(size=64)
    common /= np.linalg.norm(common)
    vectors = (rng.normal(size=(20_000, 64)) / 8 + common).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = rng.normal(size=(100, 64)).astype(np.float32)
    queries -= 0.9 * np.outer(queries @ common, common)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = np.arange(20_000) + 5
    exact, _ = build_vectors(ids, vectors, approximate_above=100_000)
    approximate, params = build_vectors(ids, vectors, approximate_above=1000)
    center = np.asarray(params["center"], dtype=np.float32)
    hits = 0
    for query in queries:
        found = dict(search_vectors(approximate, query, 10, center=center))
        truth = dict(search_vectors(exact, query, 10))
        hits += len(found.keys() & truth.keys())
        assert all(abs(found[i] - truth[i]) < 1e-4 for i in found.keys() & truth.keys())  # still cosines
    assert hits / (10 * len(queries)) >= 0.99


def test_index_kind_follows_the_size():
    assert [vector_kind(n, approximate_above=1000, compact_above=5000) for n in (1000, 1001, 5000, 5001)] == [
        "flat", "hnsw", "hnsw", "pq-rerank"]
    assert vector_kind(5001, approximate_above=1000, compact_above=5000, dimension=100) == "hnsw"  # no 4-dim codes


def test_hnsw_parameters_follow_the_size_and_go_into_the_manifest(tmp_path):
    """A smaller graph reaches recall@10 ≥ 0.99 with a narrower search (efSearch 320 up to 120,000
    vectors, measured at 100,000); the parameters are recorded and the saved index searches with them."""
    assert [hnsw_parameters(n)["efSearch"] for n in (50_001, 120_000, 120_001, 500_000)] == [320, 320, 512, 512]
    vectors, ids = unit_rows(2000), np.arange(2000)
    index, params = build_vectors(ids, vectors, approximate_above=1000)
    assert {key: params[key] for key in ("kind", "M", "efConstruction", "efSearch")} == {
        "kind": "hnsw", "M": 32, "efConstruction": 200, "efSearch": 320}
    save_vectors(index, tmp_path / "v.faiss")
    assert faiss.downcast_index(load_vectors(tmp_path / "v.faiss", params).index).hnsw.efSearch == 320
    assert faiss.downcast_index(load_vectors(tmp_path / "v.faiss", {"efSearch": 96}).index).hnsw.efSearch == 96
    # an index whose manifest records none (none was built so) is searched as before
    assert faiss.downcast_index(load_vectors(tmp_path / "v.faiss").index).hnsw.efSearch == 512


def test_hnsw_index_answers_as_exact_search_on_the_sample(tmp_path):
    """The sample knowledge base built with HNSW (forced: approximate_above = 0) and with exact search
    gives the same hits, passages and confidences (to rounding: HNSW scores centred vectors, then adds
    the centre back); the served index searches with the manifest's efSearch."""
    shutil.copytree(REPO / "knowledge", tmp_path / "knowledge")
    results = {}
    for name, above in (("exact", 50_000), ("hnsw", 0)):
        settings = IndexSettings(knowledge_dir=tmp_path / "knowledge", data_dir=tmp_path / name, progress=False,
                                 approximate_above=above)
        build_index(settings, embedder=FakeEmbedder())
        manifest = verify_generation(Generations(settings.index_dir).current())
        index = Index(settings, embedder=FakeEmbedder())
        results[name] = [
            ([hit.chunk_id for hit in result.hits], result.passage, result.confidence)
            for question in ("Wie richte ich das VPN ein?", "Wer leitet die SCIU?", "Was kostet ein Diensthandy?",
                             "Wie funktioniert Gleitzeit?", "Was ist der digitale Zwilling?")
            for result in [index.search(question, k=10)]
        ]
        vectors = index._current_snapshot().vectors
        if name == "hnsw":
            assert manifest["vectors"]["kind"] == "hnsw"
            assert faiss.downcast_index(vectors.index).hnsw.efSearch == manifest["vectors"]["efSearch"] == 320
        else:
            assert manifest["vectors"]["kind"] == "flat"
    assert [(hits, passage) for hits, passage, _ in results["hnsw"]] == [
        (hits, passage) for hits, passage, _ in results["exact"]]
    assert all(abs(a[2] - b[2]) < 1e-6 for a, b in zip(results["hnsw"], results["exact"]))
    assert all(hits for hits, _, _ in results["exact"])


def test_pq_rerank_against_exact_search_after_a_round_trip(tmp_path, monkeypatch):
    """recall@10 ≥ 0.99, true cosines and exclusions inside FAISS after save/load. A quarter of the
    vectors are re-ranked (more than the rule's 4,000: this structureless data gains little from the
    rotation), and few OPQ iterations keep the test quick."""
    monkeypatch.setattr(vectors_module, "RERANK_CANDIDATES", 5000)
    monkeypatch.setattr(vectors_module, "OPQ_ITERATIONS", 2)
    rng = np.random.default_rng(4)
    common = rng.normal(size=64)
    common /= np.linalg.norm(common)
    vectors = (rng.normal(size=(20_000, 64)) / 8 + common).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids, excluded = np.arange(20_000) * 3 + 1, np.arange(1, 3000, 6)
    assert vectors_module.rerank_candidates(20_000) == 5000
    exact, _ = build_vectors(ids, vectors, approximate_above=100_000)
    approximate, params = build_vectors(ids, vectors, approximate_above=1000, compact_above=5000)
    assert params["kind"] == "pq-rerank" and params["count"] == 20_000
    assert params["factory"] == "OPQ16_64,IVF1,PQ16x4fs,Refine(SQfp16)"  # rotated, then 4-bit codes
    assert params["candidates"] == 5000  # recorded in the manifest
    save_vectors(approximate, tmp_path / "v.faiss")
    approximate = load_vectors(tmp_path / "v.faiss")
    save_vectors(exact, tmp_path / "f32.faiss")
    assert (tmp_path / "v.faiss").stat().st_size < 0.6 * (tmp_path / "f32.faiss").stat().st_size  # float16 + codes
    center, hits = np.asarray(params["center"], dtype=np.float32), 0
    queries = [*unit_rows(50, dim=64, seed=5), *vectors[rng.choice(20_000, 50)]]  # off the common direction, and on it
    for query in queries:
        found = dict(search_vectors(approximate, query, 10, excluded, center=center))
        truth = dict(search_vectors(exact, query, 10, excluded))
        assert len(found) == 10 and not found.keys() & set(excluded.tolist())
        hits += len(found.keys() & truth.keys())
        assert all(abs(found[i] - truth[i]) < 2e-3 for i in found.keys() & truth.keys())
    assert hits / 1000 >= 0.99


def test_pq_rerank_candidates_follow_the_size():
    """0.4 % of the vectors are re-ranked, at least 4,000 (all of a smaller index): with the OPQ
    rotation recall@10 at 1,000,000 chunks was 0.993 with 4,000. An index built before the rotation
    keeps its 1 %, at least 5,000 (without it 5,000 gave 0.983)."""
    assert [vectors_module.rerank_candidates(n) for n in (1_500, 20_000, 500_000, 1_000_000, 2_000_000)] == [
        1_500, 4_000, 4_000, 4_000, 8_000]
    assert [vectors_module.rerank_candidates(n, rotated=False) for n in (3_000, 20_000, 1_000_000)] == [
        3_000, 5_000, 10_000]


def test_an_index_built_before_the_rotation_is_still_searched_with_its_candidates(monkeypatch):
    """A pq-rerank index without OPQ (built by an earlier version) re-ranks 1 %, at least 5,000."""
    vectors, ids = unit_rows(3000), np.arange(3000) + 11
    inner = faiss.index_factory(32, "IVF1,PQ8x4fs,Refine(SQfp16)", faiss.METRIC_INNER_PRODUCT)
    inner.train(vectors)
    index = faiss.IndexIDMap2(inner)
    index.add_with_ids(vectors, ids)
    asked = []
    real = vectors_module.rerank_candidates
    monkeypatch.setattr(vectors_module, "rerank_candidates", lambda count, rotated=True: asked.append(rotated) or real(count, rotated))
    found = search_vectors(index, vectors[7], k=10, excluded=ids[:5])
    assert asked == [False] and found[0][0] == ids[7] and len(found) == 10  # all 3,000 re-ranked: exact


def test_pq_rerank_excludes_most_of_the_index_without_losing_k():
    vectors, ids = unit_rows(3000), np.arange(3000) + 11
    index, params = build_vectors(ids, vectors, approximate_above=100, compact_above=1000)
    assert params["kind"] == "pq-rerank"
    excluded = ids[ids % 10 != 0]  # 90 % excluded, e.g. another group's documents
    center = np.asarray(params["center"], dtype=np.float32)
    found = search_vectors(index, vectors[19], k=50, excluded=excluded, center=center)
    assert len(found) == 50 and all(i % 10 == 0 for i, _ in found) and found[0][0] == ids[19]
