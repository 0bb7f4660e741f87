"""German sentence splitting keeps abbreviations, ordinals and references inside the sentence."""
import pytest

from indexer.sentences import split_sentences


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
