"""The sentence splitter as it was before it became linear (frozen, quadratic): the oracle that
tests/test_sentences.py compares the current one with on real text. Do not use outside tests."""
from __future__ import annotations

import re

from indexer.sentences import ABBREVIATIONS, REFERENCE_WORDS

_BOUNDARY = re.compile(r"([.!?…]+[\"'»«“”)\]]*)\s+(?=[\"'»«„“(\[]?[A-ZÄÖÜ0-9§])")
_WORD_BEFORE = re.compile(r"(\S+\s+)?([\wÄÖÜäöüß]+)\.$")


def _is_abbreviation(head: str) -> bool:
    match = _WORD_BEFORE.search(head)
    if not match:
        return False
    word = match.group(2)
    if word.isdigit():
        before = (match.group(1) or "").strip().lower()
        return len(word) <= 2 and before not in REFERENCE_WORDS
    if len(word) == 1:
        return True
    return word.lower() in ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end(1)
        if match.group(1).startswith(".") and len(match.group(1)) == 1 and _is_abbreviation(text[start:end]):
            continue
        sentences.append(text[start:end].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
