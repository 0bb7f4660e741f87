"""Telegram's HTML parse mode, checked as strictly as the real server, and automatic entities."""

from __future__ import annotations

import re

from .records import JSON

_TAG_ENTITY = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic",
               "u": "underline", "ins": "underline", "s": "strikethrough",
               "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
               "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
               "blockquote": "blockquote", "tg-emoji": "custom_emoji"}
_CHAR_REF = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR = r"""([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?"""
_START_TAG = re.compile(rf"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+{_ATTR})*)\s*>")
_END_TAG = re.compile(r"</\s*([a-zA-Z][a-zA-Z0-9-]*)?\s*>")


def _unescape(value: str) -> str:
    """Decode the character references Telegram supports (numeric, lt, gt, amp, quot)."""
    return _CHAR_REF.sub(lambda m: _NAMED.get(m[3] or "") or chr(
        int(m[1]) if m[1] else int(m[2], 16)), value)


def parse_html(text: str, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram-HTML into (plain text, entities with UTF-16 offsets).

    Raises ValueError with Telegram's wording. ``strict`` (default) also rejects a bare
    ``&`` or ``>`` outside tags, which Telegram itself tolerates as literal characters.
    """
    def off(i: int) -> int:
        return len(text[:i].encode())

    plain: list[str] = []
    u16 = 0
    stack: list[JSON] = []
    entities: list[JSON] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<" and text.startswith("</", i):
            m = _END_TAG.match(text, i)
            if not m:
                raise ValueError(f"Unclosed end tag at byte offset {off(i)}")
            if not stack:
                raise ValueError(f"Unexpected end tag at byte offset {off(i)}")
            top = stack.pop()
            if m[1] and m[1].lower() != top["tag"]:
                raise ValueError(f'Unmatched end tag at byte offset {off(i)}, expected '
                                 f'"</{top["tag"]}>", found "</{m[1].lower()}>"')
            ent = top["entity"]
            ent["length"] = u16 - ent["offset"]
            lang = ent.pop("_language", None)
            if top["tag"] == "code" and stack and stack[-1]["tag"] == "pre" and lang:
                stack[-1]["entity"]["language"] = lang  # <pre><code class="language-x">
            elif ent["length"] > 0:
                entities.append(ent)
            i = m.end()
        elif ch == "<":
            m = _START_TAG.match(text, i)
            name = (m[1] if m else re.match(r"<([^\s>]*)", text[i:])[1]).lower()  # type: ignore[index]
            if name not in _TAG_ENTITY:
                raise ValueError(f'Unsupported start tag "{name}" at byte offset {off(i)}')
            if not m:
                raise ValueError(f"Unclosed start tag at byte offset {off(i)}")
            attrs = {a[0].lower(): _unescape(a[1] or a[2] or a[3] or "")
                     for a in re.findall(_ATTR, m[2])}
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ValueError(f'Tag "span" must have class "tg-spoiler" at byte offset {off(i)}')
            ent: JSON = {"type": _TAG_ENTITY[name], "offset": u16}
            if name == "a":
                ent["url"] = attrs.get("href", "")
            elif name == "tg-emoji":
                ent["custom_emoji_id"] = attrs.get("emoji-id", "")
            elif name == "blockquote" and "expandable" in attrs:
                ent["type"] = "expandable_blockquote"
            elif name == "code" and attrs.get("class", "").startswith("language-"):
                ent["_language"] = attrs["class"][len("language-"):]
            stack.append({"tag": name, "entity": ent})
            i = m.end()
        elif ch == "&":
            m = _CHAR_REF.match(text, i)
            if not m and strict:
                raise ValueError(f"Unescaped '&' at byte offset {off(i)}; use &amp;")
            decoded = _unescape(m[0]) if m else "&"
            plain.append(decoded)
            u16 += len(decoded.encode("utf-16-le")) // 2
            i = m.end() if m else i + 1
        elif ch == ">" and strict:
            raise ValueError(f"Unescaped '>' at byte offset {off(i)}; use &gt;")
        else:
            plain.append(ch)
            u16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities


def _u16(s: str) -> int:
    """Length of ``s`` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(s.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[JSON]:
    """Entities Telegram would attach to a user's text: bot_command and mention."""
    found = [("bot_command", m) for m in re.finditer(
        r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z]\w{3,31})?", text)]
    found += [("mention", m) for m in re.finditer(r"(?<![\w@/])@[A-Za-z]\w{3,31}", text)]
    ents = [{"type": t, "offset": _u16(text[:m.start()]), "length": _u16(m[0])} for t, m in found]
    return sorted(ents, key=lambda e: e["offset"])
