"""Wissenslotse conversation layer: chat core, Telegram and terminal fronts, and the `lotse` CLI."""

__version__ = "0.1.0"
