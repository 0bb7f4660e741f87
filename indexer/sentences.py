"""German sentence splitting that knows administrative abbreviations (z. B., Nr., Abs., S., …).

Linear time on any input (runs of 200,000 dots, endless abbreviations): the boundary pattern only
starts at the first mark of a run, the abbreviation check looks at the last two words only, and a
cut inside a quotation („Leitfaden Nr. 2. Fassung“) is never made.
"""
from __future__ import annotations

import re

# Lower-cased abbreviations without their final period; multi-part ones ("z. B.") end in their last part.
ABBREVIATIONS = frozenset(
    """
    abs absatz abschn abt allg anh anl anm art aufl az bd bearb beil betr bgbl bspw bzgl bzw ca
    chr dgl dipl dr dt ebd eg einschl entspr erg etc ev evtl ff fr frl gem gegr ges gg ggf gmbh grds
    hd hg hr hrsg hs inkl insb jh jr kap kfz lfd lit max mio mind mrd mt nachf nr nrn o. od orig pkt
    pol prof rd rdnr reg rn rz sek sog spez st std str tab tel tsd usf usw vgl vj vol vs wg zb ziff zt
    zzgl jan feb febr mär apr jun jul aug sep sept okt nov dez mo di mi do fr sa so
    """.split()
)
# A number after these is a reference ("Nr. 1.", "Anlage 2."), not an ordinal ("3. Oktober").
REFERENCE_WORDS = frozenset("§ §§ nr nr. abs abs. absatz art art. artikel s s. seite satz ziff ziff. anlage kapitel teil".split())

# Final marks, closing quotes/brackets, one space (text is whitespace-normalised), then a capital,
# digit or § (possibly after an opening quote). The look-behind and possessive runs keep a run of
# marks from being retried at each of its positions: without them 200,000 dots take minutes.
_BOUNDARY = re.compile(r"(?<![.!?…])([.!?…]++[\"'»«“”)\]]*+) (?=[\"'»«„“(\[]?[A-ZÄÖÜ0-9§])")
# Opening quote → the closing quotes that end it. Straight quotes and “ open only before a word.
_QUOTES = {"„": "“”", "“": "”", "»": "«", "«": "»", '"': '"'}
_QUOTE_MARK = re.compile("[„“”»«\"]")
MAX_QUOTE_CHARS = 500
"""A quotation longer than this is taken for a stray quote mark: it no longer protects its full stops."""
MAX_SENTENCE_CHARS = 3000
"""Longer sentences are cut at the last space before this length (or hard): a budget for hostile text."""


def _is_abbreviation(text: str, start: int, end: int) -> bool:
    """True when text[start:end] (ending in a period) ends in an abbreviation, an initial or an ordinal."""
    space = text.rfind(" ", start, end)
    last = text[space + 1 : end - 1]
    trail = len(last)
    while trail and (last[trail - 1].isalnum() or last[trail - 1] == "_"):
        trail -= 1
    word = last[trail:]
    if not word:
        return False
    before = ""
    if trail == 0 and space > start:  # a whole word: the word before it may make it a reference
        before = text[text.rfind(" ", start, space) + 1 : space]
    if word.isdigit():  # "3. Oktober" is an ordinal; "im Jahr 2021." and "Nr. 1." end a sentence
        return len(word) <= 2 and before.lower() not in REFERENCE_WORDS
    if len(word) == 1:  # initials and parts of "z. B.", "u. a.", "d. h.", "S. 4"
        return True
    word = word.lower()
    return word in ABBREVIATIONS or (word.endswith("str") and len(word) > 4)  # "Hauptstr. 5"


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each closed quotation in `text`, in order; stray quote marks are ignored."""
    spans: list[tuple[int, int]] = []
    opened, closers = -1, ""
    for mark in _QUOTE_MARK.finditer(text):
        index, char = mark.start(), mark.group()
        if opened >= 0 and index - opened > MAX_QUOTE_CHARS:
            opened = -1  # too long for a quotation: the opening mark was a stray one
        if opened >= 0:
            if char in closers and text[index - 1] != " ":
                spans.append((opened, index + 1))
                opened = -1
            continue
        if char in _QUOTES:
            after = text[index + 1 : index + 2]
            if char in "\"“" and (not after or after == " " or (index and text[index - 1] not in " ([/")):
                continue  # a closing or stray mark, or an inch sign
            opened, closers = index, _QUOTES[char]
    return spans


def _cut_long(sentence: str) -> list[str]:
    """A sentence within MAX_SENTENCE_CHARS, else pieces cut at the last space before the limit."""
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence] if sentence else []
    pieces: list[str] = []
    start = 0
    while len(sentence) - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = sentence.rfind(" ", start + 1, limit + 1)
        cut = cut if cut > 0 else limit
        pieces.append(sentence[start:cut].strip())
        start = cut + (sentence[cut] == " ")
    pieces.append(sentence[start:])
    return [piece for piece in pieces if piece]


def split_sentences(text: str) -> list[str]:
    """Split German (or English) text into sentences; never returns empty strings."""
    text = " ".join(text.split())
    if not text:
        return []
    spans = quotation_spans(text) if any(mark in text for mark in _QUOTES) else []
    sentences: list[str] = []
    start = span = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end(1)
        while span < len(spans) and spans[span][1] <= end:
            span += 1
        if span < len(spans) and spans[span][0] < end:
            continue  # inside a quotation
        if match.group(1) == "." and _is_abbreviation(text, start, end):
            continue
        sentences.extend(_cut_long(text[start:end].strip()))
        start = match.end()
    sentences.extend(_cut_long(text[start:].strip()))
    return sentences
