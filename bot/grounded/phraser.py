"""Phrasing an answer with the model, under the grounding contract: decide whether to ask at all,
stream the answer, pass on only checked sentences, and fall back to the extractive answer."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from indexer import Hit, SearchResult
from indexer.question_form import is_english

from ..config import LlmSettings
from .check import GroundingCheck, lines
from .client import ChatClient, ModelError
from .prompt import build_messages, passages_from

log = logging.getLogger(__name__)
FALLBACK_NAMES = {"timeout": "Zeitüberschreitung", "http": "Serverfehler", "malformed": "unlesbare Antwort",
                  "check": "Prüfung nicht bestanden", "error": "interner Fehler"}


@dataclass
class PhraserStats:
    """What the model did since start: for admins (/status), never with question or passage text."""

    phrased: int = 0
    dropped_sentences: int = 0
    faq_as_written: int = 0
    english_unchecked: int = 0  # English questions with only German passages: not checkable, not asked
    restricted_unsent: int = 0  # answers resting on restricted documents, kept from the model ([llm] send_restricted)
    fallbacks: Counter[str] = field(default_factory=Counter)

    def summary(self, model: str) -> str:
        failed = sum(self.fallbacks.values())
        reasons = ", ".join(f"{FALLBACK_NAMES.get(k, k)} {n}" for k, n in sorted(self.fallbacks.items()))
        return (f"Modell: {model} · formuliert und geprüft: {self.phrased} · verworfene Sätze: "
                f"{self.dropped_sentences} · FAQ wörtlich: {self.faq_as_written}"
                + (f" · Englisch ohne englische Quelle: {self.english_unchecked}" if self.english_unchecked else "")
                + (f" · eingeschränkt, nicht gesendet: {self.restricted_unsent}" if self.restricted_unsent else "")
                + f" · Rückfall auf Auszug: {failed}" + (f" ({reasons})" if reasons else ""))


class Phraser:
    """Phrases answers from the passages with an OpenAI-compatible model; thread-safe."""

    def __init__(self, settings: LlmSettings, faq_dir: str = "faq", client: ChatClient | None = None,
                 restricted: Callable[[str], bool] = lambda path: True) -> None:
        self.settings = settings
        self.restricted = restricted  # whether the document at a path is restricted (unknown: assume so)
        self.faq_dir = faq_dir.strip("/") + "/"
        self.client = client or ChatClient(settings)
        self.stats = PhraserStats()
        self._lock = threading.Lock()

    def serves_as_written(self, result: SearchResult) -> bool:
        """A reviewed FAQ entry that matches confidently is a curated answer: no model in between."""
        top = result.best
        return (top is not None and top.source.startswith(self.faq_dir) and top.meta.get("reviewed") is True
                and result.confidence >= self.settings.faq_threshold)

    def phrase(self, question: str, result: SearchResult, hits: list[Hit], language: str,
               on_text: Callable[[str], None] | None = None) -> str | None:
        """The checked answer from `hits` (numbered as shown), or None for the extractive answer: when
        retrieval declines, a reviewed FAQ entry fits, a passage is restricted (unless `send_restricted`),
        an English question has only German passages, or the model fails or loses the check.
        `on_text` receives the checked sentences so far while the model writes."""
        if not result.answerable or not hits:
            return None
        if self.serves_as_written(result):
            self._count(faq_as_written=1)
            return None
        if not self.settings.send_restricted and any(self.restricted(hit.source) for hit in hits):
            self._count(restricted_unsent=1)  # fail closed: the model server and its logs are outside the group
            return None
        passages = passages_from(hits, result.passage)
        if language == "en" and not any(is_english(p.text) for p in passages):
            # An English answer could not be checked word for word against German passages.
            self._count(english_unchecked=1)
            return None
        check = GroundingCheck(passages, language)
        text, shown = "", ""
        try:
            for piece in self.client.stream(build_messages(question, passages, language)):
                text += piece
                if on_text is not None and (checked := _checked_prefix(check, text)) != shown:
                    shown = checked
                    on_text(checked)
            outcome = check.answer(text)
        except ModelError as error:
            return self._fail(error.kind, str(error))
        except Exception as error:  # a fault here must never cost the person their answer
            log.exception("Sprachmodell: Antwort nicht verarbeitet")
            return self._fail("error", type(error).__name__)
        if outcome.core_lost:
            return self._fail("check", outcome.reason)
        self._count(phrased=1, dropped_sentences=len(outcome.dropped))
        for verdict in outcome.dropped:
            log.info("Sprachmodell: Satz verworfen (%s)", verdict.problem)
        return outcome.text

    def _fail(self, kind: str, detail: str) -> None:
        log.warning("Sprachmodell: %s – der Auszug wird gesendet (%s)", FALLBACK_NAMES.get(kind, kind), detail)
        with self._lock:
            self.stats.fallbacks[kind] += 1
        return None

    def _count(self, **increments: int) -> None:
        with self._lock:
            for name, value in increments.items():
                setattr(self.stats, name, getattr(self.stats, name) + value)


def _checked_prefix(check: GroundingCheck, text: str) -> str:
    """The complete sentences of `text` that pass so far (the last one may still grow); nothing
    while the first one fails (it is the core)."""
    found = lines(text)
    if found:
        found[-1] = found[-1][:-1]
    first = next((s for line in found for s in line), None)
    if first is None or check.sentence(first).problem:
        return ""
    return check.kept(found)
