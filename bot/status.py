"""What admins see for /status (or !status) and /luecken, as chat HTML blocks for any front."""
from __future__ import annotations

import sqlite3
from html import escape
from typing import Callable

from indexer import IndexNotReady

from .exchange import KnowledgeExchange
from .gaps import gaps_text, knowledge_gaps
from .html_blocks import text_blocks
from .interactions import Interactions
from .onboarding_text import overview_text
from .reports import index_stats
from .usage import usage_report


def status_blocks(exchange: KnowledgeExchange, groups: frozenset[str], reindexing: bool,
                  review_command: str = "/pruefen") -> list[str]:
    """Index statistics, usage, onboarding overview (restricted titles only for `groups`) and hand-offs;
    a damaged question log is named at the top of usage. Blocking: call it in a worker thread."""
    core = exchange.core
    try:
        index_text = index_stats(core.index.stats())
    except IndexNotReady as error:
        index_text = str(error)
    interactions = core.interactions
    usage = _from_log(interactions, lambda: usage_report(interactions.usage()))
    onboarding = _from_log(interactions, lambda: _onboarding_text(exchange, groups))
    handoffs = _from_log(interactions, lambda: _exchange_text(exchange, review_command))
    if interactions.problem:  # read after the blocks: reading them may be what finds the damage
        usage = f"⚠️ {interactions.problem}\n{usage}"
    blocks = [f"<b>📚 Index</b>\n{escape(index_text)}", f"<b>💬 Nutzung</b>\n{escape(usage)}",
              f"<b>🧭 Onboarding</b>\n{escape(onboarding)}", f"<b>📨 Weiterleitungen</b>\n{escape(handoffs)}"]
    if core.phraser is not None:
        blocks.append(f"<b>🤖 Sprachmodell</b>\n{escape(core.phraser.stats.summary(core.config.llm.model))}")
    if reindexing:
        blocks.append("🔄 Gerade läuft eine Neuindizierung.")
    return blocks


def _from_log(interactions: Interactions, produce: Callable[[], str]) -> str:
    """A /status block read from the question log; if the file breaks, the block says so instead."""
    try:
        return produce()
    except sqlite3.DatabaseError as error:
        interactions.failed(error)
        return "nicht verfügbar (Fragen-Datenbank nicht lesbar)"


def _onboarding_text(exchange: KnowledgeExchange, groups: frozenset[str]) -> str:
    try:
        return overview_text(exchange.onboarding.overview(groups))
    except IndexNotReady as error:
        return str(error)


def _exchange_text(exchange: KnowledgeExchange, review_command: str) -> str:
    pending = len(exchange.faq.pending())
    return (f"Offen: {exchange.handoffs.open_count()} · Antworten zur Prüfung: {pending}"
            + (f" ({review_command})" if pending else ""))


def gaps_blocks(exchange: KnowledgeExchange) -> list[str]:
    """Questions the bot could not answer well, grouped by meaning, most frequent first (blocking)."""
    core = exchange.core
    settings = core.config.gaps
    report = knowledge_gaps(core.interactions, core.index.embedder.encode, settings.days, settings.similarity)
    return [f"<b>🕳 Wissenslücken der letzten {settings.days} Tage</b>", *text_blocks(gaps_text(report))]
