"""Proves the Telegram Bot API stand-in works with real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler,
                          CommandHandler, ContextTypes, MessageHandler, filters)

from telegram_standin import StandIn, parse_html, run_polling

TOKEN = "123:TEST"
T = TypeVar("T")
pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    """A started stand-in; stopped (and its threads joined) after the test."""
    with StandIn(TOKEN, bot_username="wissenslotse_bot") as server:
        yield server


def build_app(standin: StandIn) -> Application:
    """A PTB application pointed at the stand-in, with echo, command and button handlers."""
    app = ApplicationBuilder().token(TOKEN).base_url(standin.base_url).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        replied = msg.reply_to_message
        prefix = "Antwort auf Bot" if replied and replied.from_user.id == context.bot.id else "Echo"
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Mehr", callback_data="more")]])
        await msg.reply_text(f"{prefix}: {msg.text}", reply_markup=keyboard)

    async def frage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html(f"<b>Frage:</b> {' '.join(context.args)}")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("ok")
        await query.edit_message_text(f"{query.message.text} / geklickt: {query.data}")

    async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        kind = "Sticker" if update.effective_message.sticker else "Foto"
        await update.effective_message.reply_text(f"{kind} erhalten")

    app.add_handler(CommandHandler("frage", frage))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.Sticker.ALL | filters.PHOTO, non_text))
    app.add_handler(CallbackQueryHandler(button))
    return app


def on_loop(loop: asyncio.AbstractEventLoop, coro: Awaitable[T]) -> T:
    """Run a coroutine on the application's loop from the (synchronous) test thread."""
    return asyncio.run_coroutine_threadsafe(coro, loop).result(10)  # type: ignore[arg-type]


def with_bot(standin: StandIn, action: Callable[[Bot], Awaitable[T]]) -> T:
    """Run ``action`` with an initialized plain PTB Bot talking to the stand-in."""
    async def main() -> T:
        async with Bot(TOKEN, base_url=standin.base_url) as bot:
            return await action(bot)
    return asyncio.run(main())


def raw_call(standin: StandIn, method: str, data: bytes | None = None,
             query: str = "", content_type: str = "application/x-www-form-urlencoded") -> Any:
    """POST to the stand-in without PTB; returns (status, decoded JSON)."""
    url = f"{standin.base_url}{TOKEN}/{method}" + (f"?{query}" if query else "")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_echo_and_callback_roundtrip(standin: StandIn) -> None:
    app = build_app(standin)
    with run_polling(app) as loop:
        assert app.bot.username == "wissenslotse_bot"
        standin.send_text(42, "Hallo Lotse", username="anna", first_name="Anna")
        sent = standin.wait_for("sendMessage", timeout=5)
        assert sent.params["chat_id"] == 42
        assert sent.params["text"] == "Echo: Hallo Lotse"
        assert sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more"
        mid = sent.result["message_id"]

        mark = standin.mark()
        standin.send_callback(42, 42, mid, "more")
        answer = standin.wait_for("answerCallbackQuery", timeout=5, since=mark)
        assert answer.params["text"] == "ok"
        edit = standin.wait_for("editMessageText", timeout=5, since=mark)
        assert edit.status == 200 and edit.params["message_id"] == mid
        assert standin.message(42, mid)["text"] == "Echo: Hallo Lotse / geklickt: more"

        mark = standin.mark()
        standin.reply_to_bot_message(42, 42, mid, "Danke")
        standin.wait_for(lambda c: c.method == "sendMessage" and c.params["text"].startswith(
            "Antwort auf Bot"), timeout=5, since=mark)

        standin.send_sticker(42)
        standin.send_photo(42, caption="Bild")
        standin.wait_for(lambda c: c.params.get("text") == "Foto erhalten", timeout=5)
        assert "Sticker erhalten" in standin.messages_to(42)

        sent_via_loop = on_loop(loop, app.bot.send_message(42, "direkt"))
        assert sent_via_loop.message_id > mid
    methods = [c.method for c in standin.calls()]
    assert methods[0] == "getMe" and "deleteWebhook" in methods
    assert standin.pending_updates() == 0  # final getUpdates confirmed everything


def test_group_command_and_mention_entities(standin: StandIn) -> None:
    update = standin.send_text(7, "/frage@wissenslotse_bot Was ist <KI>?", chat_id=-100)
    message = update["message"]
    assert message["chat"]["type"] == "group" and message["chat"]["id"] == -100
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 23}]
    mention = standin.send_text(7, "Hey 😀 @wissenslotse_bot hilf", chat_id=-100)["message"]
    assert mention["entities"] == [{"type": "mention", "offset": 7, "length": 17}]

    app = build_app(standin)
    with run_polling(app):
        sent = standin.wait_for(lambda c: c.method == "sendMessage" and c.params.get(
            "parse_mode") == "HTML", timeout=5)
        assert sent.params["chat_id"] == -100
        # The handler forgot to escape "<KI>": the validator catches it like Telegram would.
        assert sent.status == 400 and "can't parse entities" in sent.result
        standin.wait_for(lambda c: c.params.get("text") == "Echo: Hey 😀 @wissenslotse_bot hilf",
                         timeout=5)


@pytest.mark.parametrize("text", ["<b>unclosed", "<b><i>x</b></i>", "a < b", "a > b",
                                  "Tom & Jerry", "<div>x</div>", "</b>", '<span>x</span>'])
def test_html_validator_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_html(text)


def test_html_lenient_mode_accepts_bare_ampersand_like_telegram() -> None:
    assert parse_html("Tom & Jerry -> <b>gut</b>", strict=False)[0] == "Tom & Jerry -> gut"
    with pytest.raises(ValueError, match="Unsupported start tag"):
        parse_html("1 < 2", strict=False)


def test_html_validator_parses_entities() -> None:
    text, entities = parse_html('😀 <b>fett &amp; <i>kursiv</i></b> <a href="https://x.de/?a=1&amp;'
                                'b=2">Link</a> <pre><code class="language-py">x &lt; 1</code></pre>')
    assert text == "😀 fett & kursiv Link x < 1"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 13},
        {"type": "italic", "offset": 10, "length": 6},
        {"type": "text_link", "offset": 17, "length": 4, "url": "https://x.de/?a=1&b=2"},
        {"type": "pre", "offset": 22, "length": 5, "language": "py"},
    ]


def test_html_and_length_errors_reach_ptb(standin: StandIn) -> None:
    async def action(bot: Bot) -> None:
        with pytest.raises(BadRequest, match="(?i)can't parse entities: can't find end tag"):
            await bot.send_message(5, "<b>unclosed", parse_mode="HTML")
        ok = await bot.send_message(5, "&lt;b&gt; 1 &amp; 2 <b>fett</b>", parse_mode="HTML")
        assert ok.text == "<b> 1 & 2 fett" and ok.entities[0].type == "bold"
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(5, "x" * 4097)
        await bot.send_message(5, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # markup is free
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text(ok.text_html, 5, ok.message_id, parse_mode="HTML")
        edited = await bot.edit_message_text("<i>neu</i>", 5, ok.message_id, parse_mode="HTML")
        assert edited.text == "neu" and edited.edit_date is not None

    with_bot(standin, action)
    assert [c.status for c in standin.calls("sendMessage")] == [400, 200, 400, 200]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB's RetryAfter.retry_after
def test_blocked_chat_and_injected_failures_reach_ptb(standin: StandIn) -> None:
    standin.block_chat(99)
    standin.fail("sendMessage", "Too Many Requests: retry after 3", 429, chat_id=5,
                 parameters={"retry_after": 3})

    async def action(bot: Bot) -> None:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(99, "hallo")
        with pytest.raises(RetryAfter):
            await bot.send_message(5, "hallo")
        await bot.send_message(5, "hallo")  # failure was injected only once

    with_bot(standin, action)
    assert standin.messages_to(5) == ["hallo"] and standin.messages_to(99) == []

    errors: list[BaseException] = []
    handled = threading.Event()
    app = build_app(standin)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)  # type: ignore[arg-type]
        handled.set()
    app.add_error_handler(on_error)
    with run_polling(app):
        standin.send_text(99, "bin ich blockiert?")
        standin.wait_for(lambda c: c.method == "sendMessage" and c.status == 403, timeout=5)
        assert handled.wait(5), "PTB error handler was not called"
    assert isinstance(errors[0], Forbidden)


def test_commands_webhook_and_fallback(standin: StandIn) -> None:
    async def action(bot: Bot) -> None:
        await bot.set_my_commands([("frage", "Stell eine Frage")])
        assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
            ("frage", "Stell eine Frage")]
        await bot.set_webhook("https://example.org/hook")
        assert (await bot.get_webhook_info()).url == "https://example.org/hook"
        await bot.delete_webhook()
        await bot.send_chat_action(5, "typing")
        assert await bot.do_api_request("someFutureMethod", {"x": 1}) is True
        photo = await bot.send_photo(5, photo=b"\x89PNG fake bytes", caption="Bild")  # multipart
        assert photo.caption == "Bild" and photo.photo

    with_bot(standin, action)
    assert standin.calls("setMyCommands")[0].params["commands"] == [
        {"command": "frage", "description": "Stell eine Frage"}]
    assert standin.calls("someFutureMethod")[0].params == {"x": 1}
    assert standin.calls("sendPhoto")[0].params["photo"]["size"] == 15


def test_long_poll_offset_and_encodings() -> None:
    with StandIn(TOKEN, max_poll_wait=0.3) as standin:
        start = time.monotonic()
        status, body = raw_call(standin, "getUpdates", b"timeout=10")
        assert status == 200 and body == {"ok": True, "result": []}
        assert 0.25 < time.monotonic() - start < 2  # blocked, but capped at max_poll_wait

        first = standin.send_text(1, "eins")["update_id"]
        second = standin.send_text(1, "zwei")["update_id"]
        _, body = raw_call(standin, "getUpdates", json.dumps({"offset": 0}).encode(),
                           content_type="application/json")
        assert [u["update_id"] for u in body["result"]] == [first, second]
        _, body = raw_call(standin, "getUpdates", query=f"offset={second}&timeout=0")
        assert [u["message"]["text"] for u in body["result"]] == ["zwei"]
        assert standin.pending_updates() == 1

        markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
        form = urllib.parse.urlencode({"chat_id": 1, "text": "123", "reply_markup": markup})
        _, body = raw_call(standin, "sendMessage", form.encode())
        assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        call = standin.calls("sendMessage")[0]
        assert call.params["text"] == "123" and call.params["chat_id"] == 1  # typed decoding
        _, body = raw_call(standin, "sendMessage", query="chat_id=1&text=per+query")  # GET
        assert body["result"]["text"] == "per query"
        assert raw_call(standin, "getMe")[1]["result"]["username"] == "wissenslotse_bot"

        with pytest.raises(AssertionError, match="recent calls"):
            standin.wait_for("sendSticker", timeout=0.1)


def test_wrong_token_and_clean_shutdown() -> None:
    before = set(threading.enumerate())
    with StandIn("999:OTHER") as other:
        with pytest.raises(InvalidToken):
            with_bot(other, lambda bot: bot.get_me())
    with StandIn(TOKEN) as standin:
        with run_polling(build_app(standin)):
            standin.send_text(3, "hi")
            standin.wait_for("sendMessage", timeout=5)
    assert [t for t in threading.enumerate() if t not in before] == []
