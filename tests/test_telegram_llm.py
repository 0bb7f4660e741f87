"""The Telegram bot with [llm] on: real python-telegram-bot against the Bot API stand-in, the model
stand-in streaming over real HTTP/SSE. The preview grows by edits; the checked text replaces it."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Callable, Iterator

import pytest
from telegram import Chat, Message, Update
from telegram.constants import ChatType

from bot.config import Config, LlmSettings
from bot.fronts.telegram.streaming import EDIT_INTERVAL, GROUP_EDIT_INTERVAL, StreamingReply
from openai_standin import Behaviour, OpenAIStandIn
from telegram_standin import parse_html
from test_grounded_answers import cited, passages_of, sentence
from test_telegram_bot import ADMIN, QUESTION, USER, Harness, start_bot, text_of  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
INVENTED = "Die Durchwahl der SCIU ist -4242 [1]."
LEADER = "Geleitet wird sie vom Chief Digital Officer [1]."  # passage 1 names the role in charge


@pytest.fixture
def model(config: Config) -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as standin:
        config.llm = LlmSettings(enabled=True, base_url=standin.base_url, model=standin.model, timeout_seconds=20)
        yield standin


def test_answer_streams_by_edits_and_ends_checked_with_sources(start_bot: Callable[..., Harness],
                                                               model: OpenAIStandIn) -> None:
    model.behaviour = Behaviour(
        reply=lambda p: " ".join([cited(sentence(p, 1), 1), INVENTED, cited(sentence(p, 1, skip=1), 1), LEADER]),
        piece_words=2, delay=0.15)
    bot = start_bot()
    mark = bot.standin.mark()
    bot.standin.send_text(USER, QUESTION)
    final = bot.standin.wait_for(lambda c: c.method == "editMessageText" and "reply_markup" in c.params,
                                 timeout=60, since=mark)
    assert final.status == 200, final.result  # the stand-in checks HTML as Telegram does
    preview = [c for c in bot.standin.calls()[mark:] if c.method in ("sendMessage", "editMessageText")]
    assert preview[0].method == "sendMessage" and "✍️" in text_of(preview[0])  # shown while written
    assert any(c.method == "editMessageText" and "✍️" in text_of(c) for c in preview[1:])  # grew by edits
    assert all(c.params["message_id"] == preview[0].result["message_id"] for c in preview[1:])  # one message
    passages = passages_of(model)
    shown = text_of(final)
    assert shown.startswith(f"{cited(sentence(passages, 1), 1)} {cited(sentence(passages, 1, skip=1), 1)} {LEADER}")
    assert all("4242" not in text_of(c) for c in preview)  # the invented extension never appeared
    assert "✍️" not in shown and "Sprachmodell formuliert" in shown
    assert "Quellen" in shown and "knowledge/sciu/ueber-die-sciu.md" in shown and "Stand 2026-02-01" in shown
    assert parse_html(final.params["text"])  # valid Telegram HTML
    assert {"👍", "👎"} <= {b["text"] for row in final.params["reply_markup"]["inline_keyboard"] for b in row}


def test_failing_model_gives_the_usual_answer_and_counts_in_status(start_bot: Callable[..., Harness],
                                                                   model: OpenAIStandIn) -> None:
    model.behaviour = Behaviour(status=500)
    bot = start_bot()
    answer = text_of(bot.send(USER, QUESTION))
    assert "Smart City Innovation Unit" in answer and "Quellen" in answer
    assert "Fehler" not in answer and "Sprachmodell" not in answer
    status = text_of(bot.send(ADMIN, "/status"))
    assert "Sprachmodell" in status and "Rückfall auf Auszug: 1 (Serverfehler 1)" in status


def test_previews_are_edited_less_often_in_groups() -> None:
    async def intervals() -> tuple[float, float]:
        def update(chat: Chat) -> Update:
            return Update(1, message=Message(1, datetime.now(timezone.utc), chat))
        return (StreamingReply(update(Chat(5, ChatType.PRIVATE))).interval,
                StreamingReply(update(Chat(-5, ChatType.GROUP))).interval)

    assert asyncio.run(intervals()) == (EDIT_INTERVAL, GROUP_EDIT_INTERVAL)
    assert EDIT_INTERVAL >= 1.0 and GROUP_EDIT_INTERVAL >= 3.0  # Telegram: ~1 message/s per chat, 20/min per group
