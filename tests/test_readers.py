"""Every supported format is read into title, front matter and structured blocks; bad files say why."""
import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from indexer.readers import UnreadableDocument, read_document
from tests.docx_files import declare_size, docx_bytes, paragraph

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def read(path: Path):
    return read_document(path.read_bytes(), path)


def test_markdown_front_matter_headings_and_tables():
    doc = read(KNOWLEDGE / "glossar.md")
    assert doc.meta["type"] == "glossary" and doc.title.startswith("Glossar")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.text.splitlines()[0].startswith("Abkürzung | Bedeutung")
    assert any("OZG | Onlinezugangsgesetz" in line for line in table.text.splitlines())


def test_markdown_dates_become_iso_strings():
    doc = read(KNOWLEDGE / "anleitungen" / "homeoffice-regelung-uebergang-2024.md")
    assert doc.meta["valid_until"] == "2024-12-31"


def test_html_keeps_heading_path_lists_and_tables():
    doc = read(KNOWLEDGE / "sciu" / "termine-und-formate.html")
    assert doc.title == "Termine und Formate der SCIU"
    kinds = {b.kind for b in doc.blocks}
    assert {"paragraph", "list", "table"} <= kinds
    assert any(len(b.headings) >= 2 for b in doc.blocks)


def test_a_protocol_head_of_bold_labels_keeps_one_field_per_line(tmp_path):
    path = tmp_path / "protokoll.md"
    path.write_text("# Protokoll\n\n**Datum:** Mittwoch, 18. Februar 2026, 10:00–11:30 Uhr\n**Ort:** Videokonferenz\n"
                    "**Leitung**: Aylin Demir\n\nEin **Satz:** mit Umbruch\nim Absatz.\n", encoding="utf-8")
    blocks = read(path).blocks
    assert blocks[0].kind == "list"
    assert blocks[0].text.splitlines() == ["- Datum: Mittwoch, 18. Februar 2026, 10:00–11:30 Uhr",
                                           "- Ort: Videokonferenz", "- Leitung: Aylin Demir"]
    assert (blocks[1].kind, blocks[1].text) == ("paragraph", "Ein Satz: mit Umbruch im Absatz.")


def test_docx_uses_heading_styles_and_tables():
    doc = read(KNOWLEDGE / "projekte" / "leitfaden-projektsteckbrief.docx")
    assert doc.title == "Leitfaden Projektsteckbrief"
    assert any(b.kind == "table" and " | " in b.text for b in doc.blocks)
    assert any(b.headings for b in doc.blocks)


def test_pdf_text_and_title():
    doc = read(KNOWLEDGE / "anleitungen" / "merkblatt-datenschutz-sensorprojekte.pdf")
    assert "Datenschutz" in doc.title
    assert sum(len(b.text.split()) for b in doc.blocks) > 200
    # the layout is rebuilt: numbered section titles are headings, the running footer is gone,
    # the sentence cut by the page break is whole again
    assert [b.headings for b in doc.blocks if b.headings][0] == ("1. Zweck dieses Merkblatts",)
    text = "\n".join(b.text for b in doc.blocks)
    assert "Seite 1" not in text and "Seite 2" not in text
    assert "Auch wenn nur gezählt werden soll" in text
    assert any(b.kind == "list" and "Speicherdauer festlegen" in b.text for b in doc.blocks)


def test_pdf_layout_from_page_texts():
    from indexer.readers.pdf import layout_blocks

    pages = ["Handbuch – Seite 1\n1. Einleitung\nDer erste Satz läuft über\nzwei Zeilen.\n- Punkt eins\n- Punkt zwei\nHandbuch – Seite 1",
             "Handbuch – Seite 2\n2. Ende\nLetzter Satz.\nHandbuch – Seite 2"]
    blocks = layout_blocks(pages)
    assert [(b.headings, b.kind, b.text) for b in blocks] == [
        (("1. Einleitung",), "paragraph", "Der erste Satz läuft über zwei Zeilen."),
        (("1. Einleitung",), "list", "- Punkt eins\n- Punkt zwei"),
        (("2. Ende",), "paragraph", "Letzter Satz."),
    ]


def test_plain_text_first_line_is_title():
    doc = read(KNOWLEDGE / "sciu" / "telefonliste-kontakte.txt")
    assert doc.title.startswith("TELEFONLISTE")


def test_legacy_encoding_is_detected(tmp_path):
    path = tmp_path / "alt.txt"
    path.write_bytes("Größere Änderungen für Bürgerinnen und Bürger in der Straße.\n".encode("cp1252"))
    assert "Bürgerinnen" in read(path).blocks[0].text


def encrypted_pdf(tmp_path: Path) -> Path:
    source = KNOWLEDGE / "anleitungen" / "merkblatt-datenschutz-sensorprojekte.pdf"
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="geheim", owner_password="geheim")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "geheim.pdf"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("leer.md", b"   \n", "leere Datei"),
        ("bild.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Binärdatei"),
        ("kaputt.md", b"---\ntitle: [unclosed\n---\nText", "Front-Matter"),
        ("liste.md", b"---\n- a\n- b\n---\nText", "Front-Matter"),
        ("kaputt.docx", b"PK\x03\x04 not really a zip", "nicht lesbar"),
        ("kaputt.pdf", b"%PDF-1.4 garbage", "nicht lesbar"),
        ("nur-kopf.md", b"---\ntitle: Leer\n---\n", "kein Text"),
    ],
)
def test_bad_files_raise_a_one_line_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as error:
        read(path)
    assert reason in str(error.value) and "\n" not in str(error.value)


def test_password_protected_pdf(tmp_path):
    with pytest.raises(UnreadableDocument, match="passwortgeschützt"):
        read(encrypted_pdf(tmp_path))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom_are_text(tmp_path, encoding):
    path = tmp_path / "brief.txt"
    path.write_bytes("Grüße aus Bochum\n\nDas Bürgerbüro öffnet um acht.".encode(encoding))
    document = read(path)
    assert document.title == "Grüße aus Bochum" and document.blocks[1].text == "Das Bürgerbüro öffnet um acht."


def test_deeply_nested_markdown_quotes_are_flattened(tmp_path):
    path = tmp_path / "zitate.md"
    path.write_text(">" * 100_000 + " Ganz tief zitiert.\n\nDanach normal.\n")
    assert [block.text for block in read(path).blocks] == ["Ganz tief zitiert.", "Danach normal."]


# Each inline pattern's characters in a paragraph of its own (and in a tail), beside plain text.
INLINE_MARKDOWN = "\n\n".join([
    "# Titel mit *Betonung*", "Schlichter Satz ohne Auszeichnung. Noch einer, mit Zahl 3.",
    "Zeilenumbruch hier  \nund weiter", "Code `x = 1` im Satz", "\\#kein Titel",
    "ein [Link](https://example.org)", "ein ![Bild](b.png)", "[Verweis][ref] und [kurz]",
    "<https://example.org/x>", "<info@example.org>", "<span>rohes</span> HTML", "&amp; &#169; &copy;",
    "**fett**", "__auch fett__", "_kursiv_", "*kursiv*", "5 * 3", "a_b_c",
    "- Punkt *eins* danach schlicht\n- Punkt zwei", "Begriff\n:   Erklärung mit `x`",
    "| Spalte | Wert |\n| --- | --- |\n| schlicht | *betont* |", "<div>Block-HTML</div>",
    "[ref]: https://example.org/ref\n[kurz]: https://example.org/kurz",
    "Spalte | Wert\n--- | ---\nohne | Rand", "| einspaltig |\n| --- |\n| Zeile |", "Kopf\n| --- |",
    "kein | Trenner\nzweite Zeile", "Überschrift\n---", "Zeile\n- - -",
])


def test_markdown_fast_paths_render_the_same_html():
    import markdown

    from indexer.readers import markdown as reader

    renderer = reader._renderer()
    assert "plain_text" in renderer.treeprocessors  # all registered inline patterns are known to it
    assert type(renderer.parser.blockprocessors["table"]).__name__ == "_PipedTable"
    assert type(renderer.parser.blockprocessors).__name__ == "_ListedOnce"
    plain = markdown.Markdown(extensions=reader.EXTENSIONS)
    for text in (INLINE_MARKDOWN, *(path.read_text() for path in sorted(KNOWLEDGE.rglob("*.md")))):
        assert renderer.reset().convert(text) == plain.reset().convert(text)


def test_a_docx_image_part_is_never_read(tmp_path):
    data = docx_bytes(paragraph("Der Baumkataster wächst."), image=True)
    path = tmp_path / "bild.docx"
    path.write_bytes(declare_size(data, "word/media/image1.png", 2**30))  # reading it would fail the CRC check
    assert read(path).blocks[0].text == "Der Baumkataster wächst."


def test_a_docx_whose_xml_part_is_too_large_unpacked_is_skipped_before_parsing(tmp_path):
    path = tmp_path / "riesig.docx"
    path.write_bytes(declare_size(docx_bytes(paragraph("x")), "word/document.xml", 2**31))
    with pytest.raises(UnreadableDocument, match="zu groß entpackt"):
        read(path)
