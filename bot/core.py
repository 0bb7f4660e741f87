"""The chat core: a question from someone goes in, an answer with sources comes out.

It knows nothing of Telegram or terminals; every front end only translates to and from it.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from indexer import Hit, Index, IndexNotReady, IndexReport, SearchResult, build_index
from indexer.question_form import is_english

from .config import Config
from .grounded import Phraser
from .ids import qualify
from .topics import topic_experts
from .interactions import Interactions
from .phrases import NOT_A_QUESTION, no_answer
T = TypeVar("T")
RECENT_ANSWERS = 2000  # answers kept for buttons such as "Mehr Quellen"


class QuestionError(ValueError):
    """The question cannot be answered as asked (empty, too long, no words); the message is for the user.

    Such a message is neither logged nor offered for hand-off, so it never becomes a knowledge gap.
    """


@dataclass(frozen=True)
class Asker:
    """Who asks: a prefixed id (bot.ids, e.g. "telegram:123") for logging and feedback, their
    access groups, and the channel (the front)."""

    user_id: str
    name: str = ""
    groups: frozenset[str] = frozenset()
    channel: str = "terminal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "user_id", qualify(self.user_id))  # bare numbers: Telegram (bot.ids)


@dataclass
class Source:
    """A document an answer rests on, as the person asking needs to see it."""

    title: str
    section: str
    location: str
    updated: str | None
    owner: str | None
    outdated: bool = False
    path: str = ""  # under the knowledge folder, e.g. "faq/diensthandy-beantragen.md"
    unreviewed: bool = False  # an expert answer (front matter `reviewed: false`) not yet approved


@dataclass
class Answer:
    """Everything a front end shows: the passage, sources, confidence, and what can be done next."""

    question: str
    text: str
    answered: bool
    confidence: float
    sources: list[Source] = field(default_factory=list)
    more_sources: list[Source] = field(default_factory=list)
    contact: str = ""
    question_id: int | None = None
    actions: list[str] = field(default_factory=list)  # feedback | more_sources | handoff
    caveat: bool = False  # answered, but not sure: fronts show a caveat and offer the hand-off
    language: str = "de"  # "en" for English questions: fronts use English framing
    phrased: bool = False  # text written by the language model and checked sentence by sentence ([llm])
    outdated: bool = False  # the passage comes from an outdated document: fronts warn before it
    unreviewed: bool = False  # the passage is an expert answer not yet reviewed: fronts say so
    alternative: str = ""  # another source's passage that fits about as well: fronts show it after the text
    alternative_source: int = 0  # ... and the number of that source in `sources` (1 = first)


def _alternative(result: SearchResult, sources: list[Source]) -> tuple[str, int]:
    """The competing document's passage and its number among the shown sources; nothing if it
    is not shown."""
    alternative = result.answer.alternative if result.answer else None
    if alternative is None:
        return "", 0
    number = next((n for n, source in enumerate(sources, 1) if source.path == alternative.source), 0)
    return (alternative.text, number) if number else ("", 0)


def owner_handle(owner: str | None) -> str | None:
    """The handle in an owner string: "@lena_hoffmann" in "Lena Hoffmann (@lena_hoffmann)", or a whole
    Matrix ID such as "@lena:bochum.de" (which is also how the bot reaches her on Matrix)."""
    match = re.search(r"@\w[\w.=/-]{2,}:[\w.-]+\w(?::\d+)?|@\w{3,}", owner or "")
    return match.group(0) if match else None


class ChatCore:
    """Answers questions from the index and records them; safe to share between threads."""

    def __init__(self, config: Config, index: Index | None = None, interactions: Interactions | None = None,
                 phraser: Phraser | None = None):
        self.config = config
        self.phraser = phraser or (Phraser(config.llm, config.handoff.faq_dir, restricted=self._restricted)
                                   if config.llm.enabled else None)
        self.index = index or Index(config.index, config.search)
        self.interactions = interactions or Interactions(
            config.interactions_path, config.chat.retention_days, config.chat.store_questions)
        self._last: dict[str, tuple[Asker, Answer]] = {}
        self._recent: OrderedDict[int, tuple[Asker, Answer]] = OrderedDict()
        self._memory_lock = threading.Lock()

    def location(self, path: str, meta: dict) -> str:
        """Where a person reads a document in full: its `url`, else under `link_base`, else the file."""
        base = self.config.chat.link_base
        return str(meta.get("url") or (f"{base.rstrip('/')}/{path}" if base else f"knowledge/{path}"))

    def _source(self, hit: Hit) -> Source:
        return Source(hit.title, hit.heading_path, self.location(hit.source, hit.meta), hit.updated, hit.owner,
                      hit.outdated, hit.source, hit.meta.get("reviewed") is False)

    def check_question(self, question: str) -> str:
        """The question cleaned up, or QuestionError with a friendly reason."""
        text = " ".join(question.split())
        if not text:
            raise QuestionError("Bitte stellen Sie eine Frage, z. B. „Wer leitet die SCIU?“")
        limit = self.config.chat.max_question_chars
        if len(text) > limit:
            raise QuestionError(
                f"Ihre Nachricht ist mit {len(text)} Zeichen zu lang (höchstens {limit}). "
                "Bitte stellen Sie die Frage kürzer."
            )
        if not any(character.isalnum() for character in text):
            raise QuestionError(NOT_A_QUESTION)  # emoji, stickers as text, a lone "?"
        return text

    def ask(self, question: str, asker: Asker, on_text: Callable[[str], None] | None = None) -> Answer:
        """Answer one question for `asker`; logs it (pseudonymised) and remembers it for /quellen.
        With a phraser, `on_text` receives the checked sentences while the model writes."""
        text = self.check_question(question)
        self._record(self.interactions.seen, asker.user_id)
        try:
            result = self.index.search(text, k=self.config.chat.max_sources + 5, groups=asker.groups)
        except IndexNotReady as error:
            return Answer(text, str(error), False, 0.0, contact=self.config.chat.fallback_contact)
        sources = [self._source(hit) for hit in result.hits]
        language = "en" if is_english(text) else "de"
        top = result.best
        # Logged as answered only when answered without a caveat: unsure answers are knowledge gaps too.
        question_id = self._record(
            self.interactions.log_question, asker.user_id, asker.channel, text, result.certain, result.confidence,
            top.source if top else None, result.generation,
        )
        shown = self.config.chat.max_sources
        if result.answerable and top is not None:
            phrased = self.phraser.phrase(text, result, result.hits[:shown], language, on_text) if self.phraser else None
            answer = Answer(text, phrased or result.passage or top.text, True, result.confidence, sources[:shown],
                            sources[shown:], sources[0].owner or self.config.chat.fallback_contact, question_id,
                            ["feedback"], caveat=not result.certain, language=language, phrased=phrased is not None,
                            outdated=top.outdated, unreviewed=sources[0].unreviewed)
            if not answer.phrased:
                answer.alternative, answer.alternative_source = _alternative(result, answer.sources)
        else:
            # The nearest document is offered, but never its owner as the person to ask: it may be unrelated.
            contact = self.topic_contact(text)
            answer = Answer(text, no_answer(language, contact), False, result.confidence, [], sources[:shown],
                            contact, question_id, ["feedback"], language=language)
        if answer.more_sources:
            answer.actions.append("more_sources")
        if (not answer.answered or answer.caveat) and self.config.handoff.enabled:
            answer.actions.append("handoff")
        self._remember(asker, answer)
        return answer

    def _restricted(self, path: str) -> bool:
        document = self.index.document(path)
        return document is None or bool(document.access)

    def topic_contact(self, question: str) -> str:
        """The topic expert whose keyword the question mentions ([handoff] topics), else the fallback."""
        return next(iter(topic_experts(question, self.config.handoff.topics)), self.config.chat.fallback_contact)

    def _record(self, write: Callable[..., T], *args: Any) -> T | None:
        """A write to the question log; if the file breaks, the answer goes out unlogged and the
        admins are told (`Interactions.problem`)."""
        try:
            return write(*args)
        except sqlite3.DatabaseError as error:
            self.interactions.failed(error)
            return None

    def _remember(self, asker: Asker, answer: Answer) -> None:
        with self._memory_lock:
            self._last[str(asker.user_id)] = (asker, answer)
            if answer.question_id is not None:
                self._recent[answer.question_id] = (asker, answer)
                while len(self._recent) > RECENT_ANSWERS:
                    self._recent.popitem(last=False)

    @staticmethod
    def _visible(remembered: tuple[Asker, Answer] | None, asker: Asker) -> Answer | None:
        """The remembered answer if `asker` has at least the access groups it was answered for.

        So a front end never shows restricted sources where they were not asked for, e.g. an answer
        from a private chat in a group chat, where everyone asks without groups.
        """
        if remembered is None or not remembered[0].groups <= asker.groups:
            return None
        return remembered[1]

    def last_answer(self, asker: Asker) -> Answer | None:
        """The latest answer given to this person (for /quellen), if visible where they ask now."""
        with self._memory_lock:
            remembered = self._last.get(str(asker.user_id))
        return self._visible(remembered, asker)

    def recent_answer(self, question_id: int, asker: Asker) -> Answer | None:
        """A recent answer by question id (for buttons under it), if visible to `asker`;
        None for unknown or forgotten ids."""
        with self._memory_lock:
            remembered = self._recent.get(question_id)
        return self._visible(remembered, asker)

    def feedback(self, question_id: int, asker: Asker, positive: bool) -> bool:
        return self.interactions.feedback(question_id, asker.user_id, positive)

    def reindex(self, on_progress: Callable[[str, int, int], None] | None = None) -> IndexReport:
        """Run the incremental indexer; searches keep working and switch to the result by themselves."""
        settings = self.config.index
        return build_index(settings, embedder=self.index.embedder, on_progress=on_progress,
                           known_groups=self.config.groups)
