"""The knowledge-exchange loop in one object for the front ends: onboarding, expert hand-off,
review of expert answers, and bringing the index up to date after an answer was stored."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from indexer import IndexBusy, IndexingError

from .clock import Clock, utc_now
from .core import ChatCore
from .experts import ExpertDirectory
from .faq_writer import FaqWriter
from .handoff import HandoffDesk
from .onboarding import Onboarding

log = logging.getLogger(__name__)


@dataclass
class KnowledgeExchange:
    """The long-lived parts of the loop, sharing one chat core and one clock."""

    core: ChatCore
    onboarding: Onboarding
    experts: ExpertDirectory
    faq: FaqWriter
    handoffs: HandoffDesk
    reindex_pending: bool = False  # an entry changed but the index was busy: the periodic check retries
    _reindex_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def refresh_index(self) -> bool:
        """Index changed FAQ entries now (incremental, a second or two). False if another run held the
        index; then `reindex_pending` stays set and the next periodic check tries again."""
        with self._reindex_lock:
            self.reindex_pending = True
            try:
                self.core.reindex()
            except IndexBusy:
                log.info("Index gerade belegt; FAQ-Eintrag wird bei der nächsten Prüfung indiziert.")
                return False
            except IndexingError:
                log.exception("FAQ-Eintrag konnte nicht indiziert werden")
                return False
            self.reindex_pending = False
            return True


def build_exchange(core: ChatCore, clock: Clock = utc_now) -> KnowledgeExchange:
    """Everything the loop needs, wired to `core`'s configuration, index and interactions database."""
    config = core.config
    experts = ExpertDirectory(core, clock)
    faq = FaqWriter(config.index.knowledge_dir, config.handoff.faq_dir, clock)
    return KnowledgeExchange(core, Onboarding(core, clock), experts, faq, HandoffDesk(core, experts, faq, clock))
