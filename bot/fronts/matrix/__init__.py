"""The Matrix front end of Wissenslotse (Element, openDesk, BundesMessenger) on matrix-nio.

    from bot.fronts.matrix import run_matrix_bot
    run_matrix_bot(load_config())   # syncs until interrupted

Modules: app (client, sync loop, invites, entry point), handlers (questions, !-commands, reactions,
hand-off), addressing (mentions, commands), messenger (HTML + plain body, edits, direct rooms),
context (services and the incoming message), texts (Matrix-only German texts).
"""
from .app import MatrixBot, MatrixSetupError, run_matrix_bot

__all__ = ["MatrixBot", "MatrixSetupError", "run_matrix_bot"]
