"""Chunks follow headings, stay within 120–250 words where the text allows, and always fit the model."""
from indexer.chunking import chunk_document, embedding_input
from indexer.records import Block, ParsedDocument
from tests.fakes import FakeEmbedder


def sentence(n: int) -> str:
    return f"Satz Nummer {n} beschreibt die Digitalisierung der Verwaltung in Bochum ausführlich."


def document(*sections: tuple[tuple[str, ...], str, str]) -> ParsedDocument:
    return ParsedDocument("Onboarding", {}, [Block(text, headings, kind) for headings, text, kind in sections])


def test_each_chunk_knows_its_heading_path():
    doc = document(
        (("Onboarding", "Erste Woche", "Zugänge"), " ".join(sentence(i) for i in range(30)), "paragraph"),
        (("Onboarding", "Geräte"), " ".join(sentence(i) for i in range(30)), "paragraph"),
    )
    chunks = chunk_document(doc)
    assert {c.heading_path for c in chunks} == {"Onboarding › Erste Woche › Zugänge", "Onboarding › Geräte"}
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_long_sections_are_cut_at_sentences_with_overlap():
    doc = document((("A",), " ".join(sentence(i) for i in range(100)), "paragraph"))
    chunks = chunk_document(doc, min_words=120, max_words=250, overlap=1)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.endswith(".")
        assert len(chunk.text.split()) <= 250 + 12
    first_last_sentence = chunks[0].text.split("\n")[-1]
    assert chunks[1].text.startswith(first_last_sentence)


def test_small_sections_are_merged_and_keep_their_headings_as_lines():
    doc = document(
        (("Gesetz", "§ 1"), "Die Stadt richtet eine Stelle ein.", "paragraph"),
        (("Gesetz", "§ 2"), "Die Stelle berichtet jährlich.", "paragraph"),
    )
    [chunk] = chunk_document(doc)
    assert chunk.heading_path == "Gesetz"
    assert chunk.text.splitlines() == ["§ 1", "Die Stadt richtet eine Stelle ein.", "§ 2", "Die Stelle berichtet jährlich."]


def test_tables_and_lists_stay_whole_when_they_fit():
    table = "Abkürzung | Bedeutung\nOZG | Onlinezugangsgesetz\nCDO | Chief Digital Officer"
    doc = document((("Glossar",), table, "table"), (("Glossar",), "- eins\n- zwei", "list"))
    [chunk] = chunk_document(doc)
    assert table in chunk.text and "- eins\n- zwei" in chunk.text


def test_no_chunk_exceeds_the_model_token_limit():
    model = FakeEmbedder(max_tokens=100)  # 1.5 tokens a word: ~65 words fit
    doc = document((("A",), " ".join(sentence(i) for i in range(60)), "paragraph"))
    chunks = chunk_document(doc, model.count_tokens, model.max_tokens)
    counts = model.count_tokens([embedding_input(doc.title, c) for c in chunks])
    assert max(counts) <= 100
    assert " ".join(c.text for c in chunks).count("Satz Nummer 59") >= 1


def test_real_model_limit_on_german_text(embedder):
    words = "Digitalisierungsstrategie Bürgerbeteiligungsverfahren Parkraumbewirtschaftungskonzept " * 120
    doc = document((("Strategie",), words, "paragraph"))
    chunks = chunk_document(doc, embedder.count_tokens, embedder.max_tokens)
    counts = embedder.count_tokens([embedding_input(doc.title, c) for c in chunks])
    assert len(chunks) > 1 and max(counts) <= embedder.max_tokens


def test_a_table_cut_to_fit_the_model_repeats_its_header_row():
    model = FakeEmbedder(max_tokens=60)  # the table does not fit one chunk of the model
    rows = "\n".join(f"Format {n} | wöchentlich, dienstags | {n}:00 Uhr | Raum {n}" for n in range(8))
    doc = document((("Termine",), f"Format | Rhythmus | Zeit | Ort\n{rows}", "table"))
    chunks = chunk_document(doc, model.count_tokens, model.max_tokens)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.splitlines()[0] == "Format | Rhythmus | Zeit | Ort"
    assert sum(chunk.text.count("| Raum ") for chunk in chunks) == 8  # every row once


def test_a_chunk_cut_to_fit_the_model_never_ends_with_a_heading():
    model = FakeEmbedder(max_tokens=70)  # the merged sections do not fit one chunk of the model
    doc = document(
        (("Einrichtung", "Schritt 1: Software prüfen"), "Öffnen Sie das Programm über das Startmenü. " * 3, "paragraph"),
        (("Einrichtung", "Schritt 2: Erstanmeldung"), "Melden Sie sich mit Ihrem Benutzernamen an. " * 3, "paragraph"),
        (("Einrichtung", "Schritt 3: Test"), "Rufen Sie das Intranet auf.", "paragraph"),
    )
    chunks = chunk_document(doc, model.count_tokens, model.max_tokens, min_words=120)
    assert len(chunks) > 1
    for chunk in chunks:
        assert "›" not in chunk.text.splitlines()[-1] and not chunk.text.splitlines()[-1].startswith("Schritt")
    # every step's text stands under its own heading
    texts = [line for chunk in chunks for line in chunk.text.splitlines()]
    for heading in ("Schritt 1: Software prüfen", "Schritt 2: Erstanmeldung", "Schritt 3: Test"):
        assert heading in texts and not texts[texts.index(heading) + 1].startswith("Schritt")
