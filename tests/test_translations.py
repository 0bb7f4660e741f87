"""English questions meet German documents through FreeDict's translations of their words."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from indexer import Index, IndexSettings, SearchSettings, build_index
from indexer.analysis import Analyzer
from indexer.translations import PER_WORD, Translations, parse_translations
from tests.fakes import FakeEmbedder

ENTRIES = {  # headword -> entry text as FreeDict writes it: pronunciation, then the translations
    "licence": "licence /lˈaɪsəns/\nLizenz <fem>, Genehmigung <fem>, Erlaubnis <fem>\n",
    "set up": "set up /sˈɛt ˈʌp/\netw. aufstellen <v, trans>, einrichten\n",
    "dataset": "dataset /dˈeɪtəsɛt/\nDatensatz <masc> [comp.]\n",
    "the": "the /ðə/\nder, die, das\n",
}
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _code(number: int) -> str:
    digits = ""
    while True:
        digits = _DIGITS[number % 64] + digits
        number //= 64
        if not number:
            return digits


@pytest.fixture
def dictionary(tmp_path: Path) -> Path:
    """A small dictd dictionary: `.index` (headword, base64 offset and length) beside `.dict.dz`."""
    body, lines = b"", []
    for headword, text in ENTRIES.items():
        raw = text.encode("utf-8")
        lines.append(f"{headword}\t{_code(len(body))}\t{_code(len(raw))}")
        body += raw
    index = tmp_path / "freedict-eng-deu.index"
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index.with_suffix(".dict.dz").write_bytes(gzip.compress(body))
    return index


def test_a_translation_line_gives_its_words_without_notes_and_placeholders():
    assert parse_translations("etw. aufstellen <v, trans>, einrichten") == ["aufstellen", "einrichten"]
    assert parse_translations("Adresse <fem> [comp.], Anschrift (einer Firma)") == ["Adresse", "Anschrift"]


def test_words_and_word_pairs_are_looked_up_also_as_singular(dictionary: Path, tmp_path: Path):
    translations = Translations(dictionary, cache_dir=tmp_path / "cache")
    assert translations.german("licence") == ["Lizenz", "Genehmigung", "Erlaubnis"]
    assert translations.german("set up") == ["aufstellen", "einrichten"]
    assert translations.german("datasets") == ["Datensatz"]
    assert translations.german("portal") == []
    # built once into the cache folder: a second instance reads the table
    assert len(list((tmp_path / "cache").glob("*.sqlite"))) == 1
    assert Translations(dictionary, cache_dir=tmp_path / "cache").german("licence")[0] == "Lizenz"


def test_only_terms_a_visible_document_holds_are_searched_and_only_a_few_per_word(dictionary: Path, tmp_path: Path):
    translations, analyzer = Translations(dictionary, cache_dir=tmp_path / "cache"), Analyzer()
    everything = translations.search_terms("Under which licence is the dataset published?", analyzer, lambda term: True)
    first = [analyzer.terms(word)[0] for word in ("Lizenz", "Genehmigung", "Erlaubnis", "Datensatz")]
    assert PER_WORD == 2 and everything == [first[0], first[1], first[3]]  # "the" is no content word
    hidden = translations.search_terms("Under which licence?", analyzer, lambda term: term != first[0])
    assert hidden == [first[1], first[2]]


def test_without_the_dictionary_there_are_no_translations(tmp_path: Path):
    assert Translations(tmp_path / "missing.index").german("licence") == []
    assert Translations(None).search_terms("Under which licence?", Analyzer(), lambda term: True) == []


def test_an_english_question_finds_the_german_document_through_translations(tmp_path: Path, dictionary: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # where the search keeps the table
    root = tmp_path / "knowledge"
    root.mkdir()
    (root / "open-data.md").write_text("---\ntitle: Lizenzen\n---\n\n"
                                       "Einrichten eines Datensatzes: Jeder Datensatz erhält eine Lizenz.\n")
    (root / "summary.md").write_text("---\ntitle: Summary\n---\n\nHow the city works.\n")
    for name, text in {"parken": "Sensoren melden freie Stellplätze.", "kantine": "Die Kantine öffnet um 11:30 Uhr.",
                       "urlaub": "Der Urlaub beträgt 30 Arbeitstage."}.items():
        (root / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n\n{text}\n")
    settings = IndexSettings(knowledge_dir=root, data_dir=tmp_path / "var", model="fake", progress=False,
                             unit_vectors=False)
    build_index(settings, embedder=FakeEmbedder("fake"))
    question = "How do I set up a dataset with a licence?"

    def german_page(dictionary: Path | None) -> tuple[int, bool]:
        """Rank of the German page, and whether the lexical side found it."""
        hits = Index(settings, SearchSettings(dictionary=dictionary), embedder=FakeEmbedder("fake")).search(question).hits
        rank = [hit.source for hit in hits].index("open-data.md")
        return rank, "lexical" in hits[rank].scores

    # Alone, the question's English words match no German word: only the (fake) embeddings rank it.
    (rank_alone, lexical_alone), (rank_translated, lexical_translated) = german_page(None), german_page(dictionary)
    assert not lexical_alone and lexical_translated and rank_translated < rank_alone
