"""A document that never states the asked year or sum cannot answer the question."""
from indexer.asked_value import asks_for_value, lacks_asked_value, money_missing, years_missing

TRAVEL = "Fahrten mit dem privaten Pkw werden nur erstattet, wenn sie vorher genehmigt wurden (Stand 2025)."
BUDGET = "Im Etat 2026 sind für die Sensorik noch 7.750 € frei; das Jobticket ist für Beschäftigte kostenlos."


def test_questions_for_a_sum_are_recognised():
    for question in ("Was kostet ein Anwohnerparkausweis?", "Wie hoch ist die Kilometerpauschale?",
                     "Wie viel zahlt die Stadt als Zuschuss?", "Ab welcher Kostenhöhe entscheidet der Lenkungskreis?",
                     "Welche Beträge sind angemeldet?", "How much per diem do I get?"):
        assert asks_for_value(question), question
    for question in ("Gibt es ein Fortbildungsbudget pro Kopf?", "Welche Universität erhielt einen Preis?",
                     "Welcher Satz prägt die Zahlentheorie?", "Wie melde ich mich für ein kostenpflichtiges Seminar an?"):
        assert not asks_for_value(question), question


def test_a_sum_must_be_stated_or_the_thing_free():
    assert money_missing("Wie hoch ist die Kilometerpauschale?", TRAVEL)
    assert not money_missing("Wie viel Geld ist noch frei?", BUDGET)
    assert not money_missing("Was kostet das Jobticket?", "Das Jobticket ist kostenlos.")
    assert not money_missing("How much was the fee?", "The fee was 30 Mio. GBP a year.")
    assert money_missing("Wie hoch ist die Kilometerpauschale?", BUDGET, on_topic=False)  # a sum, but another one


def test_a_named_year_must_be_in_a_document_that_speaks_of_years():
    assert years_missing("Was ist im Etat 2027 frei?", BUDGET)
    assert not years_missing("Was ist im Etat 2026 frei?", BUDGET)
    assert not years_missing("Was galt 2027?", "Ein Text ganz ohne Jahreszahl.")
    assert lacks_asked_value("Wie viel kostet der Pkw 2025?", TRAVEL)
    assert not lacks_asked_value("Wann wurden Fahrten erstattet?", TRAVEL)
