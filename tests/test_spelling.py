"""Spelling tolerance: typos meet the index's terms, real words the index lacks stay what they are."""
from __future__ import annotations

from indexer.analysis import Analyzer
from indexer.spelling import Speller, common_word_terms, real_word_terms

TEXT = ("Der digitale Zwilling zeigt die Stadt. Der Verfall droht erst "
        "nach sechs Monaten. Genommen wird das Formular im Bürgerbüro. Die Datei wird erstellt. "
        "Lunch & Learn findet donnerstags statt. Frank Osterkamp meldet sich. "
        "Für Grenzwertmessungen sind die Sensoren nicht geeignet.")


def speller_and_analyzer() -> tuple[Speller, Analyzer]:
    analyzer = Analyzer(Analyzer.build_vocabulary([TEXT]))
    frequency: dict[str, int] = {}
    for term in analyzer.terms(TEXT):
        frequency[term] = frequency.get(term, 0) + 1
    return Speller(frequency), analyzer


def corrections(question: str) -> dict[str, str]:
    speller, analyzer = speller_and_analyzer()
    return speller.corrections(analyzer.question_terms(question), real_word_terms(question, analyzer))


def test_typos_meet_the_index_terms():
    found = corrections("was ist ein digitalr zwiling")
    assert found.get(Analyzer().terms("zwiling")[0]) == Analyzer().terms("Zwilling")[0]


def test_a_real_word_the_index_lacks_is_not_turned_into_another_word():
    # "Nummer" is no typo of "genommen", "München" none of "Lunch", "krank" none of "Frank" –
    # without knowing real words the speller would make exactly these corrections:
    speller, analyzer = speller_and_analyzer()
    assert speller.corrections(analyzer.question_terms("Nummer in München, krank")) == {
        "numm": "nomm", "munch": "lunch", "krank": "frank"}
    assert corrections("Unter welcher Nummer erreiche ich das Bürgerbüro?") == {}
    assert corrections("Wie komme ich nach München?") == {}
    assert corrections("Was tun, wenn ich krank bin?") == {}


def test_a_real_word_never_shrinks_to_a_shorter_term_than_four_letters():
    speller = Speller({"top": 5, "topfit": 1})
    assert speller.correct("topf", real=True) is None  # "Topf" is no "TOP" (Tagesordnungspunkt)
    assert speller.correct("topf") == "top"  # an unknown word may be a typo


def test_a_real_word_still_meets_its_inflected_form():
    speller, analyzer = speller_and_analyzer()
    (verfaellt,) = analyzer.terms("verfällt")
    assert corrections("Wann verfällt der Anspruch?").get(verfaellt) == analyzer.terms("Verfall")[0]


def test_a_word_the_documents_only_use_to_begin_a_compound_meets_that_compound():
    speller, analyzer = speller_and_analyzer()
    (grenzwert,) = analyzer.terms("Grenzwerte")
    assert corrections("Taugen die Sensoren, um Grenzwerte nachzuweisen?").get(grenzwert) == \
        analyzer.terms("Grenzwertmessungen")[0]
    assert speller.compound(analyzer.terms("Sensor")[0]) is None  # known: no compound needed
    assert speller.compound("zwil") is None  # too short to stand for one compound


def test_in_a_question_for_a_person_a_particle_verb_keeps_its_particle():
    speller = Speller({"sprech": 5, "ansprechperson": 3})
    # "Wen kann ich wegen Fördermitteln ansprechen?": "Sprechen Sie Jonas Becker an" is no answer;
    # the contact list's "Ansprechpersonen" is.
    assert speller.corrections(["ansprech"], ["ansprech"], whole_verbs=True) == {"ansprech": "ansprechperson"}
    # Elsewhere the verb stands for its family ("einloggen" – "loggen"), as before.
    assert speller.corrections(["ansprech"], ["ansprech"]) == {"ansprech": "sprech"}


def test_an_english_word_meets_a_german_term_only_by_letters_added_or_dropped():
    speller, analyzer = speller_and_analyzer()
    question = "Who drank lunch in the Verfal?"
    assert speller.corrections(analyzer.question_terms(question)) == {"drank": "frank", "verfal": "verfall"}
    assert speller.corrections(analyzer.question_terms(question), real_word_terms(question, analyzer, "en")) == {
        "verfal": "verfall"}  # "drank" is no typo of "Frank"


def test_everyday_words_are_told_from_specific_ones():
    # A synonym guessed for "gehen" or "gerade" is more often wrong than right; "Notebook" has one sense.
    analyzer = Analyzer()
    common = common_word_terms("Wie gehe ich gerade mit meinem Notebook beim Feierabend vor?", analyzer)
    assert {analyzer.terms("gehe")[0], analyzer.terms("gerade")[0]} <= common
    assert not {analyzer.terms("Notebook")[0], analyzer.terms("Feierabend")[0]} & common
