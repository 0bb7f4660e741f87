"""German sentence splitting that knows administrative abbreviations (z. B., Nr., Abs., S., …)."""
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

_BOUNDARY = re.compile(r"([.!?…]+[\"'»«“”)\]]*)\s+(?=[\"'»«„“(\[]?[A-ZÄÖÜ0-9§])")
_WORD_BEFORE = re.compile(r"(\S+\s+)?([\wÄÖÜäöüß]+)\.$")
# A number after these is a reference ("Nr. 1.", "Anlage 2."), not an ordinal ("3. Oktober").
REFERENCE_WORDS = frozenset("§ §§ nr nr. abs abs. absatz art art. artikel s s. seite satz ziff ziff. anlage kapitel teil".split())


def _is_abbreviation(head: str) -> bool:
    """True when the text up to a period ends in an abbreviation, an initial or an ordinal."""
    match = _WORD_BEFORE.search(head)
    if not match:
        return False
    word = match.group(2)
    if word.isdigit():  # "3. Oktober" is an ordinal; "im Jahr 2021." and "Nr. 1." end a sentence
        before = (match.group(1) or "").strip().lower()
        return len(word) <= 2 and before not in REFERENCE_WORDS
    if len(word) == 1:  # initials and parts of "z. B.", "u. a.", "d. h.", "S. 4"
        return True
    return word.lower() in ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Split German (or English) text into sentences; never returns empty strings."""
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
