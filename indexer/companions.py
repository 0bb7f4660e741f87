"""Which units go with the best answer unit: the sentences it leans on, the list its paragraph
announces, units of its document that score nearly as well, the sentences between two of them, and
the rest of a short paragraph – within a word budget, so the answer reads whole but stays short.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import TYPE_CHECKING, Callable

from .units import LINE_KINDS, PROSE, WHOLE_KINDS

if TYPE_CHECKING:
    from .answer import ScoredUnit

MAX_COMPANIONS = 3  # units shown besides the best one
COMPANION_MARGIN = 0.33  # ... when they score at most this much below it (0.35: the same key facts, kb-dev median
# 45.5 words; 0.30: two kb-dev key facts fewer)
# ... and the answer stays within this many words. Long prose (XQuAD's encyclopedia paragraphs, laws)
# needs room for three sentences: XQuAD passage 0.894 / 0.909 / 0.913 with 80 / 100 / 120 words; kb-dev's
# answers are shorter (median 44 either way, p95 73 → 77).
COMPANION_WORDS = 120
SHORT_ANSWER_WORDS = 25  # a one-sentence answer shorter than this goes on with the next sentence
LONG_PARAGRAPH_SENTENCES = 4  # in a paragraph this long, the sentence between two answer sentences joins
# A sentence that opens with a pronoun or a pointing word leans on the one before it ("Sie" and "Ihr"
# are left out: in staff documents they address the reader).
ANAPHOR = re.compile(r"(?:Er|Sein|Seine|Seinen|Seinem|Seiner|Dies|Diese|Dieser|Dieses|Diesen|Diesem|Dort|Dabei|"
                     r"Damit|Dadurch|Daher|Deshalb|Dafür|Darauf|Davon|Hierbei|Letztere\w*|Jene\w*|"
                     r"He|She|They|His|Its|Their|This|These|Those)\b")
# ... or points back inside: "… werden mithilfe dieser Geräte behandelt".
POINTING = re.compile(r"\b(?:dies(?:e|er|es|em|en)|solche\w*|derartige\w*)\s+[A-ZÄÖÜ]")
MAX_ANAPHORA = 2  # sentences read back for one that leans on what came before
# For a question for a person, once the best unit names one: a further unit must hold at least this
# share of its question terms ("Wer kümmert sich um die E-Akte?" got the E-Akte row and three rows
# for other topics; the same key facts on every catalogue, 5–32 fewer words in eight such answers).
PERSON_COMPANION_COVERAGE = 0.5
PARAGRAPH_WORDS = 40  # an answer this short takes in the rest of its paragraph
# A table row or list item answers in one line: a third unit beside it must score at least this close
# to it (median answer on kb-dev and the held-out sets 42.5–46.5 → 40–43 words, the same key facts;
# 0.1–0.2 alike, 0: one held-out fact fewer each on two sets). Not for sentences: XQuAD's encyclopedia
# answers need three of them (passage 0.925 → 0.920 with the rule for all units).
LINE_THIRD_MARGIN = 0.15


def companions(best: ScoredUnit, scored: list[ScoredUnit], person: bool = False) -> list[ScoredUnit]:
    """More units of the same document that score nearly as well, within a word budget (`person`:
    the question asks for a person).

    (Adding the sentence after the best one by position was measured too: on kb-dev it crowded
    out better companions, key fact 0.68 → 0.67.)"""
    if best.unit.kind in WHOLE_KINDS:
        return []
    chosen: list[ScoredUnit] = []
    words = _words(best)
    leaning = best
    while leaning.unit.kind == "sentence" and leans_back(leaning.unit.text) and len(chosen) < MAX_ANAPHORA:
        # "Er beschreibt auch …", "Sein Liber servitoris …": who is meant stands in the sentence before.
        before = next((item for item in scored if item.candidate is best.candidate and item.unit.kind == "sentence"
                       and item.unit.position == leaning.unit.position - 1), None)
        if before is None:
            break
        chosen.append(before)
        words += _words(before)
        leaning = before
    for announced in _announced_list(best, scored):
        # "… Zentrale Ergebnisse der letzten Befragung:": the paragraph announces the list that answers.
        chosen.append(announced)
        words += _words(announced)
    rest = scored[1:]
    if best.fit < 1.0:
        # The best unit lacks what the question asks for (a time, a place, a number): a unit that
        # has it goes first ("wann und wo …" – "Ankunft: 9:00 Uhr an der Pforte").
        rest = sorted(rest, key=lambda item: item.fit <= best.fit or item.coverage < best.coverage / 2)
    for item in rest:
        if len(chosen) == MAX_COMPANIONS:
            break
        if item.score < best.score - (LINE_THIRD_MARGIN if len(chosen) >= 2 and best.unit.kind in LINE_KINDS
                                      else COMPANION_MARGIN):
            continue
        if person and best.fit == 1.0 and item.coverage < best.coverage * PERSON_COMPANION_COVERAGE:
            continue  # the contact list's other rows name other people, for other topics
        if item.candidate.document_id != best.candidate.document_id or item.unit.kind in WHOLE_KINDS:
            continue
        if any(item.unit.text in other.unit.text or other.unit.text in item.unit.text for other in [best, *chosen]):
            continue
        if words + _words(item) > COMPANION_WORDS:
            continue
        chosen.append(item)
        words += _words(item)
    for between in _between(best, chosen, scored):
        # "… Imperiums. [Das Hauptaugenmerk lag dabei auf Nord- und Westafrika.] Weitere …": the answer reads on.
        chosen.append(between)
        words += _words(between)
    if best.unit.kind == "sentence" and words < SHORT_ANSWER_WORDS:
        following = _following(best, scored)
        if following is not None and following not in chosen:
            chosen.append(following)
            words += _words(following)
    for sibling in _short_paragraph(best, scored):
        # a short answer is completed by the rest of its short paragraph
        if sibling not in chosen and words + _words(sibling) <= PARAGRAPH_WORDS:
            chosen.append(sibling)
            words += _words(sibling)
    return chosen


def named_procedure(parts: list[ScoredUnit], scored: list[ScoredUnit], actions: frozenset[str],
                    heading_terms: Callable[[str], set[str]]) -> list[ScoredUnit]:
    """For "wie reiche ich … ein?": the section of the answer's document that a verb of the question
    names ("Einreichung"), when the answer is a sentence from elsewhere in the document ("Mit dem
    Steckbrief reichen Fachbereiche … ein."): its list of steps, or its first two units, within the
    word budget. The document's own how-to stands under that heading."""
    best = parts[0]
    if not actions or best.unit.kind in WHOLE_KINDS:
        return []
    held = set().union(*(item.terms for item in parts)) | heading_terms(best.unit.section)
    named = [item for item in scored if item.candidate.document_id == best.candidate.document_id
             and item.unit.section and item.unit.section != best.unit.section and item.unit.kind != "question"
             and (heading_terms(item.unit.section) & actions) - held
             and not any(item.unit.text in part.unit.text or part.unit.text in item.unit.text for part in parts)]
    if not named:
        return []
    top = max(named, key=lambda item: item.score)
    section = sorted((item for item in named if item.candidate is top.candidate and item.unit.section == top.unit.section),
                     key=lambda item: item.unit.position)
    picked = [item for item in section if item.unit.kind in WHOLE_KINDS][:1] or section[:2]
    if sum(map(_words, parts + picked)) > COMPANION_WORDS:
        return []
    return picked


def _between(best: ScoredUnit, chosen: list[ScoredUnit], scored: list[ScoredUnit]) -> list[ScoredUnit]:
    """Each sentence of a long paragraph that stands between two sentences of the answer."""
    def place(item: ScoredUnit, shift: int = 0) -> tuple[int, int, int]:
        return item.candidate.chunk_id, item.unit.line, item.unit.position + shift

    sentences = [item for item in scored if item.unit.kind == "sentence"]
    taken = {place(item) for item in [best, *chosen] if item.unit.kind == "sentence"}
    length = Counter(place(item)[:2] for item in sentences)
    return [item for item in sentences if length[place(item)[:2]] >= LONG_PARAGRAPH_SENTENCES
            and place(item) not in taken and place(item, -1) in taken and place(item, 1) in taken]


def _following(best: ScoredUnit, scored: list[ScoredUnit]) -> ScoredUnit | None:
    """The sentence after the best one in its paragraph, if any."""
    return next((item for item in scored if item.candidate is best.candidate and item.unit.kind == "sentence"
                 and item.unit.line == best.unit.line and item.unit.position == best.unit.position + 1), None)


def _short_paragraph(best: ScoredUnit, scored: list[ScoredUnit]) -> list[ScoredUnit]:
    """The sentences after the best one in its paragraph when the paragraph is short: they go on
    with what it says ("… können online gebucht werden. Buchende erhalten …")."""
    if best.unit.kind != "sentence":
        return []
    own = [item for item in scored if item.candidate is best.candidate and item.unit.line == best.unit.line
           and item.unit.kind == "sentence" and item.unit.position > best.unit.position]
    if not own or _words(best) + sum(map(_words, own)) > PARAGRAPH_WORDS:
        return []
    return sorted(own, key=lambda item: item.unit.position)


def _announced_list(best: ScoredUnit, scored: list[ScoredUnit]) -> list[ScoredUnit]:
    """The sentence that ends the best sentence's paragraph by announcing a list ("… Ergebnisse:")
    and the first items of that list."""
    if best.unit.kind != "sentence":
        return []
    own = sorted((item for item in scored if item.candidate is best.candidate), key=lambda item: item.unit.position)
    paragraph = [item for item in own if item.unit.line == best.unit.line and item.unit.kind in PROSE]
    if not paragraph or not paragraph[-1].unit.text.endswith(":"):
        return []
    lead = paragraph[-1]
    items = itertools.takewhile(lambda item: item.unit.kind == "item", (i for i in own if i.unit.position > lead.unit.position))
    return ([] if lead is best else [lead]) + list(items)[:MAX_COMPANIONS]


def leans_back(sentence: str) -> bool:
    """The sentence cannot be understood without the one before it."""
    return bool(ANAPHOR.match(sentence) or POINTING.search(sentence))


def _words(item: ScoredUnit) -> int:
    return len(item.unit.text.split())
