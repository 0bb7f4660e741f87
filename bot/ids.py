"""User and chat ids across fronts: one string with the front as prefix, e.g. "telegram:123",
"matrix:@anna:bochum.de", "terminal:lena".

The core, the stores and the configuration only compare such strings; each front turns its own
ids into them and back. Bare integers (older configuration files and interactions.db rows) are
Telegram ids, so they keep working.
"""
from __future__ import annotations

TELEGRAM, MATRIX, TERMINAL = "telegram", "matrix", "terminal"
FRONTS = (TELEGRAM, MATRIX, TERMINAL)


def qualify(value: int | str, front: str = TELEGRAM) -> str:
    """The prefixed id: 123 → "telegram:123"; "@anna:bochum.de" → "matrix:@anna:bochum.de" (a Matrix
    ID names its own front); an already prefixed id stays as it is."""
    if isinstance(value, bool):
        raise ValueError(f"keine gültige ID: {value!r}")
    if isinstance(value, int):
        return f"{front}:{value}"
    text = value.strip()
    prefix, _, rest = text.partition(":")
    if prefix in FRONTS and rest:
        return text
    if text.startswith("@") and ":" in text:
        return f"{MATRIX}:{text}"
    if text.lstrip("-").isdigit():
        return f"{TELEGRAM}:{int(text)}"
    return f"{front}:{text}"


def is_valid(value: int | str) -> bool:
    """An id a configuration may name: a Telegram number, a Matrix ID, or a prefixed id."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    text = value.strip()
    prefix, _, rest = text.partition(":")
    return (prefix in FRONTS and bool(rest)) or (text.startswith("@") and ":" in text) or text.lstrip("-").isdigit()


def front_of(qualified: str) -> str:
    """"telegram" for "telegram:123"."""
    return qualified.partition(":")[0]


def local(qualified: str) -> str:
    """The front's own id: "@anna:bochum.de" for "matrix:@anna:bochum.de"."""
    return qualified.partition(":")[2]


def telegram_id(qualified: str) -> int | None:
    """The Telegram integer for "telegram:123"; None for other fronts' ids."""
    if front_of(qualified) != TELEGRAM:
        return None
    try:
        return int(local(qualified))
    except ValueError:
        return None


def pseudonym_source(qualified: str) -> str:
    """What the pseudonym key hashes: Telegram ids as the bare number (as before ids had a
    prefix, so stored pseudonyms stay valid), every other front's id as written."""
    return local(qualified) if front_of(qualified) == TELEGRAM else qualified
