"""`lotse eval`: retrieval quality of the configured search on a SQuAD v1 file."""
from __future__ import annotations

import json
from pathlib import Path

import click

from indexer.evaluation import EvalError, run_eval

from .cli_options import with_config
from .config import Config
from .reports import format_number


@click.command("eval")
@with_config
@click.argument("squad_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--distractors", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Ordner mit Dokumenten, die zusätzlich (als Ablenkung) indiziert werden.")
@click.option("--holdout", is_flag=True,
              help="Nur jeden zweiten Artikel indizieren und prüfen, ob Fragen ohne Antwort unter der Schwelle bleiben.")
@click.option("--limit", type=click.IntRange(1), help="Höchstens so viele Fragen stellen.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt ausgeben.")
def eval_command(config: Config, squad_file: Path, distractors: Path | None, holdout: bool, limit: int | None, as_json: bool) -> None:
    """Suchqualität auf einer SQuAD-v1-Datei messen (MRR@10, Recall, nDCG, Latenz).

    Jeder Absatz wird ein Dokument in einem Wegwerf-Datenordner; jede Frage läuft durch
    dieselbe Suche wie im Bot.

    Beispiel: lotse eval ../shared/eval/xquad-de-dev.json --distractors ../shared/corpora/gesetze-sample
    """
    try:
        report = run_eval(squad_file, config.index, config.search, distractors=distractors, holdout=holdout, limit=limit)
    except EvalError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(report.summary(), indent=2))
        return
    lines = [
        f"Fragen: {report.questions} · Dokumente: {report.documents} · Abschnitte: {report.chunks}",
        f"MRR@10: {report.mrr_at_10:.3f} · nDCG@10: {report.ndcg_at_10:.3f}",
        f"Recall@1: {report.recall_at_1:.3f} · Recall@5: {report.recall_at_5:.3f} · Recall@10: {report.recall_at_10:.3f}",
        f"Antwortpassage enthält die Antwort: {report.passage_contains_answer:.3f}",
        f"Über der Antwortschwelle (beantwortbar): {report.answerable_above_threshold:.3f}",
    ]
    if report.unanswerable_below_threshold is not None:
        lines.append(f"Unter der Antwortschwelle (nicht beantwortbar): {report.unanswerable_below_threshold:.3f}")
    lines += [
        f"Latenz je Suche: p50 {format_number(report.latency_p50_ms)} ms · p95 {format_number(report.latency_p95_ms)} ms",
        f"Indizierung: {format_number(report.indexing_seconds)} s",
    ]
    click.echo("\n".join(lines))
