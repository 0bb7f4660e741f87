"""`lotse gaps`: the knowledge-gap report on the command line, optionally as CSV."""
from __future__ import annotations

from pathlib import Path

import click

from .cli_options import with_config
from .config import Config
from .core import ChatCore
from .gaps import gaps_text, knowledge_gaps, write_csv


@click.command("gaps")
@with_config
@click.option("--days", type=click.IntRange(1), help="Zeitraum in Tagen (Standard: [gaps] days).")
@click.option("--similarity", type=click.FloatRange(0.0, 1.0),
              help="Ab dieser Ähnlichkeit gelten Fragen als gleich (Standard: [gaps] similarity).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Höchstens so viele Themen zeigen.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Alle Themen zusätzlich als CSV-Datei (Semikolon, UTF-8) schreiben.")
def gaps_command(config: Config, days: int | None, similarity: float | None, limit: int, csv_file: Path | None) -> None:
    """Wissenslücken zeigen: Fragen, die der Bot nicht sicher beantworten konnte (unsicher, 👎,
    weitergeleitet), nach Bedeutung gruppiert, häufigste zuerst.

    Beispiel: lotse gaps --days 30 --csv luecken.csv
    """
    core = ChatCore(config)
    try:
        report = knowledge_gaps(core.interactions, core.index.embedder.encode, days or config.gaps.days,
                                similarity if similarity is not None else config.gaps.similarity)
    finally:
        core.interactions.close()
    click.echo(gaps_text(report, limit))
    if csv_file is not None:
        try:
            write_csv(report.clusters, csv_file)
        except OSError as error:
            raise click.ClickException(f"CSV-Datei {csv_file} konnte nicht geschrieben werden: {error}") from error
        click.echo(f"\nCSV geschrieben: {csv_file} ({len(report.clusters)} Themen)")
