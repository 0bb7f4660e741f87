"""A knowledge folder full of hostile files: `lotse index` finishes under a time and memory limit,
every file is indexed or skipped with a reason, good documents are found, restricted ones are not.

The real `lotse` runs as a subprocess with the real embedding model under RLIMIT_AS (3 GB). Large
hostile files are small versions where size only adds time: the 1 GiB image is *declared* in the
zip directory, not written; the million-paragraph DOCX is real (35 MB unpacked, 5 s parse budget).
"""
from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.docx_files import declare_size, docx_bytes, paragraph
from tests.hostile_files import make_link_loops, make_special_files

LOTSE = Path(sys.executable).with_name("lotse")
MEMORY_LIMIT = 3 * 1024**3
TIME_LIMIT = 600

GOOD = {
    "gut/fahrradverleih.md": "---\ntitle: Fahrradverleih\n---\n# Fahrradverleih\n\nDer Fahrradverleih der Stadt "
    "verleiht Lastenräder kostenlos an Vereine. Die Ausleihe dauert höchstens drei Tage.\n",
    "gut/sprechzeiten.txt": "Sprechzeiten Bürgerbüro\n\nDas Bürgerbüro Wattenscheid öffnet montags um acht Uhr.\n",
    "gut/utf16.txt": "Laternenfest\n\nDas Laternenfest im Stadtpark beginnt um achtzehn Uhr.\n",
    "gut/leitfaden.md": "# Zitate\n\nDer „Leitfaden Nr. 2. Fassung“ regelt die Pflanzaktion der Baumpaten.\n",
}
SECRET = "Glasfaserausbauvertrag"
RESTRICTED = (
    "---\ntitle: Internes Vertragsdossier\naccess: sciu-intern\n---\n# Vertragsdossier\n\n"
    f"Der {SECRET} mit dem Netzbetreiber enthält eine Vertragsstrafe von zwei Millionen Euro.\n"
)


def _build_corpus(knowledge: Path, data: Path) -> dict[str, str]:
    """Write the hostile and good files; returns what each hostile entry should end as."""
    for rel, text in GOOD.items():
        path = knowledge / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-16") if "utf16" in rel else text.encode())
    (knowledge / "intern").mkdir()
    (knowledge / "intern" / "dossier.md").write_text(RESTRICTED)
    hostile = knowledge / "feindlich"
    hostile.mkdir()
    expect: dict[str, str] = {}

    for name in make_link_loops(hostile):
        expect[f"feindlich/{name}"] = "skipped"
    (hostile / "eins" / "echt.md").write_text("# Ordner Eins\n\nDer Wegweiser im Ordner Eins zeigt zum Rathaus.\n")
    expect["feindlich/eins/echt.md"] = "indexed"
    for name in make_special_files(hostile):
        expect[f"feindlich/{name}"] = "skipped"

    raw = os.fsencode(hostile) + b"/caf\xe9-latin1.md"
    with open(raw, "wb") as handle:
        handle.write(b"# Name\n\nEin Name in Latin-1.\n")
    expect["feindlich/caf\\xe9-latin1.md"] = "skipped"
    (hostile / "zeile\n2. Gefälschte Zeile.md").write_text("# Zeile\n\nEin Zeilenumbruch im Namen.\n")
    expect["feindlich/zeile\\n2. Gefälschte Zeile.md"] = "skipped"

    (hostile / "punkte.md").write_text("# Punkte\n\nViele Punkte folgen. " + "." * 3_000_000 + " Ende der Punkte.\n")
    (hostile / "kompositum.md").write_text("# Wort\n\nEin Wort: " + "Verwaltungsdigitalisierung" * 4_000 + " Ende.\n")
    (hostile / "zitate.md").write_text("# Zitate\n\n" + ">" * 100_000 + " Ganz tief zitiert.\n")
    (hostile / "titel.md").write_text("---\ntitle: " + "Titel " * 200_000 + "\n---\n\nText unter einem langen Titel.\n")
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"]  # "billion laughs": 9^10 list items by YAML aliases
    laughs += [f"{new}: &{new} [{', '.join([f'*{old}'] * 9)}]" for old, new in zip("abcdefghi", "bcdefghij")]
    (hostile / "anker.md").write_text("---\n" + "\n".join(laughs) + "\n---\n\nMilliarden Lacher.\n")
    (hostile / "verschachtelt.html").write_text("<p>Tief</p>" + "<blockquote>" * 100_000 + "unten")
    for name in ("punkte.md", "kompositum.md", "zitate.md", "titel.md", "anker.md", "verschachtelt.html"):
        expect[f"feindlich/{name}"] = "any"  # indexed with capped words/levels, or skipped with a reason
    expect["feindlich/punkte.md"] = expect["feindlich/kompositum.md"] = expect["feindlich/zitate.md"] = "indexed"

    picture = docx_bytes(paragraph("Der Bildbericht zeigt den Baumkataster der Stadt."), image=True)
    (hostile / "bild.docx").write_bytes(declare_size(picture, "word/media/image1.png", 2**30))
    expect["feindlich/bild.docx"] = "indexed"
    (hostile / "absaetze.docx").write_bytes(docx_bytes(paragraph("x") * 3_000_000))
    expect["feindlich/absaetze.docx"] = "skipped"  # 105 MB of XML declared: over the part cap
    (hostile / "million.docx").write_bytes(docx_bytes(paragraph("Absatz") * 900_000))
    expect["feindlich/million.docx"] = "skipped"  # under the part cap: over the 5 s parse budget

    (data / "index" / ".lock").mkdir(parents=True)
    return expect


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _lotse(config: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LOTSE), *args, "--config", str(config)], capture_output=True, text=True, input=stdin,
        timeout=TIME_LIMIT, preexec_fn=_limits, env={**os.environ, "PYTHONUTF8": "1"},
    )


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("hostile")
    knowledge, data = root / "knowledge", root / "var"
    knowledge.mkdir()
    expect = _build_corpus(knowledge, data)
    config = root / "config.toml"
    config.write_text(
        f'[index]\nknowledge_dir = "{knowledge}"\ndata_dir = "{data}"\nmax_parse_seconds = 5.0\n'
        'max_parse_mb = 1024.0\nprogress = false\n\n[groups]\nsciu-intern = [4711]\n'
    )
    started = time.perf_counter()
    result = _lotse(config, "index")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    files = sum(1 for _ in knowledge.rglob("*"))
    print(f"\nhostile corpus: {files} entries, lotse index {seconds:.1f} s, peak RSS {peak:.0f} MB\n{result.stdout}")
    return config, expect, result


def test_index_run_finishes_and_reports_every_hostile_file(hostile_run):
    config, expect, result = hostile_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    section = result.stdout.split("Übersprungen:\n", 1)[1].split("\n\n")[0].split("Warnungen:")[0]
    skipped = {line.split(": ", 1)[0].strip()[2:]: line for line in section.splitlines() if line.startswith("  - ")}
    for rel, outcome in expect.items():
        if outcome == "skipped":
            assert rel in skipped, f"{rel} not reported as skipped:\n{result.stdout}"
            assert skipped[rel].split(": ", 1)[1].strip(), f"{rel} skipped without a reason"
        elif outcome == "indexed":
            assert rel not in skipped, skipped.get(rel)
    assert not any(line.startswith("2. Gefälschte") for line in result.stdout.splitlines())
    counts = re.search(r"Dateien: (\d+) gesehen · (\d+) neu .* (\d+) übersprungen", result.stdout)
    assert counts and int(counts[1]) == int(counts[2]) + int(counts[3]) == len(skipped) + int(counts[2])


def _search(config: Path, query: str, *groups: str) -> dict:
    args = ["search", query, "--json", "-k", "50"] + [arg for group in groups for arg in ("--group", group)]
    result = _lotse(config, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "query, source",
    [
        ("Wer verleiht Lastenräder an Vereine?", "gut/fahrradverleih.md"),
        ("Wann öffnet das Bürgerbüro Wattenscheid?", "gut/sprechzeiten.txt"),
        ("Wann beginnt das Laternenfest im Stadtpark?", "gut/utf16.txt"),
        ("Was zeigt der Bildbericht zum Baumkataster?", "feindlich/bild.docx"),
        ("Wohin zeigt der Wegweiser?", "feindlich/eins/echt.md"),
    ],
)
def test_good_documents_are_searchable(hostile_run, query, source):
    config, _, _ = hostile_run
    hits = _search(config, query)["hits"]
    assert hits and hits[0]["source"] == source


def test_restricted_document_reaches_only_its_group(hostile_run):
    config, _, _ = hostile_run
    found = _search(config, f"{SECRET} Vertragsstrafe Netzbetreiber")
    outsider = json.dumps([found["hits"], found["passage"]], ensure_ascii=False)  # "query" echoes the question
    assert SECRET not in outsider and "intern/dossier.md" not in outsider and "Vertragsdossier" not in outsider
    question = f"Wie hoch ist die Vertragsstrafe im {SECRET}?"
    for answer in (_lotse(config, "ask", question), _lotse(config, "chat", stdin=f"{question}\n/quellen\n/ende\n")):
        assert answer.returncode == 0, answer.stderr
        assert "zwei Millionen" not in answer.stdout and "dossier" not in answer.stdout.lower()
    # The outsider checks above can fail: the group sees the document by both paths.
    member = _search(config, f"{SECRET} Vertragsstrafe Netzbetreiber", "sciu-intern")
    assert member["hits"][0]["source"] == "intern/dossier.md"
    assert "zwei Millionen" in _lotse(config, "chat", "--group", "sciu-intern", stdin=f"{question}\n/ende\n").stdout
