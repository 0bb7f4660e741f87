#!/usr/bin/env python3
"""Generate the binary sample documents of the bundled knowledge base.

Writes two files into ``knowledge/``:

* ``projekte/leitfaden-projektsteckbrief.docx`` – Word document with real
  heading styles (Heading 1/2), a table and core properties (title, author).
* ``anleitungen/merkblatt-datenschutz-sensorprojekte.pdf`` – text PDF whose
  content can be extracted with pypdf.

The output is deterministic (fixed dates and metadata), so running the script
again only changes the files if the texts below change.

Only needed to (re)build the samples, not at runtime of the bot:
``python-docx`` is a project dependency; ``fpdf2`` must be installed by hand
(``pip install fpdf2``) before running this script.

Usage::

    python scripts/make_sample_binaries.py [--out KNOWLEDGE_DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "knowledge"

DOCX_PATH = Path("projekte/leitfaden-projektsteckbrief.docx")
PDF_PATH = Path("anleitungen/merkblatt-datenschutz-sensorprojekte.pdf")

FIXED_DATE_DOCX = dt.datetime(2025, 11, 3, 9, 0, 0)
FIXED_DATE_PDF = dt.datetime(2026, 5, 12, 9, 0, 0, tzinfo=dt.timezone.utc)

# --------------------------------------------------------------------------
# DOCX: Leitfaden Projektsteckbrief
# --------------------------------------------------------------------------

DOCX_TITLE = "Leitfaden Projektsteckbrief"

DOCX_INTRO = [
    "Smart City Innovation Unit Bochum (SCIU) – Koordination",
    "Stand: 03.11.2025 · Verantwortlich: Lena Hoffmann (@lena_hoffmann) · Beispieldokument",
    "Mit dem Projektsteckbrief reichen Fachbereiche der Stadtverwaltung und die "
    "städtischen Unternehmen neue Digitalisierungsideen bei der SCIU ein. Der "
    "Steckbrief ist bewusst kurz gehalten: Er soll auf zwei Seiten zeigen, welches "
    "Problem gelöst wird, wer davon profitiert und woran der Erfolg gemessen wird. "
    "Dieser Leitfaden erklärt, wie die Vorlage auszufüllen ist.",
]

DOCX_SECTIONS: list[tuple[str, list[tuple[str, list[str]]]]] = [
    (
        "Wann wird ein Projektsteckbrief benötigt?",
        [
            (
                "",
                [
                    "Ein Steckbrief ist für jede Idee nötig, die von der SCIU begleitet, "
                    "gefördert oder in den Lenkungskreis Smart City eingebracht werden soll. "
                    "Er ist das Ergebnis der Phase 1 (Idee) im Projektprozess der SCIU.",
                    "Nicht nötig ist ein Steckbrief für reine Beratungsanfragen, etwa wenn ein "
                    "Fachbereich nur wissen möchte, ob es bereits eine Lösung im Stadtkonzern gibt.",
                ],
            )
        ],
    ),
    (
        "Aufbau des Steckbriefs",
        [
            (
                "Pflichtfelder",
                [
                    "Die folgende Tabelle zeigt alle Felder der Vorlage mit einem Beispiel aus "
                    "dem Projekt Smart Parking.",
                ],
            ),
            (
                "Hinweise zum Ausfüllen",
                [
                    "Schreiben Sie für Leserinnen und Leser ohne Fachwissen. Abkürzungen bitte "
                    "beim ersten Vorkommen ausschreiben oder auf das Glossar verweisen.",
                    "Beschreiben Sie zuerst das Problem und erst danach die Lösung. Technologien "
                    "wie LoRaWAN oder KI sind kein Selbstzweck.",
                    "Erfolgskriterien müssen messbar sein, zum Beispiel „Parksuchverkehr in den "
                    "Pilotstraßen um 15 Prozent senken“ statt „Verkehr verbessern“.",
                ],
            ),
        ],
    ),
    (
        "Bewertung durch die SCIU",
        [
            (
                "",
                [
                    "Der Jour fixe der SCIU bewertet jeden Steckbrief nach fünf Kriterien mit "
                    "jeweils 1 bis 5 Punkten: Nutzen für Bürgerinnen und Bürger, Beitrag zu "
                    "Smart City Konzept und Bochum Strategie, Übertragbarkeit im Stadtkonzern, "
                    "Umsetzbarkeit sowie Risiken. Ab 18 Punkten wird eine Pilotierung empfohlen.",
                    "Die Einreichenden erhalten innerhalb von vier Wochen eine Rückmeldung mit "
                    "Begründung.",
                ],
            )
        ],
    ),
    (
        "Einreichung",
        [
            (
                "",
                [
                    "Den ausgefüllten Steckbrief als Word-Datei an das Funktionspostfach "
                    "„SCIU Team“ senden oder im Confluence-Bereich „Smart City“ unter "
                    "„Ideenspeicher“ hochladen. Bei Fragen hilft die Koordination der SCIU.",
                ],
            )
        ],
    ),
]

DOCX_TABLE_HEADER = ("Feld", "Was gehört hinein?", "Beispiel")
DOCX_TABLE_ROWS = [
    ("Titel", "Kurzer, verständlicher Projektname", "Smart Parking Innenstadt"),
    ("Einreichende Stelle", "Fachbereich oder Unternehmen, Ansprechperson", "Tiefbauamt, Frau Beispiel"),
    ("Problem", "Welches Problem besteht heute, für wen?", "Hoher Parksuchverkehr in der Innenstadt"),
    ("Ziel und Nutzen", "Was ändert sich für Bürgerinnen und Bürger?", "Freie Parkplätze in Echtzeit finden"),
    ("Leitthema", "Zuordnung zum Smart City Konzept", "Nachhaltige Mobilität & Umwelt"),
    ("Kompetenz Bochum Strategie", "Zuordnung zur Bochum Strategie 2030", "Großstadt mit Lebensgefühl"),
    ("Erfolgskriterien", "Messbare Kriterien mit Zielwert", "Parksuchverkehr minus 15 Prozent"),
    ("Daten und Datenschutz", "Welche Daten, mit Personenbezug?", "Belegung frei/belegt, kein Personenbezug"),
    ("Aufwand und Kosten", "Grobe Schätzung für den Pilot", "ca. 80.000 Euro, 12 Monate"),
    ("Partner", "Beteiligte im Stadtkonzern und extern", "Stadtwerke, BOGESTRA, Parkhausbetreiber"),
]


def make_docx(path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(DOCX_TITLE, level=0)
    for text in DOCX_INTRO:
        doc.add_paragraph(text)

    for h1, subsections in DOCX_SECTIONS:
        doc.add_heading(h1, level=1)
        for h2, paragraphs in subsections:
            if h2:
                doc.add_heading(h2, level=2)
            for text in paragraphs:
                doc.add_paragraph(text)
            if h2 == "Pflichtfelder":
                table = doc.add_table(rows=1, cols=len(DOCX_TABLE_HEADER))
                table.style = "Table Grid"
                for cell, label in zip(table.rows[0].cells, DOCX_TABLE_HEADER):
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(label)
                    run.bold = True
                for row in DOCX_TABLE_ROWS:
                    cells = table.add_row().cells
                    for cell, value in zip(cells, row):
                        cell.text = value
                for row in table.rows:
                    for cell in row.cells:
                        for para in cell.paragraphs:
                            for run in para.runs:
                                run.font.size = Pt(9)

    props = doc.core_properties
    props.title = DOCX_TITLE
    props.author = "Lena Hoffmann (@lena_hoffmann)"
    props.last_modified_by = "Lena Hoffmann"
    props.subject = "Vorlage und Ausfüllhilfe für neue Projektideen der SCIU"
    props.keywords = "Projektsteckbrief, Projektidee, SCIU, Smart City, Vorlage"
    props.category = "Leitfaden"
    props.comments = "Beispieldokument (sample) der Wissensdatenbank"
    props.language = "de-DE"
    props.created = FIXED_DATE_DOCX
    props.modified = FIXED_DATE_DOCX
    props.last_printed = FIXED_DATE_DOCX
    props.revision = 1

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    _normalise_zip(path, FIXED_DATE_DOCX)


def _normalise_zip(path: Path, when: dt.datetime) -> None:
    """Rewrite the .docx container with fixed entry timestamps (byte-identical rebuilds)."""
    import io
    import zipfile

    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    path.write_bytes(buffer.getvalue())


# --------------------------------------------------------------------------
# PDF: Merkblatt Datenschutz bei Sensorprojekten
# --------------------------------------------------------------------------

PDF_TITLE = "Merkblatt Datenschutz bei Sensorprojekten"
PDF_SUBTITLE = (
    "Smart City Innovation Unit Bochum (SCIU) - Stand: 12.05.2026 - "
    "Verantwortlich: Jonas Becker (@jonas_becker) - Beispieldokument"
)

PDF_SECTIONS: list[tuple[str, list[str | list[str]]]] = [
    (
        "1. Zweck dieses Merkblatts",
        [
            "Sensoren im öffentlichen Raum liefern wertvolle Daten für Verkehr, Umwelt und "
            "Stadtplanung. Gleichzeitig können sie - bewusst oder unbewusst - Rückschlüsse auf "
            "Menschen ermöglichen. Dieses Merkblatt hilft Projektverantwortlichen in der SCIU "
            "und im Stadtkonzern, den Datenschutz von Anfang an mitzudenken. Es ersetzt nicht "
            "die Beratung durch die Datenschutzbeauftragte der Stadt.",
        ],
    ),
    (
        "2. Rechtlicher Rahmen",
        [
            "Maßgeblich ist die Datenschutz-Grundverordnung (DSGVO), ergänzt durch das "
            "Datenschutzgesetz Nordrhein-Westfalen. Besonders wichtig sind:",
            [
                "Art. 5 DSGVO: Grundsätze wie Zweckbindung, Datenminimierung und Speicherbegrenzung",
                "Art. 6 DSGVO: Jede Verarbeitung personenbezogener Daten braucht eine Rechtsgrundlage",
                "Art. 25 DSGVO: Datenschutz durch Technikgestaltung und datenschutzfreundliche Voreinstellungen",
                "Art. 28 DSGVO: Auftragsverarbeitungsvertrag, wenn Dienstleister Daten verarbeiten",
                "Art. 35 DSGVO: Datenschutz-Folgenabschätzung bei voraussichtlich hohem Risiko",
            ],
        ],
    ),
    (
        "3. Einordnung von Sensoren",
        [
            "Für die erste Einschätzung unterscheidet die SCIU drei Gruppen. Die endgültige "
            "Bewertung erfolgt immer im Einzelfall.",
            "TABLE",
        ],
    ),
    (
        "4. Checkliste vor Projektstart",
        [
            [
                "Zweck des Sensoreinsatzes schriftlich festlegen.",
                "Prüfen, ob personenbezogene Daten entstehen können - auch indirekt, etwa durch "
                "Kombination mit anderen Daten.",
                "Nur die Daten erheben, die für den Zweck wirklich nötig sind (z. B. frei/belegt statt Bild).",
                "Speicherdauer festlegen und Rohdaten frühestmöglich aggregieren.",
                "Dienstleister und Hosting prüfen; bei Bedarf Auftragsverarbeitungsvertrag schließen.",
                "Datenschutzbeauftragte vor der Beschaffung einbinden, nicht erst vor dem Betrieb.",
                "Information der Öffentlichkeit planen, z. B. Hinweisschilder und Projektseite.",
                "Vor Veröffentlichung im Open-Data-Portal erneut auf Personenbezug prüfen.",
            ],
        ],
    ),
    (
        "5. Besondere Fälle",
        [
            "Kameras: Bildaufnahmen im öffentlichen Raum sind grundsätzlich personenbezogen. Auch "
            "wenn nur gezählt werden soll, ist vorab eine Datenschutz-Folgenabschätzung zu prüfen. "
            "Vorzugsweise werden Sensoren eingesetzt, die Bilder direkt im Gerät auswerten und "
            "nur Zählwerte übertragen.",
            "WLAN- und Bluetooth-Tracking: Das Erfassen von Gerätekennungen zur Messung von "
            "Besucherströmen ist heikel, weil Kennungen einzelnen Personen zugeordnet werden "
            "können. Solche Verfahren werden in der SCIU nur nach gesonderter Prüfung eingesetzt.",
            "Personenzählung an Haltestellen: Für die geplante Erweiterung des LoRaWAN-Pilots ist "
            "eine gesonderte Prüfung beauftragt. Bis zu deren Abschluss wird keine Personenzählung "
            "durchgeführt.",
        ],
    ),
    (
        "6. Ansprechpersonen",
        [
            "Fragen zur Einordnung beantwortet die Datenschutzbeauftragte der Stadt über das "
            "Funktionspostfach Datenschutz. In der SCIU unterstützt Jonas Becker (Infrastruktur "
            "& IT); für den LoRaWAN-Sensorpilot ist Aylin Demir zuständig.",
        ],
    ),
]

PDF_TABLE_HEADER = ("Gruppe", "Beispiele", "Vorgehen")
PDF_TABLE_ROWS = [
    (
        "A - kein Personenbezug",
        "Luftqualitätssensoren, Temperatur, Füllstand von Containern, Parkplatzsensor frei/belegt",
        "Dokumentation im Projektsteckbrief genügt",
    ),
    (
        "B - Personenbezug möglich",
        "Sensoren an Privatgrundstücken, Verbrauchsdaten einzelner Gebäude, sehr kleinräumige Zählungen",
        "Prüfung mit der Datenschutzbeauftragten",
    ),
    (
        "C - Personenbezug wahrscheinlich",
        "Kameras, WLAN- oder Bluetooth-Tracking, Kennzeichenerfassung",
        "Datenschutz-Folgenabschätzung, Rechtsgrundlage klären",
    ),
]

# Characters outside Latin-1 are mapped so the built-in PDF fonts can render them.
_LATIN1_MAP = str.maketrans({
    "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'",
    "–": "-", "—": "-", "…": "...", "·": "-", "\u00a0": " ",
})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1_MAP).encode("latin-1", "replace").decode("latin-1")


def make_pdf(path: Path) -> None:
    try:
        from fpdf import FPDF
    except ImportError:  # pragma: no cover - helper script only
        sys.exit("fpdf2 is required to build the PDF sample: pip install fpdf2")

    class Merkblatt(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 10, _latin1(f"{PDF_TITLE} - Seite {self.page_no()}"), align="C")

    pdf = Merkblatt(format="A4")
    pdf.set_creation_date(FIXED_DATE_PDF)
    pdf.set_title(PDF_TITLE)
    pdf.set_author("Jonas Becker (@jonas_becker)")
    pdf.set_subject("Datenschutz bei Sensorprojekten der Smart City Innovation Unit Bochum")
    pdf.set_keywords("Datenschutz, DSGVO, Sensoren, LoRaWAN, Smart City, Merkblatt")
    pdf.set_creator("scripts/make_sample_binaries.py")
    pdf.set_lang("de-DE")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    pdf.set_font("Helvetica", style="B", size=18)
    pdf.multi_cell(0, 9, _latin1(PDF_TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 5, _latin1(PDF_SUBTITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)

    for heading, items in PDF_SECTIONS:
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.multi_cell(0, 7, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font("Helvetica", size=10.5)
        for item in items:
            if item == "TABLE":
                pdf.set_font("Helvetica", size=9)
                with pdf.table(col_widths=(24, 42, 34), line_height=5) as table:
                    header = table.row()
                    for label in PDF_TABLE_HEADER:
                        header.cell(_latin1(label))
                    for values in PDF_TABLE_ROWS:
                        row = table.row()
                        for value in values:
                            row.cell(_latin1(value))
                pdf.set_font("Helvetica", size=10.5)
                pdf.ln(2)
            elif isinstance(item, list):
                for bullet in item:
                    pdf.set_x(pdf.l_margin + 3)
                    pdf.multi_cell(0, 5.5, _latin1(f"- {bullet}"), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            else:
                pdf.multi_cell(0, 5.5, _latin1(item), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
        pdf.ln(2)

    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="knowledge directory (default: %(default)s)")
    args = parser.parse_args(argv)

    docx_file = args.out / DOCX_PATH
    pdf_file = args.out / PDF_PATH
    make_docx(docx_file)
    print(f"wrote {docx_file}")
    make_pdf(pdf_file)
    print(f"wrote {pdf_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
