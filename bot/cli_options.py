"""Options shared by several `lotse` commands, written once."""
from __future__ import annotations

import functools
from typing import Any, Callable

import click

from indexer import IndexBusy, IndexNotReady

from .config import Config, ConfigError, load_config
from .interactions import PseudonymKeyLost


def with_config(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--config` (or $LOTSE_CONFIG) and pass the loaded Config as the first argument."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="LOTSE_CONFIG",
                  help="Konfigurationsdatei (TOML); ohne Angabe gelten die Standardwerte.")
    @functools.wraps(command)
    def wrapper(config_path: str | None, *args: Any, **kwargs: Any) -> Any:
        try:
            config = load_config(config_path)
        except ConfigError as error:
            raise click.ClickException(str(error)) from error
        try:
            return command(config, *args, **kwargs)
        except (IndexNotReady, IndexBusy, PseudonymKeyLost) as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def require_model(config: Config) -> None:
    """Stop with a clear message when the model ([llm]) is asked for but not configured."""
    if not (config.llm.model and config.llm.base_url):
        raise click.ClickException("Für das Sprachmodell fehlen in der Konfiguration [llm] base_url und model.")
