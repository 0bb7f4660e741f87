"""The `lotse` command line: thin commands over the indexer and chat APIs."""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from indexer import IndexingError, build_index

from . import __version__
from .cli_chat import ask, bot_command, chat
from .cli_doctor import doctor_command
from .cli_eval import eval_command
from .cli_gaps import gaps_command
from .cli_options import with_config
from .config import Config
from .reports import index_report, index_stats


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lotse")
def cli() -> None:
    """Wissenslotse – der Wissens-Chatbot der Smart City Innovation Unit Bochum."""


@cli.command()
@with_config
@click.option("--quiet", "-q", is_flag=True, help="Keinen Fortschrittsbalken zeigen.")
def index(config: Config, quiet: bool) -> None:
    """Dokumente im Wissensordner (neu) indizieren – nur Geändertes wird bearbeitet.

    Beispiel: lotse index
    """
    if quiet:
        config.index.progress = False
    try:
        report = build_index(config.index, known_groups=config.groups)
    except IndexingError as error:
        if error.report is not None:
            click.echo(index_report(error.report), err=True)
        raise click.ClickException(str(error)) from error
    click.echo(index_report(report))


@cli.command()
@with_config
@click.argument("query")
@click.option("-k", "--limit", type=click.IntRange(1, 50), default=5, show_default=True, help="Anzahl Treffer.")
@click.option("--group", "groups", multiple=True, help="Zugriffsgruppe des Fragenden (mehrfach möglich).")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
def search(config: Config, query: str, limit: int, groups: tuple[str, ...], as_json: bool) -> None:
    """Die Wissensbasis durchsuchen und die besten Abschnitte zeigen.

    Beispiel: lotse search "Wer leitet die SCIU?"
    """
    from indexer import Index

    index = Index(config.index, config.search)
    result = index.search(query, k=limit, groups=groups)
    if index.problem:
        click.echo(f"⚠️ {index.problem}", err=True)
    if as_json:
        click.echo(json.dumps(_result_json(result), ensure_ascii=False, indent=2))
        return
    click.echo(f"Zuversicht: {result.confidence:.2f}" + ("" if result.answerable else " (unter der Schwelle)"))
    if result.expansions:
        click.echo(f"Erweitert um: {', '.join(result.expansions)}")
    if result.passage:
        click.echo(f"Antwort: {result.passage}\n")
    for rank, hit in enumerate(result.hits, start=1):
        section = f" › {hit.heading_path}" if hit.heading_path else ""
        flag = " [veraltet]" if hit.outdated else ""
        click.echo(f"{rank}. {hit.title}{section}{flag}  ({hit.score:.2f}, Stand {hit.updated or '–'})")
        click.echo(f"   {hit.source}")
        click.echo("   " + " ".join(hit.text.split())[:300] + "\n")


def _result_json(result: Any) -> dict:
    return {
        "query": result.query, "confidence": result.confidence, "answerable": result.answerable,
        "passage": result.passage, "expansions": result.expansions, "generation": result.generation,
        "alternative": ({"text": result.answer.alternative.text, "source": result.answer.alternative.source}
                        if result.answer and result.answer.alternative else None),
        "hits": [
            {"chunk_id": h.chunk_id, "title": h.title, "heading_path": h.heading_path, "source": h.source,
             "score": h.score, "scores": h.scores, "outdated": h.outdated, "updated": h.updated,
             "owner": h.owner, "text": h.text}
            for h in result.hits
        ],
    }


@cli.command()
@with_config
def stats(config: Config) -> None:
    """Kennzahlen des Index zeigen.

    Beispiel: lotse stats
    """
    from indexer import Index

    click.echo(index_stats(Index(config.index, config.search).stats()))


for command in (eval_command, ask, chat, bot_command, gaps_command, doctor_command):
    cli.add_command(command)


def main() -> None:  # pragma: no cover - console entry
    cli(prog_name="lotse")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
