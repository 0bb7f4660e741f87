"""German lexical analysis: what the full-text side of the search treats as "the same word".

Index text and questions go through the same `Analyzer`; a question finds a chunk when they
share terms. These tests state the promises in that form: the question's terms intersect the
chunk's terms.
"""
from __future__ import annotations

import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.analysis import MAX_COMPOUND_CHARS, Analyzer, any_of

CORPUS = [
    "Die Digitalisierungsstrategie der Stadt Bochum wurde 2023 beschlossen.",
    "Eine Strategie für die Digitalisierung braucht die Beteiligung der Bürger.",
    "Die Bürgerbefragung zur Mobilität läuft bis Ende Mai. Jede Befragung ist anonym.",
    "Das Bürgerservice-Portal bündelt Service und Termine. Das Portal ist barrierefrei.",
    "Die Straße wird gesperrt, die Parkplätze bekommen Sensoren.",
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Analyzer.build_vocabulary(CORPUS))


def finds(analyzer: Analyzer, question: str, text: str) -> bool:
    return bool(set(analyzer.terms(question)) & set(analyzer.terms(text)))


# --- compounds ---------------------------------------------------------------------------------

def test_a_part_of_a_compound_finds_the_compound(analyzer: Analyzer) -> None:
    assert finds(analyzer, "Strategie", "Digitalisierungsstrategie")
    assert finds(analyzer, "Digitalisierung", "Digitalisierungsstrategie")


def test_a_compound_is_indexed_whole_and_by_its_parts(analyzer: Analyzer) -> None:
    stem = Analyzer(split_compounds=False).terms
    assert analyzer.terms("Bürgerbefragungen") == stem("Bürgerbefragung") + stem("Bürger") + stem("Befragung")
    assert analyzer.split_compound("Digitalisierungsstrategie") == ["digitalisierung", "strategie"]


def test_inflected_compounds_match(analyzer: Analyzer) -> None:
    assert finds(analyzer, "Bürgerbefragungen", "Bürgerbefragung")
    assert finds(analyzer, "Befragungen", "Die Bürgerbefragung")


def test_a_separable_verb_s_participle_meets_its_verb_and_noun(analyzer: Analyzer) -> None:
    assert finds(analyzer, "Wie stark sind die Straßen ausgelastet?", "Die Auslastung liegt bei 90 Prozent.")
    assert finds(analyzer, "eine eingereichte Projektidee", "Einreichung des Steckbriefs")
    assert finds(analyzer, "Was ist ausgefallen?", "Ein Ausfall")
    assert analyzer.terms("Angelegenheit") == Analyzer(split_compounds=False).terms("Angelegenheit")


def test_lowercase_questions_are_split_too(analyzer: Analyzer) -> None:
    """Users type in lower case; text without capitals gets no noun hint, so all words may split."""
    assert "strategi" in analyzer.terms("was steht in der digitalisierungsstrategie")


def test_only_capitalised_words_are_split_in_well_cased_text(analyzer: Analyzer) -> None:
    """German nouns are capitalised; adjectives are not split (no "polit-ische" → "tische")."""
    assert "strategi" in analyzer.terms("Die Digitalisierungsstrategie")
    assert "strategi" not in analyzer.terms("Die digitalisierungsstrategie")


def test_the_last_part_must_be_a_noun() -> None:
    vocabulary = Analyzer.build_vocabulary(["Die Stadt baut. Das Haus."])
    assert vocabulary >= {"Stadt", "baut", "Haus"}
    assert Analyzer(vocabulary).split_compound("Stadthaus") == ["stadt", "haus"]
    assert Analyzer(vocabulary).split_compound("Hausbaut") == []


def test_without_a_vocabulary_compounds_stay_whole() -> None:
    plain = Analyzer()
    assert plain.terms("Digitalisierungsstrategie") == ["digitalisierungsstrategi"]
    assert not finds(plain, "Strategie", "Digitalisierungsstrategie")


def test_hyphenated_compounds_give_the_parts_and_the_joined_word(analyzer: Analyzer) -> None:
    terms = analyzer.terms("Bürgerservice-Portal")
    assert "portal" in terms and "burgerserviceportal" in terms
    assert finds(analyzer, "Bürgerserviceportal", "Bürgerservice-Portal")
    assert finds(analyzer, "Portal", "Bürgerservice-Portal")


def test_build_vocabulary_keeps_nouns_capitalised() -> None:
    vocabulary = Analyzer.build_vocabulary(["Die Stadt plant digital. Digital ist gut.", "Die Stadt"])
    assert {"Stadt", "digital", "plant"} <= vocabulary
    assert "ist" not in vocabulary  # shorter than a compound part can be


# --- spelling variants, stop words, languages ----------------------------------------------------

@pytest.mark.parametrize(
    ("question", "text"),
    [("Strasse", "Straße"), ("Buerger", "Bürger"), ("Burger", "Bürger"), ("STRASSE", "straße"), ("Cafe", "Café")],
)
def test_umlaut_and_sharp_s_spellings_match(analyzer: Analyzer, question: str, text: str) -> None:
    assert analyzer.terms(question) == analyzer.terms(text)


def test_stop_words_are_dropped(analyzer: Analyzer) -> None:
    assert analyzer.terms("Wer ist für die Anmeldung zuständig?") == analyzer.terms("Anmeldung zuständig")
    assert analyzer.terms("What is the name of the portal?") == ["nam", "portal"]
    assert analyzer.terms("wäre") == [] and analyzer.terms("Ware") != []  # checked before folding
    assert analyzer.terms("Bürger*innen und Bürger:innen") == analyzer.terms("Bürger Bürger")
    # contracted prepositions and chat fillers are no unknown words that would lower the confidence
    assert analyzer.terms("wieviele Formate fürs Portal, ne, eigentlich?") == analyzer.terms("Formate Portal")


def test_noun_terms_are_those_of_capitalised_words_but_a_sentence_s_first(analyzer: Analyzer) -> None:
    assert analyzer.noun_terms("Wer kümmert sich um Fördermittel? Und wer prüft?") == set(analyzer.terms("Fördermittel"))
    assert analyzer.noun_terms("wer kümmert sich um fördermittel") == set(analyzer.terms("kümmert fördermittel"))


def test_english_words_still_produce_terms(analyzer: Analyzer) -> None:
    assert finds(analyzer, "parking sensors", "The parking sensor reports free spaces.")


def test_numbers_are_kept_single_letters_are_not(analyzer: Analyzer) -> None:
    assert analyzer.terms("Art. 5 Abs. 1 DSGVO, z. B. 2023") == ["art", "5", "abs", "1", "dsgvo", "2023"]


def test_terms_survive_the_unicode61_tokenizer_unchanged(analyzer: Analyzer) -> None:
    text = "Ærger? Naïve Übergangsgebühren für Café-Besitzer ﬁnden 6½ % „zu hoch“ – x² ≠ 3."
    for term in analyzer.terms(text):
        assert re.fullmatch(r"[a-z0-9]+", term) or not term.isascii(), term


def test_index_text_is_the_terms_joined_by_spaces(analyzer: Analyzer) -> None:
    text = "Die Digitalisierungsstrategie und die Strategie"
    assert analyzer.index_text(text) == " ".join(analyzer.terms(text))
    assert analyzer.index_text("und oder die") == ""


def test_reading_is_thread_safe(analyzer: Analyzer) -> None:
    texts = CORPUS * 50
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(analyzer.terms, texts))
    assert results == [analyzer.terms(text) for text in texts]


# --- match expressions ---------------------------------------------------------------------------

@pytest.fixture
def fts(analyzer: Analyzer) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body)")
    rows = [(i, analyzer.index_text(f"Dokument {i}"), analyzer.index_text(text)) for i, text in enumerate(CORPUS)]
    rows.append((99, "title", analyzer.index_text("NOT near AND or title geheim x")))
    db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", rows)
    return db


def match(analyzer: Analyzer, query: str) -> str | None:
    """The MATCH expression the search runs for a question (see indexer/lexical.py)."""
    return any_of(analyzer.query_terms(query))


def search(db: sqlite3.Connection, expression: str | None) -> list[int]:
    if expression is None:
        return []
    sql = "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 3.0, 1.0) LIMIT 10"
    return [row[0] for row in db.execute(sql, (expression,))]


def test_match_expression_ors_distinct_quoted_terms(analyzer: Analyzer) -> None:
    assert match(analyzer, "Portal? Das Portal!") == '"portal"'
    assert match(analyzer, "Strategie Bochum") == '"strategi" OR "bochum"'
    assert analyzer.query_terms("Strategie Bochum", extra=["bochum", "stadt"]) == ["strategi", "bochum", "stadt"]


def test_match_expression_is_none_without_terms(analyzer: Analyzer) -> None:
    for query in ["", "   ", "?!", "Was ist das?", "und oder nicht"]:
        assert match(analyzer, query) is None


def test_questions_find_their_chunk_through_fts5(analyzer: Analyzer, fts: sqlite3.Connection) -> None:
    assert search(fts, match(analyzer, "Gibt es eine Strategie?"))[:2] == [1, 0]
    assert search(fts, match(analyzer, "Wie lange laufen Befragungen?"))[0] == 2
    assert search(fts, match(analyzer, "Wo ist das Bürgerserviceportal?"))[0] == 3


@pytest.mark.parametrize(
    "hostile",
    [
        '"OR (NOT) AND* ^x: "',
        'Strategie" OR "',
        '"unbalanced',
        "((( Portal",
        "Portal)",
        "NEAR(Portal Service, 2)",
        "title:geheim",
        "{title body}: geheim",
        "^Portal*",
        "- Portal + Service",
        "AND",
        "Portal AND NOT Service",
        "\x00 Portal \x1b[31m",
    ],
)
def test_hostile_questions_are_plain_text(analyzer: Analyzer, fts: sqlite3.Connection, hostile: str) -> None:
    expression = match(analyzer, hostile)
    search(fts, expression)  # must not raise
    if expression is not None:
        assert all(re.fullmatch(r'"[^"]+"', part) for part in expression.split(" OR "))


def test_fts5_operators_in_questions_are_ordinary_words(analyzer: Analyzer, fts: sqlite3.Connection) -> None:
    # "title:geheim" is no column filter: it searches the words "title" and "geheim" anywhere
    assert search(fts, match(analyzer, "title:geheim")) == [99]
    assert search(fts, match(analyzer, "Portal AND NOT Service"))[0] == 3


def test_overlong_words_are_not_split_and_real_compounds_still_are() -> None:
    analyzer = Analyzer({"Verwaltung", "Digitalisierung", "Strategie"})
    assert analyzer.split_compound("Verwaltungsdigitalisierungsstrategie") == ["verwaltung", "digitalisierung", "strategie"]
    longest = "Verwaltungs" * ((MAX_COMPOUND_CHARS - 9) // 11) + "strategie"
    assert analyzer.split_compound(longest)[-1] == "strategie"
    assert analyzer.split_compound("Verwaltungs" * 10_000 + "strategie") == []


@pytest.mark.parametrize("question, verb", [
    ("Wie reiche ich die Idee ein?", "Einreichung"),
    ("Wie melde ich mich zum Seminar an?", "anmelden"),
    ("Wie gehen wir vor, wenn eine Leistung online gehen soll?", "Vorgehen"),
    ("Ich habe eine Idee für mein Amt – wie reiche ich die ein?", "Einreichung"),
])
def test_a_separated_verb_is_also_searched_whole(analyzer: Analyzer, question: str, verb: str) -> None:
    assert analyzer.terms(verb)[0] in analyzer.question_terms(question)


def test_a_hyphen_inside_a_word_ends_no_clause(analyzer: Analyzer) -> None:
    assert analyzer.terms("anmelden")[0] in analyzer.question_terms("Wie melde ich Open-Data-Sätze an?")


def test_an_unknown_particle_verb_is_also_searched_as_its_known_verb() -> None:
    analyzer = Analyzer({"lesen", "Nachrichten", "genommen"})
    assert "les" in analyzer.question_terms("muss ich nach feierabend in telegram mitlesen")
    # a participle is not a particle verb, and a verb the documents use stays as it is
    assert analyzer.question_terms("Wird es mitgenommen?") == analyzer.terms("Wird es mitgenommen?")
    assert Analyzer({"mitlesen", "lesen"}).question_terms("mitlesen") == ["mitles"]
