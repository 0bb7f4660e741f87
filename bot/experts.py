"""Who can answer a question the bot could not: the owner of the best-matching document, a topic
expert from the configuration, or the SCIU fallback contact, each with a prefixed chat id (bot.ids).

Telegram bots can only write to user ids, not handles. Ids come from the configuration
(`[handoff.experts]`) or are learned when a person whose handle is an expert's writes to the bot;
only handles that name an expert are stored, nobody else's. A handle that is a Matrix ID
("@lena:bochum.de") is its own address.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer import IndexNotReady

from .clock import Clock, stamp, utc_now
from .core import ChatCore, owner_handle
from .topics import topic_experts
from .ids import qualify


@dataclass(frozen=True)
class Route:
    """One way to reach a person for a hand-off, in the order they are tried."""

    kind: str  # owner | topic | fallback
    label: str  # as shown to the asker and stored as the FAQ entry's owner, e.g. "Lena Hoffmann (@lena_hoffmann)"
    chat_id: str  # prefixed, e.g. "telegram:123" or "matrix:@lena:bochum.de"


class ExpertDirectory:
    """Handles → prefixed chat ids, and the routes for a question."""

    def __init__(self, core: ChatCore, clock: Clock = utc_now) -> None:
        self.core = core
        self.config = core.config
        self.db = core.interactions.db
        self.clock = clock
        self._known: tuple[int, frozenset[str]] | None = None  # (index generation, handles)

    def known_handles(self) -> frozenset[str]:
        """Lower-case handles of document owners, configured experts and the fallback contact."""
        generation = self._generation()
        if self._known is None or self._known[0] != generation:
            handles = {h.lower() for h in self.config.handoff.experts} | {
                h.lower() for h in self.config.handoff.topics.values()}
            fallback = owner_handle(self.config.chat.fallback_contact)
            handles |= {fallback.lower()} if fallback else set()
            try:
                handles |= {h.lower() for d in self.core.index.documents() if (h := owner_handle(str(d.meta.get("owner") or "")))}
            except IndexNotReady:
                pass
            self._known = (generation, frozenset(handles))
        return self._known[1]

    def _generation(self) -> int:
        try:
            return self.core.index.generation
        except IndexNotReady:
            return 0

    def learn(self, username: str | None, user_id: str) -> bool:
        """Remember the id of a person who wrote to the bot, if their handle is an expert's."""
        if not username:
            return False
        handle = "@" + username.lstrip("@").lower()
        if handle not in self.known_handles():
            return False
        user_id = qualify(user_id)
        row = self.db.execute("SELECT user_id FROM expert_ids WHERE handle = ?", [handle]).fetchone()
        if row is None or row[0] != user_id:
            self.db["expert_ids"].upsert({"handle": handle, "user_id": user_id, "seen_at": stamp(self.clock())}, pk="handle")
        return True

    def user_id(self, handle: str | None) -> str | None:
        """The prefixed id for a handle: configured first, else learned, else the handle itself if it
        is a Matrix ID; None if unknown."""
        if not handle:
            return None
        wanted = "@" + handle.lstrip("@").lower()
        for configured, user_id in self.config.handoff.experts.items():
            if "@" + configured.lstrip("@").lower() == wanted:
                return qualify(user_id)
        row = self.db.execute("SELECT user_id FROM expert_ids WHERE handle = ?", [wanted]).fetchone()
        if row:
            return qualify(row[0])
        return qualify(handle) if ":" in handle else None

    def routes(self, question: str, top_source: str | None) -> list[Route]:
        # `top_source` is None for a declined question: the nearest document may be unrelated,
        # so its owner is not asked.
        """Everyone who could answer, best first, each chat once: owner, topic experts, fallback."""
        candidates: list[Route] = []
        document = None
        if top_source:
            try:
                document = self.core.index.document(top_source)
            except IndexNotReady:
                document = None
        if document is not None:
            owner = str(document.meta.get("owner") or "")
            candidates += self._route("owner", owner, owner_handle(owner))
        haystack = " ".join([question, top_source or "", " ".join(map(str, (document.meta.get("tags") or []) if document else []))])
        for handle in topic_experts(haystack, self.config.handoff.topics):
            candidates += self._route("topic", handle, handle)
        fallback = self.config.chat.fallback_contact
        configured = self.config.handoff.fallback_chat_id
        fallback_id = qualify(configured) if configured else self.user_id(owner_handle(fallback))
        if fallback_id:
            candidates.append(Route("fallback", fallback, fallback_id))
        unique: dict[str, Route] = {}
        for route in candidates:
            unique.setdefault(route.chat_id, route)
        return list(unique.values())

    def _route(self, kind: str, label: str, handle: str | None) -> list[Route]:
        user_id = self.user_id(handle)
        return [Route(kind, label, user_id)] if user_id else []
