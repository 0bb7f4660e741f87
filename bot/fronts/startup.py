"""What every bot front does before it connects: logging, and the chat core with index and model
loaded, so the first question is not slow."""
from __future__ import annotations

import logging

from indexer import IndexNotReady

from ..config import Config
from ..core import ChatCore

log = logging.getLogger(__name__)


def warmed_core(config: Config, reindex_command: str) -> ChatCore:
    """Set up logging and a ChatCore whose index and model are loaded; an index not built yet is
    logged (with the front's re-index command) and the bot starts anyway."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call is noise
    core = ChatCore(config)
    log.info("Lade Index und Modell …")
    try:
        core.index.search("Wissenslotse")
    except IndexNotReady as error:
        log.warning("%s Der Bot startet trotzdem; %s baut den Index.", error, reindex_command)
    return core
