"""`lotse doctor`: check the data folder, back up and repair damaged files, report what was done."""
from __future__ import annotations

import sys

import click

from .cli_options import with_config
from .config import Config
from .doctor import examine


@click.command("doctor")
@with_config
@click.option("--check-only", is_flag=True, help="Nur prüfen, nichts sichern oder reparieren.")
def doctor_command(config: Config, check_only: bool) -> None:
    """Alle Dateien im Datenordner prüfen (Index, Einbettungs-Cache, Fragen-Datenbank,
    Pseudonym-Schlüssel); beschädigte Dateien werden daneben gesichert und repariert.
    Bitte den Bot vorher beenden.

    Beispiel: lotse doctor
    """
    findings = examine(config, repair=not check_only)
    for finding in findings:
        mark = "🔧" if finding.repaired else ("✅" if finding.ok else "❌")
        click.echo(f"{mark} {finding.path}: {finding.message}")
    problems = [f for f in findings if not f.ok]
    repaired = [f for f in findings if f.repaired]
    if problems:
        click.echo(f"\n{len(problems)} Problem(e) offen" + (f", {len(repaired)} repariert." if repaired else "."))
        sys.exit(1)
    click.echo(f"\n{len(repaired)} Datei(en) repariert, alles andere in Ordnung." if repaired else "\nAlles in Ordnung.")
