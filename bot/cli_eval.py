"""`lotse eval`: search quality on a SQuAD v1 file, or answer quality on a question catalogue."""
from __future__ import annotations

import json
from pathlib import Path

import click

from indexer.evaluation import EvalError, EvalReport, run_eval

from .catalogue import CatalogueError, is_catalogue, load_catalogue
from .catalogue_eval import CatalogueReport, Figures, compare_with_model, run_catalogue
from .cli_options import require_model, with_config
from .config import Config
from .reports import format_number


@click.command("eval")
@with_config
@click.argument("eval_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--distractors", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="SQuAD: Ordner mit Dokumenten, die zusätzlich (als Ablenkung) indiziert werden.")
@click.option("--holdout", is_flag=True,
              help="SQuAD: nur jeden zweiten Artikel indizieren und prüfen, ob Fragen ohne Antwort abgelehnt werden.")
@click.option("--limit", type=click.IntRange(1), help="Höchstens so viele Fragen stellen.")
@click.option("--details", is_flag=True, help="Katalog: jede Frage mit Antwort und Bewertung zeigen.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt ausgeben.")
@click.option("--llm", is_flag=True, help="Katalog: zusätzlich mit dem Sprachmodell aus [llm] antworten und vergleichen.")
def eval_command(config: Config, eval_file: Path, distractors: Path | None, holdout: bool, limit: int | None,
                 details: bool, as_json: bool, llm: bool) -> None:
    """Antwort- oder Suchqualität messen.

    Ein Fragenkatalog (JSON-Liste oder CSV mit „;“, Spalten wie ../shared/eval/kb-dev.json) wird
    Frage für Frage wie im Bot gestellt, mit der Gruppe der Frage; gemessen werden Quelle@1/@3,
    Kernfakt in der Antwort, Ablehnungen, Lecks eingeschränkter Dokumente, aktuelle vor veralteter
    Fassung und Antwortlänge – gesamt und je Stil. Eine SQuAD-v1-Datei misst die Suche (MRR@10,
    Recall, nDCG, Latenz); jeder Absatz wird ein Dokument in einem Wegwerf-Datenordner.

    Mit --llm wird jeder Katalogfrage zweimal gestellt – ohne und mit Sprachmodell ([llm]) – und
    beide Ergebnisse werden nebeneinander gezeigt.

    Beispiel: lotse eval ../shared/eval/kb-dev.json
    """
    try:
        if is_catalogue(eval_file):
            questions = load_catalogue(eval_file)[:limit]
            if llm:
                require_model(config)
                without, with_model, stats = compare_with_model(config, questions)
                click.echo(json.dumps({"without_model": without.summary(), "with_model": with_model.summary(),
                                       "model": stats.summary(config.llm.model)}, ensure_ascii=False) if as_json
                           else comparison_text(without, with_model, stats.summary(config.llm.model), details))
                return
            catalogue = run_catalogue(config, questions)
            click.echo(json.dumps(catalogue.summary(), ensure_ascii=False) if as_json else catalogue_text(catalogue, details))
            return
        report = run_eval(eval_file, config.index, config.search, distractors=distractors, holdout=holdout, limit=limit)
    except (EvalError, CatalogueError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(report.summary(), indent=2) if as_json else squad_text(report))


def _value(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _figures_line(name: str, f: Figures) -> str:
    words = "–" if f.words_median is None else f"{f.words_median:.0f}/{f.words_p95:.0f}"
    return (f"{name:<14}{f.questions:>4}  {_value(f.source_at_1):>5} {_value(f.source_at_3):>5} {_value(f.key_fact):>5} "
            f"{_value(f.all_parts):>5} {_value(f.false_declines):>5} {_value(f.declined_when_unanswerable):>5} "
            f"{f.restricted_leaks:>4} {_value(f.current_beats_superseded):>5} {words:>8}")


def catalogue_text(report: CatalogueReport, details: bool = False) -> str:
    """The catalogue figures as a table: overall first, then one line per style."""
    header = (f"{'Stil':<14}{'n':>4}  {'Q@1':>5} {'Q@3':>5} {'Fakt':>5} {'alle':>5} {'abgl.':>5} {'Ablng':>5} "
              f"{'Leck':>4} {'aktu.':>5} {'Wörter':>8}")
    lines = [header, _figures_line("gesamt", report.overall)]
    lines += [_figures_line(style, figures) for style, figures in report.styles.items()]
    if report.overall.unsure_when_unanswerable is not None:
        lines.append(f"Fragen ohne Antwort abgelehnt oder nur mit Vorbehalt beantwortet: "
                     f"{report.overall.unsure_when_unanswerable:.2f}")
    lines += [
        "",
        "Q@1/Q@3: richtige Quelle an erster Stelle / unter den ersten drei · Fakt: Kernfakt im Antworttext · "
        "alle: alle Teile mehrteiliger Fragen · abgl.: beantwortbare Fragen abgelehnt · Ablng: Fragen ohne "
        "Antwort abgelehnt · Leck: eingeschränkte Inhalte an Unbefugte · aktu.: aktuelle vor veralteter "
        "Fassung · Wörter: Antwortlänge Median/p95",
    ]
    if details:
        for r in report.results:
            mark = "✓" if (r.has_fact if r.answerable else not r.answered) and not r.leak else "✗"
            lines += ["", f"{mark} {r.id} [{r.style}] {r.question}",
                      f"   Quellen: {', '.join(r.sources[:3]) or '–'}", "   " + r.text.replace("\n", "\n   ")]
    return "\n".join(lines)


def comparison_text(without: CatalogueReport, with_model: CatalogueReport, model: str, details: bool) -> str:
    """Both catalogue tables, without and with the model, and what the model did."""
    return "\n\n".join([f"Ohne Sprachmodell (Auszug):\n{catalogue_text(without)}",
                        f"Mit Sprachmodell (geprüft), formuliert: {with_model.overall.phrased:.2f}\n"
                        f"{catalogue_text(with_model, details)}", model])


def squad_text(report: EvalReport) -> str:
    lines = [
        f"Fragen: {report.questions} · Dokumente: {report.documents} · Abschnitte: {report.chunks}",
        f"MRR@10: {report.mrr_at_10:.3f} · nDCG@10: {report.ndcg_at_10:.3f}",
        f"Recall@1: {report.recall_at_1:.3f} · Recall@5: {report.recall_at_5:.3f} · Recall@10: {report.recall_at_10:.3f}",
        f"Antwortpassage enthält die Antwort: {report.passage_contains_answer:.3f}",
        f"Über der Antwortschwelle (beantwortbar): {report.answerable_above_threshold:.3f}",
    ]
    if report.unanswerable_below_threshold is not None:
        lines.append(f"Unter der Antwortschwelle (nicht beantwortbar): {report.unanswerable_below_threshold:.3f}")
    lines.append(f"Abgelehnt (beantwortbar): {report.answerable_declined:.3f}")
    if report.unanswerable_declined is not None:
        lines.append(f"Abgelehnt (nicht beantwortbar): {report.unanswerable_declined:.3f}")
    lines += [
        f"Latenz je Suche: p50 {format_number(report.latency_p50_ms)} ms · p95 {format_number(report.latency_p95_ms)} ms",
        f"Indizierung: {format_number(report.indexing_seconds)} s",
    ]
    return "\n".join(lines)
