"""Plain German text for run reports and index statistics, shared by the CLI and the chat fronts."""
from __future__ import annotations

from indexer.records import IndexReport


def format_number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def index_report(report: IndexReport) -> str:
    """The summary an admin reads after `lotse index` or `/reindex`."""
    head = (
        f"Index aktuell, nichts zu tun (Generation {report.generation})"
        if not (report.added or report.changed or report.removed or report.renamed or report.rebuilt)
        and not report.chunks_embedded
        else f"Index aktualisiert: Generation {report.generation}"
        + (" (vollständig neu aufgebaut)" if report.rebuilt else "")
    )
    lines = [
        f"{head} – {format_number(report.seconds)} s",
        f"Dateien: {report.seen} gesehen · {report.added} neu · {report.changed} geändert · "
        f"{report.removed} entfernt · {report.renamed} umbenannt · {report.unchanged} unverändert · "
        f"{len(report.skipped)} übersprungen",
        f"Abschnitte: {report.chunks_embedded} neu eingebettet, {report.chunks_total} im Index",
    ]
    lines.extend(f"⚠️ {repair}" for repair in report.repairs)
    if report.skipped:
        lines.append("Übersprungen:")
        lines.extend(f"  - {item.path}: {item.reason}" for item in report.skipped)
    if report.withdrawn:
        lines.append(f"Aus dem Index genommen (Zugriff sonst zu weit): {len(report.withdrawn)}")
        lines.extend(f"  - {path}" for path in report.withdrawn)
    if report.warnings:
        lines.append("Warnungen:")
        lines.extend(f"  - {item.path}: {item.message}" for item in report.warnings)
    return "\n".join(lines)


def index_stats(stats: dict) -> str:
    vectors = stats.get("vectors") or {}
    return "\n".join(
        [
            f"Generation {stats['generation']} vom {stats.get('built_at') or '?'}",
            f"Dokumente: {stats['documents']} · Abschnitte: {stats['chunks']} · Glossar-Einträge: {stats['glossary_entries']}",
            f"Modell: {stats['model']} ({stats['dimension']} Dimensionen, Suche: {vectors.get('kind', '?')})",
            f"Ablage: {stats['path']}",
            *([f"⚠️ {stats['problem']}"] if stats.get("problem") else []),
        ]
    )
