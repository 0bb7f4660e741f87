"""Expert hand-off: a question the bot could not answer goes, with the asker's consent, to a person;
their answer goes back to the asker and into the FAQ.

Every open hand-off lives in the interactions database, so nothing is lost on a restart. The
asker's real chat id (and name, if they agreed to show it) is kept only while the hand-off is
open. Sending messages is the front end's job; this module decides who, when and what is stored.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from indexer import IndexNotReady

from .clock import Clock, parse_stamp, stamp, utc_now
from .core import Asker, ChatCore
from .experts import ExpertDirectory, Route
from .ids import qualify
from .faq_writer import ACCESS_TO_DECIDE, FaqEntry, FaqWriter
from .redaction import redact

OPEN, ANSWERED, EXPIRED, UNREACHABLE = "open", "answered", "expired", "unreachable"


class HandoffError(Exception):
    """The hand-off cannot be made; the message (German, friendly) is for the asker."""


@dataclass
class Handoff:
    """One question on its way to a person."""

    id: int
    question_id: int
    question: str
    top_source: str | None
    status: str
    created_at: datetime
    asker_chat_id: str | None = None  # prefixed (bot.ids), e.g. "telegram:123"
    asker_name: str | None = None
    expert: str | None = None
    expert_chat_id: str | None = None
    sent_at: datetime | None = None
    reminded_at: datetime | None = None
    access: frozenset[str] = frozenset()  # the strictest access of what the asker saw (empty: public)

    @classmethod
    def from_row(cls, row: dict) -> Handoff:
        return cls(row["id"], row["question_id"], row["question"], row["top_source"], row["status"],
                   parse_stamp(row["created_at"]) or utc_now(), row["asker_chat_id"], row["asker_name"],
                   row["expert"], row["expert_chat_id"], parse_stamp(row["sent_at"]), parse_stamp(row["reminded_at"]),
                   frozenset(g for g in (row.get("access") or "").split(",") if g))


@dataclass
class HandoffOffer:
    """What the asker is asked to agree to: which question goes to whom."""

    question_id: int
    question: str
    recipient: str


@dataclass
class ExpertAnswer:
    """An expert's reply, stored: the hand-off as it was (with the asker's chat, if still open) and the FAQ entry."""

    handoff: Handoff
    entry: FaqEntry
    deliver: bool  # False when the hand-off had already expired or been answered


@dataclass
class DueWork:
    """What the periodic check has to do now."""

    reminders: list[Handoff] = field(default_factory=list)
    expired: list[Handoff] = field(default_factory=list)


class HandoffDesk:
    """Open, route, answer, remind and expire hand-offs."""

    def __init__(self, core: ChatCore, experts: ExpertDirectory, faq: FaqWriter, clock: Clock = utc_now) -> None:
        self.core = core
        self.experts = experts
        self.faq = faq
        self.clock = clock
        self.db = core.interactions.db
        self.settings = core.config.handoff

    # -- asking ---------------------------------------------------------------------------------------
    def offer(self, question_id: int, asker: Asker) -> HandoffOffer:
        """Check that `asker` may hand off this question and say to whom it would go."""
        if not self.settings.enabled:
            raise HandoffError("Die Weiterleitung an Expertinnen und Experten ist nicht eingeschaltet.")
        row = self.core.interactions.question(question_id)
        if row is None or row["pseudonym"] != self.core.interactions.pseudonym(asker.user_id):
            raise HandoffError("Diese Frage kann ich nicht mehr weiterleiten. Bitte stellen Sie sie einfach noch einmal.")
        if self.db.execute("SELECT 1 FROM handoffs WHERE question_id = ?", [question_id]).fetchone():
            raise HandoffError("Diese Frage ist bereits weitergeleitet.")
        question = row["question"] or self._unstored_question(question_id, asker)
        routes = self.experts.routes(question, row["top_source"] if row["answered"] else None)
        if not routes:
            raise HandoffError(f"Leider ist gerade niemand hinterlegt, an den ich weiterleiten kann. "
                               f"Bitte wenden Sie sich an {self.core.config.chat.fallback_contact}.")
        return HandoffOffer(question_id, question, routes[0].label)

    def _unstored_question(self, question_id: int, asker: Asker) -> str:
        """With `store_questions = "none"` the log has no text: the recent answer's, without contact data.

        The asker sees this text in the offer and agrees to forward it; only then is it stored.
        """
        answer = self.core.recent_answer(question_id, asker)
        if answer is None:
            raise HandoffError("Diese Frage kann ich nicht mehr weiterleiten. Bitte stellen Sie sie einfach noch einmal.")
        return redact(answer.question)

    def open(self, question_id: int, asker: Asker, chat_id: int | str, name: str | None) -> Handoff:
        """Record the hand-off the asker agreed to; `name` only if they chose to show it."""
        offer = self.offer(question_id, asker)
        row = self.core.interactions.question(question_id) or {}
        try:
            handoff_id = self.db["handoffs"].insert({
                "question_id": question_id, "pseudonym": row.get("pseudonym"), "question": offer.question,
                "top_source": row.get("top_source"), "status": OPEN, "asker_chat_id": qualify(chat_id),
                "asker_name": name or None, "created_at": stamp(self.clock()),
                "access": ",".join(sorted(self._seen_access(question_id, asker, offer.question,
                                                            row.get("top_source")))),
            }).last_pk
        except sqlite3.IntegrityError as error:  # a second press that raced the first
            raise HandoffError("Diese Frage ist bereits weitergeleitet.") from error
        handoff = self.get(int(handoff_id))
        assert handoff is not None, "a hand-off just inserted must exist"
        return handoff

    def get(self, handoff_id: int) -> Handoff | None:
        rows = list(self.db["handoffs"].rows_where("id = ?", [handoff_id]))
        return Handoff.from_row(rows[0]) if rows else None

    def _seen_access(self, question_id: int, asker: Asker, question: str, top_source: str | None) -> frozenset[str]:
        """The strictest access among the documents the asker was shown for this question: all
        sources of the remembered answer, or (after a restart) those the same search finds again
        for the asker's groups, plus the best match logged with the question."""
        paths = {top_source} if top_source else set()
        try:
            answer = self.core.recent_answer(question_id, asker)
            if answer is not None:
                paths |= {s.path for s in [*answer.sources, *answer.more_sources]}
            else:
                found = self.core.index.search(question, k=self.core.config.chat.max_sources + 5, groups=asker.groups)
                paths |= {hit.source for hit in found.hits}
            documents = [self.core.index.document(path) for path in sorted(paths)]
        except IndexNotReady:  # what the asker saw cannot be checked: the reviewer decides
            return frozenset({ACCESS_TO_DECIDE}) if paths else frozenset()
        return strictest_access(d.access for d in documents if d is not None)

    def source_title(self, handoff: Handoff, reader_id: str) -> str:
        """Title of the best-matching document (to tell an owner why the question came to them);
        "" when the reader is not in a group that may see that document."""
        try:
            document = self.core.index.document(handoff.top_source) if handoff.top_source else None
        except IndexNotReady:
            document = None
        if document is None or not document.visible_to(self.core.config.groups_of(reader_id)):
            return ""
        return document.title

    def routes(self, handoff: Handoff) -> list[Route]:
        """Who to try next: all routes when none was reached yet, else those after the current expert."""
        question = self.core.interactions.question(handoff.question_id)
        answered = bool(question and question["answered"])
        routes = self.experts.routes(handoff.question, handoff.top_source if answered else None)
        if handoff.expert_chat_id is None:
            return routes
        chats = [r.chat_id for r in routes]
        if handoff.expert_chat_id in chats:
            return routes[chats.index(handoff.expert_chat_id) + 1:]
        return [r for r in routes if r.kind == "fallback" and r.chat_id != handoff.expert_chat_id]

    def sent(self, handoff_id: int, route: Route, message_id: int | str) -> None:
        """The question reached `route` as message `message_id`; replies to it are the answer."""
        self.db["handoffs"].update(handoff_id, {"expert": route.label, "expert_chat_id": route.chat_id,
                                                "sent_at": stamp(self.clock()), "reminded_at": None})
        self._message(route.chat_id, message_id, handoff_id)

    def _message(self, chat_id: str, message_id: int | str, handoff_id: int) -> None:
        self.db["handoff_messages"].upsert({"chat_id": chat_id, "message_id": str(message_id), "handoff_id": handoff_id},
                                           pk=("chat_id", "message_id"))

    def unreachable(self, handoff_id: int) -> Handoff:
        """Nobody could be reached: close the hand-off; returns it as it was (to tell the asker)."""
        return self._close(handoff_id, UNREACHABLE)

    # -- answering ------------------------------------------------------------------------------------
    def find(self, chat_id: int | str, message_id: int | str) -> Handoff | None:
        """The hand-off a bot message (question or reminder) in `chat_id` belongs to."""
        row = self.db.execute("SELECT handoff_id FROM handoff_messages WHERE chat_id = ? AND message_id = ?",
                              [qualify(chat_id), str(message_id)]).fetchone()
        return self.get(row[0]) if row else None

    def answer(self, handoff_id: int, text: str, author: str) -> ExpertAnswer:
        """Store an expert's reply as an unreviewed FAQ entry and close the hand-off.

        A late reply (after the deadline) is kept as well; a second reply replaces the first.
        """
        handoff = self.get(handoff_id)
        if handoff is None:
            raise HandoffError("Diese Weiterleitung gibt es nicht mehr.")
        text = text.strip()
        if not text:
            raise HandoffError("Bitte antworten Sie mit einem Text.")
        entry = self.faq.get(handoff_id) if handoff.status == ANSWERED else None
        if entry is not None:
            entry = self.faq.replace_answer(handoff_id, text) or entry
        else:
            entry = self.faq.write(handoff_id, handoff.question, text, author, handoff.expert or author,
                                   handoff.question_id, handoff.access)
        deliver = handoff.status == OPEN
        if deliver:
            self._close(handoff_id, ANSWERED)
        else:
            self.db["handoffs"].update(handoff_id, {"status": ANSWERED})
        self.db["handoffs"].update(handoff_id, {"answer_author": author, "faq_path": entry.path})
        return ExpertAnswer(handoff, entry, deliver)

    # -- time -------------------------------------------------------------------------------------------
    def due(self) -> DueWork:
        """Open hand-offs whose reminder or deadline has come."""
        now, work = self.clock(), DueWork()
        remind, deadline = timedelta(hours=self.settings.reminder_hours), timedelta(hours=self.settings.deadline_hours)
        for row in self.db["handoffs"].rows_where("status = ?", [OPEN], order_by="id"):
            handoff = Handoff.from_row(row)
            if now - handoff.created_at >= deadline:
                work.expired.append(handoff)
            elif handoff.sent_at and handoff.reminded_at is None and now - handoff.sent_at >= remind:
                work.reminders.append(handoff)
        return work

    def reminded(self, handoff_id: int, chat_id: str, message_id: int | str) -> None:
        """The reminder went out as `message_id`; a reply to it counts like a reply to the question."""
        self.db["handoffs"].update(handoff_id, {"reminded_at": stamp(self.clock())})
        self._message(chat_id, message_id, handoff_id)

    def expire(self, handoff_id: int) -> Handoff:
        """Nobody answered in time: close; returns the hand-off as it was (to tell the asker)."""
        return self._close(handoff_id, EXPIRED)

    def _close(self, handoff_id: int, status: str) -> Handoff:
        handoff = self.get(handoff_id)
        if handoff is None:
            raise HandoffError("Diese Weiterleitung gibt es nicht mehr.")
        self.db["handoffs"].update(handoff_id, {"status": status, "closed_at": stamp(self.clock()),
                                                "asker_chat_id": None, "asker_name": None})
        return handoff

    def open_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM handoffs WHERE status = ?", [OPEN]).fetchone()[0]


def strictest_access(accesses: Iterable[frozenset[str]]) -> frozenset[str]:
    """The access an answer built on documents with these accesses may have: public only if all
    are public; else the groups every restricted one shares; none shared → ACCESS_TO_DECIDE."""
    restricted = [access for access in accesses if access]
    if not restricted:
        return frozenset()
    shared = frozenset.intersection(*restricted)
    return shared or frozenset({ACCESS_TO_DECIDE})
