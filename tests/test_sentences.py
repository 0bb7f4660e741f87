"""German sentence splitting keeps abbreviations, ordinals and references inside the sentence."""
from pathlib import Path

import pytest

from indexer.sentences import MAX_SENTENCE_CHARS, quotation_spans, split_sentences

from tests import reference_sentences as reference
from tests.conftest import SAMPLE_KNOWLEDGE

LAWS = Path("/work/shared/corpora/gesetze-sample")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Das gilt z. B. für Anträge. Danach folgt mehr.", ["Das gilt z. B. für Anträge.", "Danach folgt mehr."]),
        ("Siehe § 3 Abs. 2 Nr. 1. Das ist neu.", ["Siehe § 3 Abs. 2 Nr. 1.", "Das ist neu."]),
        ("Am 3. Oktober wurde sie gegründet. Sie wuchs.", ["Am 3. Oktober wurde sie gegründet.", "Sie wuchs."]),
        ("Das war im Jahr 2021. Dann kam 2022.", ["Das war im Jahr 2021.", "Dann kam 2022."]),
        ("Dr. Müller und Prof. Schmidt kommen u. a. mit Frau Meier bzw. Herrn Kaya.",
         ["Dr. Müller und Prof. Schmidt kommen u. a. mit Frau Meier bzw. Herrn Kaya."]),
        ("Vgl. S. 4 und Art. 5. Ende.", ["Vgl. S. 4 und Art. 5.", "Ende."]),
        ("Wirklich? Ja! Gut.", ["Wirklich?", "Ja!", "Gut."]),
        ("It works. Does it? Yes.", ["It works.", "Does it?", "Yes."]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_empty_text_has_no_sentences():
    assert split_sentences("  \n ") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Es gilt der „Leitfaden Nr. 2. Fassung“ der Stadt. Danach mehr.",
         ["Es gilt der „Leitfaden Nr. 2. Fassung“ der Stadt.", "Danach mehr."]),
        ("Er sagte: „Wir kommen. Alle sind dabei.“ Dann ging er.",
         ["Er sagte: „Wir kommen. Alle sind dabei.“", "Dann ging er."]),
        ('Das Motto "Bochum. Zukunftsfähig. Bürgernah." gilt. Es ist neu.',
         ['Das Motto "Bochum. Zukunftsfähig. Bürgernah." gilt.', "Es ist neu."]),
        ("Sie las »Teil 1. Grundlagen« gern. Gut.", ["Sie las »Teil 1. Grundlagen« gern.", "Gut."]),
        ("Ein Zoll-Zeichen 5\" Rohr. Danach „offen. Kein Ende", ['Ein Zoll-Zeichen 5" Rohr.', "Danach „offen.", "Kein Ende"]),
        ("Zuständig ist die Abt. Finanzen. Sie hilft.", ["Zuständig ist die Abt. Finanzen.", "Sie hilft."]),
        ("Das kostet ca. 5 Mio. Euro im Jahr. Viel.", ["Das kostet ca. 5 Mio. Euro im Jahr.", "Viel."]),
        ("Siehe Hauptstr. 5 in Bochum bzw. Art. 3 Satz 2. Fertig.",
         ["Siehe Hauptstr. 5 in Bochum bzw. Art. 3 Satz 2.", "Fertig."]),
        ("Gem. Anl. 2 gilt das. Weiter.", ["Gem. Anl. 2 gilt das.", "Weiter."]),
    ],
)
def test_no_cut_inside_a_quotation_or_after_an_abbreviation(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "." * 200_000,
        ". " * 100_000,
        "A. " * 100_000,
        "„" * 100_000 + " Text.",
        "Wort " * 100_000,
        "Verwaltungsdigitalisierung" * 4_000,
    ],
)
def test_hostile_text_gives_bounded_sentences_and_loses_no_character(text):
    sentences = split_sentences(text)
    assert all(0 < len(sentence) <= MAX_SENTENCE_CHARS for sentence in sentences)
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")


def _paragraphs() -> list[str]:
    laws = sorted(LAWS.glob("*.md"))[::4] if LAWS.is_dir() else []
    files = sorted(SAMPLE_KNOWLEDGE.rglob("*.md")) + laws
    return [line for path in files for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _cuts(sentences: list[str]) -> set[int]:
    """Offsets in the normalised text where one sentence ends and the next begins."""
    offsets, position = set(), 0
    for sentence in sentences[:-1]:
        position += len(sentence) + 1
        offsets.add(position)
    return offsets


def test_same_sentences_as_before_except_inside_quotations():
    """The linear splitter cuts real text (sample knowledge base, law texts) exactly where the old
    quadratic one did, except that it no longer cuts inside a quotation."""
    paragraphs = _paragraphs()
    assert len(paragraphs) > 10_000
    merged = 0
    for paragraph in paragraphs:
        old, new = reference.split_sentences(paragraph), split_sentences(paragraph)
        if old == new:
            continue
        text = " ".join(paragraph.split())
        assert " ".join(new) == text == " ".join(old)
        assert _cuts(new) <= _cuts(old), paragraph
        spans = quotation_spans(text)
        for cut in _cuts(old) - _cuts(new):
            assert any(start < cut < end for start, end in spans), paragraph
        merged += 1
    assert 0 < merged < len(paragraphs) / 1000
