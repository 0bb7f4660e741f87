"""Small Word and PDF files made in tests, with the metadata a test needs (no fpdf2 required)."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{}</Properties>'
)
CUSTOM_PROPERTY = (
    '<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{name}">'
    "<vt:lpwstr>{value}</vt:lpwstr></property>"
)


def make_docx(title: str, paragraphs: list[str], author: str | None = None, custom: dict[str, str] | None = None) -> bytes:
    """A .docx with a heading, paragraphs, optional core author and custom properties (docProps/custom.xml)."""
    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if author is not None:
        document.core_properties.author = author
    if custom:
        xml = CUSTOM_XML.format("".join(
            CUSTOM_PROPERTY.format(pid=pid, name=escape(name), value=escape(value))
            for pid, (name, value) in enumerate(custom.items(), start=2)
        ))
        package = document.part.package
        part = Part(PackURI("/docProps/custom.xml"),
                    "application/vnd.openxmlformats-officedocument.custom-properties+xml", xml.encode(), package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: list[str], metadata: dict[str, str] | None = None) -> bytes:
    """A one-page text PDF (Helvetica, Latin-1 text) with optional document metadata keys."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    shown = " ".join(
        "({}) Tj T*".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")) for line in lines
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 11 Tf 72 800 Td 16 TL {shown} ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    if metadata:
        writer.add_metadata(metadata)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
