"""`lotse doctor` as an API: check every file under the data folder, back up and repair what is damaged.

Index generations are only checked (`lotse index` rebuilds a damaged live one, readers fall back
by themselves); the embedding cache is moved aside and started afresh; the question log is copied
beside itself and rebuilt from every row SQLite can still read.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from indexer.damage import SIDECARS, back_up, is_damage
from indexer.cache import EmbeddingCache, from_blob, usable
from indexer.generations import Generations, IndexBusy
from indexer.health import DamagedGeneration, verify_generation

from .config import Config
from .interactions import open_checked
from .sqlite_recovery import recover_rows

KEY_ENV = "LOTSE_PSEUDONYM_KEY"


@dataclass
class Finding:
    """One checked file: is it (now) fine, and what was found and done, in German for admins."""

    path: str  # relative to the data folder
    ok: bool
    message: str
    repaired: bool = False


def examine(config: Config, repair: bool = True) -> list[Finding]:
    """Check every file under the data folder; with `repair`, back up and repair damaged ones."""
    data_dir = config.index.data_dir
    if not data_dir.is_dir():
        return [Finding(str(data_dir), True, "Der Datenordner existiert noch nicht – `lotse index` legt ihn an.")]
    findings = [
        *_index(config.index.index_dir, data_dir),
        _cache(config.index.cache_path, data_dir, repair),
        _interactions(config.interactions_path, data_dir, repair),
        _pseudonym_key(data_dir),
    ]
    findings.extend(_others(data_dir, {f.path for f in findings}))
    return findings


def _rel(path: Path, data_dir: Path) -> str:
    return str(path.relative_to(data_dir))


def _index(index_dir: Path, data_dir: Path) -> list[Finding]:
    generations = Generations(index_dir)
    if not generations.published():
        return [Finding(_rel(index_dir, data_dir), True, "Noch kein Index – bitte `lotse index` ausführen.")]
    try:
        with generations.lock():
            return _generations(generations, data_dir)
    except IndexBusy:
        return [Finding(_rel(index_dir, data_dir), True, "Gerade läuft eine Indizierung; der Index wurde nicht geprüft.")]


def _generations(generations: Generations, data_dir: Path) -> list[Finding]:
    live = generations.current()
    findings = []
    pointer_problem = generations.pointer_problem()
    if pointer_problem:
        findings.append(Finding(_rel(generations.pointer, data_dir), False,
                                f"{pointer_problem}. Der Bot nutzt die neueste intakte Generation; "
                                "`lotse index` baut den Index neu auf."))
    else:
        findings.append(Finding(_rel(generations.pointer, data_dir), True, f"zeigt auf {live.name}"))
    for directory in generations.published():
        role = "live" if directory == live else "ältere Generation"
        try:
            manifest = verify_generation(directory, full=True)
        except DamagedGeneration as error:
            advice = ("Der Bot nutzt die neueste intakte Generation; bitte `lotse index` ausführen, der Lauf baut "
                      "den Index vollständig neu auf." if directory == live else "Sie wird beim nächsten Lauf ersetzt.")
            findings.append(Finding(_rel(directory, data_dir), False, f"{role}: beschädigt – {error}. {advice}"))
            continue
        findings.append(Finding(_rel(directory, data_dir), True,
                                f"{role}: intakt ({manifest.get('documents', '?')} Dokumente, "
                                f"{manifest.get('chunks', '?')} Abschnitte)"))
    for leftover in sorted(generations.root.glob("gen-*.tmp")):
        findings.append(Finding(_rel(leftover, data_dir), True,
                                "Rest eines abgebrochenen Laufs; der nächste `lotse index` räumt ihn weg."))
    return findings


class _Busy(Exception):
    """The file is locked or cannot be opened: not damage, so nothing is repaired."""


def _sqlite_problem(path: Path) -> str | None:
    """What damage an SQLite file has, read without changing it (None if intact); _Busy if it
    cannot be checked now."""
    if path.stat().st_size == 0:
        return "die Datei ist leer (0 Byte)"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise _Busy(str(error)) from error
        return str(error)
    finally:
        db.close()
    return None if result == "ok" else result


def _sqlite_file(
    path: Path, data_dir: Path, repair: bool, missing: str, advice: str,
    healthy: Callable[[Path, str], Finding], mend: Callable[[Path, str, str], Finding],
) -> Finding:
    """Check one SQLite file: `healthy` looks further into an intact one, `mend` repairs a damaged one."""
    name = _rel(path, data_dir)
    if not path.exists():
        return Finding(name, True, missing)
    try:
        problem = _sqlite_problem(path)
    except _Busy as error:
        return Finding(name, False, f"nicht prüfbar ({error}) – läuft der Bot oder eine Indizierung? Bitte später erneut.")
    if problem is None:
        return healthy(path, name)
    if not repair:
        return Finding(name, False, f"beschädigt ({problem}); {advice}")
    return mend(path, name, problem)


def _cache(path: Path, data_dir: Path, repair: bool) -> Finding:
    return _sqlite_file(
        path, data_dir, repair, "noch nicht angelegt (entsteht beim nächsten `lotse index`)",
        "`lotse doctor` legt ihn neu an.", lambda path, name: _cache_entries(path, name, repair), _renew_cache,
    )


def _renew_cache(path: Path, name: str, problem: str) -> Finding:
    cache = EmbeddingCache(path)  # moves the damaged file aside and starts afresh
    cache.close()
    return Finding(name, True, cache.problem or f"beschädigt ({problem}), neu angelegt", repaired=True)


def _cache_entries(path: Path, name: str, repair: bool) -> Finding:
    """Count (and with `repair` delete) unusable vectors: zero, non-finite, or not of their model's usual length."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        lengths = db.execute("SELECT model, length(vector), COUNT(*) FROM vectors GROUP BY 1, 2 ORDER BY 3").fetchall()
        usual = {model: size // 4 for model, size, _ in lengths}  # the most frequent length comes last
        bad = [(model, key) for model, key, blob in db.execute("SELECT model, key, vector FROM vectors")
               if not usable(from_blob(blob), usual[model])]
    finally:
        db.close()
    total = sum(count for _, _, count in lengths)
    if not bad:
        return Finding(name, True, f"intakt ({total} Vektoren)")
    if not repair:
        return Finding(name, False, f"{len(bad)} von {total} Vektoren sind unbrauchbar; `lotse doctor` entfernt sie.")
    cache = EmbeddingCache(path)
    for model in {model for model, _ in bad}:
        cache.get_many(model, [key for m, key in bad if m == model], usual[model])  # deletes the unusable ones
    cache.close()
    return Finding(name, True, f"{cache.discarded} unbrauchbare Vektoren entfernt; der nächste `lotse index` "
                               "bettet die Abschnitte neu ein.", repaired=True)


def _interactions(path: Path, data_dir: Path, repair: bool) -> Finding:
    return _sqlite_file(
        path, data_dir, repair, "noch nicht angelegt (entsteht beim ersten Start des Bots)",
        "`lotse doctor` sichert die Datei und rettet, was lesbar ist.",
        lambda path, name: Finding(name, True, "intakt"), _rescue_interactions,
    )


def _rescue_interactions(path: Path, name: str, problem: str) -> Finding:
    """Back up the damaged question log, then rebuild it from every row SQLite can still read."""
    backup = back_up(path)
    recovered = path.with_name(path.name + ".wiederhergestellt")
    for leftover in (recovered, *(recovered.with_name(recovered.name + s) for s in SIDECARS)):
        leftover.unlink(missing_ok=True)
    db = open_checked(recovered)
    try:
        recovery = recover_rows(backup, db.conn)
    finally:
        db.conn.close()
    for sidecar in SIDECARS:  # they belong to the damaged file (saved in the backup)
        path.with_name(path.name + sidecar).unlink(missing_ok=True)
    os.replace(recovered, path)
    saved = ", ".join(f"{table}: {rows}" for table, rows in recovery.rows.items() if rows and table != "_migrations")
    lost = (f" Nicht (vollständig) lesbar: {', '.join(recovery.damaged_tables)}." if recovery.damaged_tables else "")
    return Finding(name, True, f"war beschädigt ({problem}). Sicherung: {backup.name}. Neu aufgebaut, gerettet: "
                               f"{saved or 'keine Einträge'}.{lost} Bitte den Bot neu starten.", repaired=True)


def _pseudonym_key(data_dir: Path) -> Finding:
    path = data_dir / "pseudonym.key"
    name = _rel(path, data_dir)
    if os.environ.get(KEY_ENV):
        return Finding(name, True, f"Schlüssel kommt aus ${KEY_ENV}")
    if not path.exists():
        return Finding(name, True, "noch nicht angelegt (entsteht beim ersten Start des Bots)")
    key = path.read_bytes().strip()
    if len(key) < 32:
        return Finding(name, False, "zu kurz oder leer – gespeicherte Pseudonyme passen nicht mehr zu den Nutzern. "
                                    "Bitte die Datei aus einer Sicherung zurückholen.")
    return Finding(name, True, "vorhanden")


def _others(data_dir: Path, checked: set[str]) -> list[Finding]:
    """Everything else under the data folder: backups are listed, unknown files named."""
    findings = []
    index_dir = data_dir / "index"
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        name = _rel(path, data_dir)
        inside_generation = path.parent != index_dir and index_dir in path.parents
        if name in checked or inside_generation or path.name in {".lock", "CURRENT.tmp"} or name.endswith(SIDECARS):
            continue
        if ".beschaedigt-" in path.name:
            findings.append(Finding(name, True, "Sicherung einer beschädigten Datei (kann nach Prüfung gelöscht werden)"))
        else:
            findings.append(Finding(name, True, "nicht geprüft (unbekannte Datei)"))
    return findings
