"""`lotse ask`, `lotse chat` and `lotse bot`: the conversation fronts on the command line."""
from __future__ import annotations

import io
import sys

import click

from .cli_options import require_model, with_config
from .config import Config
from .core import ChatCore, QuestionError
from .fronts.plain import render_answer
from .fronts.terminal import TerminalChat, terminal_asker


SAMPLE_QUESTION = "Wer leitet die SCIU?"


@click.command()
@with_config
@click.argument("question")
@click.option("--group", "groups", multiple=True, help="Zugriffsgruppe des Fragenden (mehrfach möglich).")
@click.option("--llm/--no-llm", default=None,
              help="Antwort vom Sprachmodell aus [llm] formulieren lassen (geprüft) oder nur den Auszug zeigen; "
                   "ohne Angabe gilt [llm] enabled.")
def ask(config: Config, question: str, groups: tuple[str, ...], llm: bool | None) -> None:
    """Eine Frage beantworten und beenden.

    Beispiel: lotse ask "Wie beantrage ich ein Diensthandy?" --llm
    """
    if llm is not None:
        config.llm.enabled = llm
    if config.llm.enabled:
        require_model(config)
    core = ChatCore(config)
    try:
        answer = core.ask(question, terminal_asker(frozenset(groups)))
    except QuestionError as error:
        raise click.ClickException(str(error)) from error
    click.echo(render_answer(answer))
    warn_about_damage(core)
    if core.phraser is not None and core.phraser.stats.fallbacks:
        click.echo(f"⚠️ Sprachmodell nicht genutzt: {core.phraser.stats.summary(config.llm.model)}", err=True)


@click.command()
@with_config
@click.option("--group", "groups", multiple=True, help="Zugriffsgruppe des Fragenden (mehrfach möglich).")
def chat(config: Config, groups: tuple[str, ...]) -> None:
    """Im Terminal mit dem Wissenslotsen chatten (ohne Telegram-Token).

    Liest Fragen zeilenweise, auch aus einer Pipe.

    Beispiel: echo "Was ist das OZG?" | lotse chat
    """
    interactive = sys.stdin.isatty()
    stream = sys.stdin
    if not interactive:
        piped = sys.stdin.read() if not sys.stdin.closed else ""
        # Without a terminal and without questions (e.g. in CI), show one sample answer.
        stream = io.StringIO(piped if piped.strip() else f"{SAMPLE_QUESTION}\n")
        if not piped.strip():
            click.echo(f"(Kein Terminal – Beispielfrage: {SAMPLE_QUESTION})")
    core = ChatCore(config)
    warn_about_damage(core)
    TerminalChat(core, terminal_asker(frozenset(groups)), write=click.echo).run(stream, interactive)


def warn_about_damage(core: ChatCore) -> None:
    """Damage found in the question log or the index, and what was done, on stderr."""
    for problem in (core.interactions.problem, core.index.problem):
        if problem:
            click.echo(f"⚠️ {problem}", err=True)


@click.command("bot")
@with_config
@click.option("--front", "fronts", type=click.Choice(["telegram", "matrix"]), multiple=True,
              help="Welcher Messenger: telegram (Standard) oder matrix (Element, openDesk); zweimal für beide "
                   "in einem Prozess.")
def bot_command(config: Config, fronts: tuple[str, ...]) -> None:
    """Den Chat-Bot starten: Telegram (Token aus TELEGRAM_BOT_TOKEN) und/oder Matrix (MATRIX_ACCESS_TOKEN).

    Beispiele: lotse bot · lotse bot --front matrix · lotse bot --front telegram --front matrix
    """
    chosen = set(fronts) or {"telegram"}
    from .fronts.matrix import MatrixSetupError
    from .fronts.telegram import NO_TOKEN_HELP, BotSetupError

    try:
        if chosen == {"matrix"}:
            from .fronts.matrix import run_matrix_bot

            run_matrix_bot(config)
            return
        if not config.telegram.token:
            click.echo(NO_TOKEN_HELP, err=True)
            sys.exit(2)
        if chosen == {"telegram"}:
            from .fronts.telegram import run_bot

            run_bot(config)
        else:
            from .fronts.together import run_together

            run_together(config)
    except MatrixSetupError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except BotSetupError as error:
        raise click.ClickException(str(error)) from error
