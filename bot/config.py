"""The one typed configuration object, loaded once from TOML (or defaults) and the environment."""
from __future__ import annotations

import os
import tomllib
import types
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from indexer.settings import IndexSettings, SearchSettings

from .ids import is_valid, qualify
from .redaction import StoreQuestions

ChatId = Union[int, str]  # a Telegram number, a Matrix ID or a prefixed id (bot.ids); checked on load


class ConfigError(Exception):
    """The configuration file is missing, unreadable or has wrong values; the message says which."""


@dataclass
class TelegramSettings:
    """The Telegram front end: token (prefer TELEGRAM_BOT_TOKEN), Bot API server and who may ask."""

    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    mode: str = "polling"  # polling | webhook
    webhook_url: str = ""
    listen: str = "127.0.0.1"
    port: int = 8443
    allowed_users: list[int] = field(default_factory=list)
    allowed_chats: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    rate_limit_per_minute: int = 10


@dataclass
class MatrixSettings:
    """The Matrix front end (Element, openDesk): homeserver, the bot's account and who may ask.

    The access token comes from MATRIX_ACCESS_TOKEN (never the repository); ids are Matrix IDs
    such as "@anna:bochum.de" and room ids such as "!abc:bochum.de"."""

    homeserver: str = ""  # e.g. "https://matrix.bochum.de"
    user_id: str = ""  # the bot's account, e.g. "@wissenslotse:bochum.de"
    access_token: str = ""
    allowed_users: list[str] = field(default_factory=list)
    allowed_rooms: list[str] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    rate_limit_per_minute: int = 10
    sync_timeout_ms: int = 30000
    encryption: bool = True  # read and answer end-to-end encrypted rooms (crypto store in data_dir/matrix)


@dataclass
class ChatSettings:
    """Conversation behaviour shared by every front end."""

    fallback_contact: str = "SCIU-Team (@sciu_bochum)"
    max_sources: int = 3
    retention_days: int = 180  # personal data (questions, users, onboarding, hand-offs) is deleted after this
    store_questions: StoreQuestions = "redacted"  # full | redacted (no contact data) | none
    link_base: str = ""  # e.g. an intranet URL under which knowledge/ is published
    max_question_chars: int = 1000


@dataclass
class OnboardingSettings:
    """The onboarding path for new hires (documents with `onboarding: N` in their front matter)."""

    stuck_after_days: int = 7  # admins see who has not moved on for longer than this
    summary_sentences: int = 2  # sentences of a document shown as the step's summary


@dataclass
class HandoffSettings:
    """Handing questions the bot cannot answer to people, and their answers back into the FAQ."""

    enabled: bool = True
    experts: dict[str, ChatId] = field(default_factory=dict)  # "@handle" = Telegram id or "matrix:@id:server"
    topics: dict[str, str] = field(default_factory=dict)  # keyword = "@handle" of a topic expert
    fallback_chat_id: ChatId = 0  # SCIU fallback contact (user, group or room); 0 = the handle in [chat] fallback_contact
    reminder_hours: float = 24.0  # one reminder to the expert after this long
    deadline_hours: float = 72.0  # after this long the asker is told nobody answered
    check_interval_seconds: float = 60.0  # how often reminders and deadlines are checked
    faq_dir: str = "faq"  # folder under the knowledge folder for expert answers


@dataclass
class GapsSettings:
    """The knowledge-gap report: which questions count and how alike they must be to group."""

    days: int = 90
    similarity: float = 0.6  # cosine similarity (average linkage) above which questions are grouped


@dataclass
class LlmSettings:
    """Optional phrasing of answers by an OpenAI-compatible model server (vLLM, Ollama, LiteLLM,
    llama.cpp); every sentence it writes is checked against the passages before anyone sees it."""

    enabled: bool = False
    base_url: str = "http://127.0.0.1:4000/v1"  # up to and including /v1
    model: str = ""
    api_key_env: str = "LOTSE_LLM_API_KEY"  # name of the environment variable holding the key (may be unset)
    timeout_seconds: float = 20.0  # for the whole answer; after it the extractive answer goes out
    max_tokens: int = 400
    temperature: float = 0.1
    faq_threshold: float = 0.75  # a reviewed FAQ entry matching at least this confidently is served as written
    send_restricted: bool = False  # passages of restricted documents (access) go to the model server only if true

    @property
    def api_key(self) -> str:
        """The key from the environment ("" if unset: local servers often need none)."""
        return os.environ.get(self.api_key_env, "") if self.api_key_env else ""


@dataclass
class Config:
    """Everything Wissenslotse reads from its configuration, in one place."""

    index: IndexSettings = field(default_factory=IndexSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    matrix: MatrixSettings = field(default_factory=MatrixSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    onboarding: OnboardingSettings = field(default_factory=OnboardingSettings)
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    gaps: GapsSettings = field(default_factory=GapsSettings)
    llm: LlmSettings = field(default_factory=LlmSettings)
    groups: dict[str, list[ChatId]] = field(default_factory=dict)  # Telegram ids, Matrix IDs, prefixed ids
    source: Path | None = None

    def groups_of(self, user_id: int | str | None) -> set[str]:
        """The access groups a user belongs to (for `access` in front matter); ids compare with
        their front prefix, so 123 and "telegram:123" are the same person."""
        if user_id is None:
            return set()
        wanted = qualify(user_id)
        return {name for name, members in self.groups.items() if wanted in {qualify(m) for m in members}}

    def members(self) -> set[str]:
        """Every user id named in [groups], prefixed."""
        return {qualify(m) for members in self.groups.values() for m in members}

    @property
    def interactions_path(self) -> Path:
        return self.index.data_dir / "interactions.db"


def _coerce(value: Any, kind: Any, where: str) -> Any:
    if kind == ChatId:
        if not isinstance(value, (int, str)) or not is_valid(value):
            raise ConfigError(f"{where}: erwartet wird eine ganze Zahl (Telegram-ID), eine Matrix-ID wie "
                              f"„@anna:bochum.de“ oder eine ID wie „matrix:@anna:bochum.de“, gefunden: {value!r}")
        return value
    origin = get_origin(kind)
    if origin is Literal:
        if value not in get_args(kind):
            allowed = ", ".join(f'"{option}"' for option in get_args(kind))
            raise ConfigError(f"{where}: erlaubt sind {allowed}, gefunden: {value!r}")
        return value
    if origin in (Union, types.UnionType):
        options = [k for k in get_args(kind) if k is not type(None)]
        if value is None:
            return None
        return _coerce(value, options[0], where)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: erwartet wird eine Liste, gefunden: {value!r}")
        return [_coerce(item, get_args(kind)[0], where) for item in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: erwartet wird eine Tabelle, gefunden: {value!r}")
        _, value_kind = get_args(kind)
        return {str(k): _coerce(v, value_kind, f"{where}.{k}") for k, v in value.items()}
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: erwartet wird ein Pfad, gefunden: {value!r}")
        return Path(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (int, float, str, bool) and (type(value) is not kind):
        names = {int: "eine ganze Zahl", float: "eine Zahl", str: "ein Text", bool: "true oder false"}
        raise ConfigError(f"{where}: erwartet wird {names[kind]}, gefunden: {value!r}")
    return value


def _fill(target: Any, values: dict[str, Any], section: str) -> None:
    hints = get_type_hints(type(target))
    known = {f.name for f in fields(target)}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"Unbekannte Einstellung [{section}] {key} (bekannt: {', '.join(sorted(known))})")
        setattr(target, key, _coerce(value, hints[key], f"[{section}] {key}"))


def load_config(path: Path | str | None = None) -> Config:
    """Load `path` (or $LOTSE_CONFIG, or ./config.toml if present), else pure defaults.

    Relative paths in a file are taken relative to that file's folder.
    """
    config = Config()
    chosen = path or os.environ.get("LOTSE_CONFIG") or ("config.toml" if Path("config.toml").is_file() else None)
    if chosen:
        file = Path(chosen)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ConfigError(f"Konfigurationsdatei nicht gefunden: {file}") from error
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"Konfigurationsdatei {file} ist fehlerhaft: {error}") from error
        for section, values in data.items():
            target = getattr(config, section, None) if section != "source" else None
            if section == "groups":
                config.groups = _coerce(values, dict[str, list[ChatId]], "[groups]")
            elif is_dataclass(target) and isinstance(values, dict):
                if section == "telegram" and "max_question_chars" in values:  # its home before [chat]
                    config.chat.max_question_chars = _coerce(values.pop("max_question_chars"), int,
                                                             "[telegram] max_question_chars")
                _fill(target, values, section)
            else:
                raise ConfigError(f"Unbekannter Abschnitt [{section}] in {file}")
        base = file.resolve().parent
        for attr in ("knowledge_dir", "data_dir"):
            value = getattr(config.index, attr)
            if not value.is_absolute():
                setattr(config.index, attr, base / value)
        config.source = file
    config.telegram.token = os.environ.get("TELEGRAM_BOT_TOKEN", "") or config.telegram.token
    config.matrix.access_token = os.environ.get("MATRIX_ACCESS_TOKEN", "") or config.matrix.access_token
    return config
