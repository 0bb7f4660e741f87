"""The answering documents read whole: do they state the value a question asks for?

The rules of what counts (a year, a sum, a length of time, a time of day) are in `asked_value`;
this reads a hit's whole document from the index, since the value may stand in another chunk.
"""
from __future__ import annotations

from typing import Callable

from .analysis import Analyzer
from .asked_value import CLOCK_QUESTION, asks_for_sum, lacks_asked_value, stated_value_missing
from .common_synonyms import CALL_QUESTION
from .question_form import PHONE, PHONE_QUESTION
from .records import Hit


class StatedValues:
    """Value checks on whole documents of one index snapshot."""

    def __init__(self, analyzer: Analyzer, document_text: Callable[[int], str], chunk_document: dict[int, int]):
        self.analyzer = analyzer
        self.document_text = document_text
        self.chunk_document = chunk_document

    def on_topic(self, nouns: set[str], text: str) -> bool:
        """The text holds one of the question's nouns: a sum in it may be the one asked for."""
        return bool(nouns & set(self.analyzer.terms(text)))

    def lacking(self, query: str, nouns: set[str], document_id: int) -> bool:
        """The answering document cannot hold what the question asks for (a year it names, a sum on
        its topic, a length of time, a time of day)."""
        text = self.document_text(document_id)
        return lacks_asked_value(query, text, not asks_for_sum(query) or self.on_topic(nouns, text))

    def clock_off_topic(self, query: str, nouns: set[str], rarity: Callable[[str], float], document_id: int) -> bool:
        """A question for a time of day is about its rarest noun ("Wann hat die Kantine geöffnet?"): a
        document that never names it states no time for it, whatever clock times it holds."""
        if not nouns or not CLOCK_QUESTION.search(query):
            return False
        topic = max(sorted(nouns), key=rarity)
        return not self.on_topic({topic}, self.document_text(document_id))

    def phone_on_topic(self, query: str, nouns: set[str], text: str) -> bool:
        """A line of the text gives a number to call beside one of the question's nouns other than
        the phone words themselves ("Daniel Yilmaz   Smart Parking (BOGESTRA)   -4132")."""
        topic = nouns - {t for word in PHONE_QUESTION.findall(query) for t in self.analyzer.terms(word)}
        return any(PHONE.search(line) and topic & set(self.analyzer.terms(line)) for line in text.splitlines())

    def prefer(self, query: str, nouns: set[str], hits: list[Hit]) -> list[Hit]:
        """For a question asking for a sum (on its topic), a length of time, a time of day or a
        number to call, documents that state one go first (order kept otherwise).

        Not for years: preferring documents that mention a named year cost XQuAD MRR@10 0.001."""
        phone = bool(CALL_QUESTION.search(query))
        texts = {hit.chunk_id: self.document_text(self.chunk_document[hit.chunk_id]) for hit in hits}
        # Whether a text is on topic only matters for a sum; analysing a whole document costs ~10 ms.
        lacking = {chunk_id: stated_value_missing(query, text, not asks_for_sum(query) or self.on_topic(nouns, text))
                   or (phone and not self.phone_on_topic(query, nouns, text)) for chunk_id, text in texts.items()}
        return sorted(hits, key=lambda hit: lacking[hit.chunk_id])
