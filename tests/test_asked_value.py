"""A document that never states the asked year or sum cannot answer the question."""
from indexer.asked_value import (asks_for_stated_value, asks_for_value, date_missing, lacks_asked_value,
                                  money_missing, numbers_missing, stated_value_missing, time_missing, years_missing)

TRAVEL = "Fahrten mit dem privaten Pkw werden nur erstattet, wenn sie vorher genehmigt wurden (Stand 2025)."
BUDGET = "Im Etat 2026 sind für die Sensorik noch 7.750 € frei; das Jobticket ist für Beschäftigte kostenlos."


def test_questions_for_a_sum_are_recognised():
    for question in ("Was kostet ein Anwohnerparkausweis?", "Wie hoch ist die Kilometerpauschale?",
                     "Wie viel zahlt die Stadt als Zuschuss?", "Ab welcher Kostenhöhe entscheidet der Lenkungskreis?",
                     "Welche Beträge sind angemeldet?", "How much per diem do I get?",
                     "Wie viel Kilometergeld gibt es?", "Wie hoch ist die Zulage für Rufbereitschaft?",
                     "Gibt die Stadt einen Zuschuss zum Jobticket, und wie hoch ist der?"):
        assert asks_for_value(question), question
    for question in ("Gibt es ein Fortbildungsbudget pro Kopf?", "Welche Universität erhielt einen Preis?",
                     "Welcher Satz prägt die Zahlentheorie?", "Wie melde ich mich für ein kostenpflichtiges Seminar an?",
                     "Gibt es einen Zuschuss, und wie viele Tage dauert der Antrag?"):
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


def test_a_named_number_must_be_in_the_document():
    assert numbers_missing("In welchem Jahr wurde die Behördennummer 115 eingeführt?", BUDGET)
    assert not numbers_missing("Wofür sind die 7.750 € gedacht?", BUDGET)  # "7.750" as the document writes it
    assert lacks_asked_value("Was gilt auf der Route 41?", "Die Route 99 führt nach Norden.")
    # small numbers are often spelt out, a clock time is a premise, a year has its own rule
    for question in ("Gibt es immer 4 Primzahlen?", "Gilt die Kernzeit bis 14 Uhr noch?", "Was galt 2027?"):
        assert not numbers_missing(question, "Vier Primzahlen; Kernzeit bis 15 Uhr."), question


def test_a_length_of_time_must_be_stated():
    question = "Wie lange werden die Rohdaten der Sensoren gespeichert?"
    assert asks_for_value(question)
    assert time_missing(question, "Die Sensoren senden alle zehn Minuten. Treffen: 10:00–11:30 Uhr.") is False
    assert time_missing(question, "Die Sensoren liefern Zählwerte. Treffen: 10:00–11:30 Uhr, Frist: 31.03.2026.")
    for stated in ("Rohdaten werden nach 30 Tagen gelöscht.", "Sie werden sechs vollen Monaten aufbewahrt.",
                   "Gespeichert wird bis Ende des Projekts.", "Die Daten bleiben dauerhaft im Archiv."):
        assert not time_missing(question, stated), stated


def test_opening_hours_need_a_time_of_day():
    question = "Wann hat die Kantine geöffnet?"
    assert time_missing(question, "Rundgang durch das Rathaus (Pforte, Kantine, Besprechungsräume).")
    assert not time_missing(question, "Die Kantine ist von 11:30 bis 14 Uhr geöffnet.")
    assert not time_missing("What time does the jour fixe start?", "Jour fixe: Tuesdays, 9:30")
    assert not asks_for_value("Wann hat der Rat das Konzept beschlossen?")  # any date may answer that


def test_the_next_date_must_be_named_in_the_answer():
    question = "Wann ist der nächste Termin der Digitalsprechstunde?"
    assert date_missing(question, "Daraus entstand die Idee von Digitalsprechstunden in Stadtteilbibliotheken.")
    assert not date_missing(question, "Die Digitalsprechstunde findet jeden ersten Dienstag im Monat statt.")
    assert not date_missing("Ab wann bauten sie das Reich wieder auf?", "als Deutschland begann, …")  # an event answers


def test_documents_that_state_the_asked_kind_of_value():
    assert asks_for_stated_value("Wie lange muss ich warten?") and not asks_for_stated_value("Was gilt 2026?")
    assert stated_value_missing("Wie lange muss ich warten?", "Bitte reichen Sie den Steckbrief ein.")
    assert not stated_value_missing("Wie lange muss ich warten?", "Eine Antwort kommt innerhalb von vier Wochen.")
