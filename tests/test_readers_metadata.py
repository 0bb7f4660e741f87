"""Title, Stand and contact for every format: explicit keys, the text's own lines, file properties."""
from pathlib import Path

import pytest

from indexer.readers import UnreadableDocument, read_document
from indexer.readers.metadata import MAX_HEADING_CHARS, MAX_TITLE_CHARS
from indexer.readers.stated import normalise_date, stated_metadata
from indexer.records import Block
from tests.binaries import make_docx, make_pdf

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def read(data: bytes, name: str):
    return read_document(data, Path(name))


@pytest.mark.parametrize(
    "rel, updated, owner",
    [
        ("projekte/leitfaden-projektsteckbrief.docx", "2025-11-03", "Lena Hoffmann (@lena_hoffmann)"),
        ("anleitungen/merkblatt-datenschutz-sensorprojekte.pdf", "2026-05-12", "Jonas Becker (@jonas_becker)"),
        ("sciu/termine-und-formate.html", "2026-08-03", "Lena Hoffmann (@lena_hoffmann)"),
        ("sciu/telefonliste-kontakte.txt", "2026-10-14", "Lena Hoffmann (@lena_hoffmann)"),
    ],
)
def test_every_sample_format_carries_stand_and_contact(rel, updated, owner):
    path = KNOWLEDGE / rel
    meta = read_document(path.read_bytes(), path).meta
    assert (meta["updated"], meta["owner"]) == (updated, owner)


@pytest.mark.parametrize(
    "text, updated, owner",
    [
        ("Stand: 03.11.2025 · Verantwortlich: Eva Klein (@eva_klein) · Entwurf", "2025-11-03", "Eva Klein (@eva_klein)"),
        ("Kurzliste Stand: 14.10.26 – gepflegt von Tim Berg Hinweis: Beispieldaten.", "2026-10-14", "Tim Berg"),
        ("Stand: 3. August 2026 | Ansprechperson: Dr. Anna Roth, Amt 10 – Digitales. Weiter.", "2026-08-03", "Dr. Anna Roth, Amt 10"),
        ("Zuletzt aktualisiert am 2026-01-31; Kontakt: Team Daten", "2026-01-31", "Team Daten"),
        ("Stand Oktober 2026\nSeitenverantwortliche: Uta Meier", "2026-10", "Uta Meier"),
    ],
)
def test_stated_lines_in_their_common_forms(text, updated, owner):
    assert stated_metadata([Block(text)]) == {"updated": updated, "owner": owner}


def test_stand_deep_in_the_body_is_not_a_stand():
    blocks = [Block("Einleitung " * 300), Block("Im Jour fixe berichten alle über den Stand: 12.05.2026 war gut."), Block("Ende " * 200)]
    assert stated_metadata(blocks) == {}
    assert normalise_date("31.02.2026") is None and normalise_date("12.5.2026") == "2026-05-12"


def test_docx_core_properties_and_custom_properties():
    data = make_docx("Dienstreisen", ["Reisen beantragen Sie im Portal."], author="Eva Klein (@eva_klein)",
                     custom={"Access": "sciu-intern, leitung", "department": "Personal", "Stand": "egal"})
    doc = read(data, "reisen.docx")
    assert doc.title == "Dienstreisen"
    assert doc.meta["owner"] == "Eva Klein (@eva_klein)" and doc.meta["department"] == "Personal"
    assert doc.meta["access"] == ["sciu-intern", "leitung"] and "stand" not in doc.meta
    assert len(doc.meta["updated"]) == 10  # the file's modification date, as ISO


def test_docx_stated_lines_beat_core_properties():
    data = make_docx("Leitfaden", ["Stand: 01.02.2026 - Verantwortlich: Eva Klein (@eva_klein)", "Inhalt."], author="Max Muster")
    assert read(data, "l.docx").meta == {"updated": "2026-02-01", "owner": "Eva Klein (@eva_klein)"}


def test_pdf_metadata_keys_and_stated_lines():
    data = make_pdf(["Merkblatt Test", "Stand: 2. Maerz 2026", "Inhalt zu Sensoren im Stadtgebiet."],
                    {"/Title": "Merkblatt Test", "/Author": "Jonas Becker (@jonas_becker)", "/Access": "sciu-intern"})
    doc = read(data, "m.pdf")
    assert doc.title == "Merkblatt Test"
    assert doc.meta == {"access": ["sciu-intern"], "updated": "2026-03-02", "owner": "Jonas Becker (@jonas_becker)"}


def test_html_meta_tags():
    html = ('<html><head><title>Seite</title><meta name="owner" content="Eva Klein (@eva_klein)">'
            '<meta name="access" content="sciu-intern"><meta name="dcterms.modified" content="2026-07-01T10:00">'
            '<meta name="description" content="egal"></head><body><p>Inhalt der Seite.</p></body></html>')
    doc = read(html.encode(), "s.html")
    assert doc.meta == {"owner": "Eva Klein (@eva_klein)", "access": ["sciu-intern"], "updated": "2026-07-01"}


def test_text_file_stated_lines():
    doc = read("TITEL\nStand: 14.10.2026 – gepflegt von Tim Berg (@tim_berg)\n\nInhalt.".encode(), "t.txt")
    assert doc.meta == {"updated": "2026-10-14", "owner": "Tim Berg (@tim_berg)"}


def test_explicit_front_matter_beats_the_text():
    doc = read(b"---\nowner: Eva Klein\nupdated: 2026-01-01\n---\nStand: 02.02.2026 Kontakt: Tim Berg\n", "f.md")
    assert (doc.meta["owner"], doc.meta["updated"]) == ("Eva Klein", "2026-01-01")


@pytest.mark.parametrize("prefix", [b"\n\n", b"  \n\t\n", b"\xef\xbb\xbf\n", b"\r\n"])
def test_front_matter_after_blank_lines_or_bom_is_recognised(prefix):
    doc = read(prefix + b"---\ntitle: Geheim\naccess: sciu-intern\n---\n\nGeheimer Text.\n", "g.md")
    assert doc.meta["access"] == ["sciu-intern"] and doc.title == "Geheim"
    assert all("access" not in block.text for block in doc.blocks)


@pytest.mark.parametrize("value", ["[]", '""', "null", "", "[null]", "' , '"])
def test_empty_access_is_an_error_not_public(value):
    with pytest.raises(UnreadableDocument, match="leerer Wert für „access“"):
        read(f"---\ntitle: T\naccess: {value}\n---\nText.\n".encode(), "e.md")
    with pytest.raises(UnreadableDocument, match="leerer Wert"):
        read(b'<html><head><meta name="access" content=" "></head><body><p>Text.</p></body></html>', "e.html")


def test_yaml_aliases_are_refused_never_expanded():
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
    )
    with pytest.raises(UnreadableDocument, match="Anker oder -Alias"):
        read(f"---\n{laughs}---\nText.\n".encode(), "lol.md")


def test_giant_title_and_heading_are_capped():
    huge = "Titel " * 200_000  # 1.2 MB
    doc = read(f"---\ntitle: {huge}\n---\n# {huge}\n\nText.\n".encode(), "gross.md")
    assert len(doc.title) <= MAX_TITLE_CHARS
    assert all(len(h) <= MAX_HEADING_CHARS for block in doc.blocks for h in block.headings)
