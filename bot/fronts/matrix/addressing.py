"""When a Matrix message is meant for the bot: always in a direct room; in other rooms only when the
bot is mentioned (a pill, `m.mentions`, its Matrix ID or name in the text). Commands start with !
(or / where a client lets it through)."""
from __future__ import annotations

import re
from urllib.parse import unquote

from .context import Incoming

_COMMAND = re.compile(r"^[!/]([a-zA-ZäöüÄÖÜß]+)\b\s*(.*)$", re.DOTALL)


def command_of(text: str) -> tuple[str, str] | None:
    """("quellen", "") for "!quellen"; ("frage", "Wer …?") for "/frage Wer …?"; None for other text."""
    match = _COMMAND.match(text.strip())
    return (match.group(1).lower(), match.group(2).strip()) if match else None


def _names(user_id: str, display_name: str | None) -> list[str]:
    localpart = user_id[1:].split(":", 1)[0]
    return [name for name in (user_id, display_name, localpart) if name]


def is_addressed(message: Incoming, user_id: str, display_name: str | None = None) -> bool:
    """True in a direct room, and elsewhere for a mention of the bot."""
    if message.direct or user_id in message.mentions:
        return True
    if user_id in unquote(message.formatted):
        return True  # a pill: <a href="https://matrix.to/#/@bot:server">
    lowered = message.text.lower()
    return any(re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered) for name in _names(user_id, display_name))


def pill_texts(formatted: str, user_id: str) -> list[str]:
    """The visible texts of pills (links to matrix.to) for `user_id`, e.g. ["Wissenslotse"]."""
    found = re.findall(r'<a\s[^>]*href="https://matrix\.to/#/([^"]+)"[^>]*>(.*?)</a>', formatted, re.DOTALL)
    return [re.sub(r"<[^>]+>", "", text) for target, text in found if unquote(target) == user_id]


def without_mention(text: str, user_id: str, display_name: str | None = None, pills: list[str] = ()) -> str:
    """The text without the mention: "Wissenslotse: Wer leitet die SCIU?" → "Wer leitet die SCIU?"."""
    for name in [*pills, *_names(user_id, display_name)]:
        text = re.sub(rf"(?i)(?<!\w)@?{re.escape(name.lstrip('@'))}(?!\w)[,:]?", " ", text)
    return " ".join(text.split())
