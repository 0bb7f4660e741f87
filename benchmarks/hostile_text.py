"""Time of sentence and compound splitting on hostile text, against the old quadratic splitter.

Prints seconds per input for `split_sentences` (and the frozen pre-change splitter in
tests/reference_sentences.py where it finishes in reasonable time) and for `split_compound`.

    .venv/bin/python benchmarks/hostile_text.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.analysis import Analyzer  # noqa: E402
from indexer.sentences import split_sentences  # noqa: E402
from tests import reference_sentences  # noqa: E402

SENTENCE_INPUTS = {
    "20,000 dots": "." * 20_000,
    "200,000 dots": "." * 200_000,
    "3 MB of dots": "." * 3_000_000,
    "6,000 initials 'A. '": "A. " * 6_000,
    "100,000 initials 'A. '": "A. " * 100_000,
    "100,000 opening quotes": "„" * 100_000,
    "1,000,000 words, no full stop": "Wort " * 1_000_000,
}
OLD_LIMIT = 20_000  # characters: the old splitter is quadratic, 200,000 dots take many minutes
COMPOUNDS = {"4,200 letters": 4_200, "100,000 letters": 100_000}


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main() -> None:
    print(f"{'input':34} {'new s':>8} {'old s':>8} sentences")
    for name, text in SENTENCE_INPUTS.items():
        seconds, sentences = timed(split_sentences, text)
        old = f"{timed(reference_sentences.split_sentences, text)[0]:8.2f}" if len(text) <= OLD_LIMIT else "     n/a"
        print(f"{name:34} {seconds:8.3f} {old} {len(sentences)}")
    analyzer = Analyzer({"Verwaltung", "Digitalisierung", "Strategie"})
    for name, length in COMPOUNDS.items():
        word = ("Verwaltungs" * (length // 11 + 1))[:length]
        seconds, parts = timed(analyzer.split_compound, word)
        print(f"compound of {name:22} {seconds:8.3f} parts {len(parts)}")


if __name__ == "__main__":
    main()
