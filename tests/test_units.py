"""Answer units: what a reply may consist of, cut from a chunk's layout."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.analysis import Analyzer
from indexer.answer import QUESTION_HEADING_MARGIN, AnswerChoice, AnswerPicker, Candidate, whole_text
from indexer.question_form import name_missing, product_name_missing, question_form, unit_fits
from indexer.units import render_row, split_units


def answer(question: str, text: str, title: str = "Dokument", heading_path: str = "") -> AnswerChoice:
    """The answer a picker without embeddings chooses from one chunk: only the words decide."""
    analyzer = Analyzer()
    picker = AnswerPicker(analyzer, {}, chunks=10)
    return picker.choose(set(analyzer.question_terms(question)), question_form(question),
                         [Candidate(1, 1, text, heading_path, title, prior=1.0)])

PHONE_LIST = """Zentrale Erreichbarkeit
- Geschäftsstelle · Durchwahl -4100 (Mo–Fr 9–15 Uhr)
Leitung ------- Chief Digital Officer (CDO) Sekretariat Durchwahl -4101"""


def texts(text: str, heading: str = "") -> list[tuple[str, str]]:
    return [(unit.kind, unit.text) for unit in split_units(text, heading)]


def test_a_paragraph_becomes_sentences():
    assert texts("Die SCIU wurde 2019 gegründet. Sie gehört zum Dezernat des CDO.") == [
        ("sentence", "Die SCIU wurde 2019 gegründet."), ("sentence", "Sie gehört zum Dezernat des CDO.")]


def test_a_table_row_is_rendered_with_its_column_headers():
    two = "Regel | Zeit\nFunktionszeit | 9:00–15:00 Uhr"
    assert texts(two) == [("row", "Funktionszeit: 9:00–15:00 Uhr")]
    three = "Format | Rhythmus | Uhrzeit\nLunch & Learn | donnerstags | 12:15 Uhr"
    assert texts(three) == [("row", "Lunch & Learn – Rhythmus: donnerstags; Uhrzeit: 12:15 Uhr")]
    assert render_row(None, ["a", "b"]) == "a · b"


def test_a_repeated_header_and_a_separator_row_are_no_units():
    table = "Thema | Person\n--- | ---\nVPN | Jonas Becker\nThema | Person\nParken | Daniel Yilmaz"
    assert [unit for unit in texts(table) if unit[0] == "row"] == [("row", "VPN: Jonas Becker"), ("row", "Parken: Daniel Yilmaz")]


def test_a_table_s_first_column_is_a_listing_under_its_heading():
    text = "Die fünf Kompetenzen (Profilbereiche)\nKompetenz | Kurzbeschreibung\nTalentschmiede | Bildung.\nHotspot der Live-Kultur | Theater."
    units = texts(text)
    assert ("listing", "Die fünf Kompetenzen (Profilbereiche)\n- Talentschmiede\n- Hotspot der Live-Kultur") in units
    assert ("sentence", "Die fünf Kompetenzen (Profilbereiche)") not in units  # a heading may end in ")"


def test_a_question_starting_a_paragraph_is_read_with_its_answer():
    units = texts("Kostet das etwas? Für Fachbereiche entstehen keine Kosten.\nDie Patenschaft hilft. Wo gibt es Kaffee? Im Foyer.")
    assert ("qa", "Kostet das etwas? Für Fachbereiche entstehen keine Kosten.") in units
    assert ("sentence", "Für Fachbereiche entstehen keine Kosten.") in units  # the answer alone, too
    assert ("question", "Wo gibt es Kaffee?") in units and ("sentence", "Wo gibt es Kaffee?") not in units


def test_a_whole_short_document_reads_each_paragraph_once():
    units = split_units("Kostet das etwas? Nein. Es ist frei.\nWo gibt es Kaffee? Im Foyer.\n- Erstens\n- Zweitens")
    assert whole_text(units) == "Kostet das etwas? Nein. Es ist frei.\nWo gibt es Kaffee? Im Foyer.\n- Erstens\n- Zweitens"


def test_sentences_of_a_paragraph_are_numbered_in_reading_order():
    units = split_units("Eins ist gut. Zwei ist besser. Drei ist am besten.\nVier folgt.")
    assert [u.position for u in units] == [0, 1, 2, 3] and [u.line for u in units] == [0, 0, 0, 1]


def test_steps_under_their_heading_are_one_unit_and_each_item_one_more():
    text = "Kurzantwort\nSie beantragen es im Portal.\nSchritt für Schritt\n- Formular wählen.\n- Kostenstelle eintragen.\n- Absenden."
    units = split_units(text, "")
    steps = [u for u in units if u.kind == "steps"]
    assert len(steps) == 1 and steps[0].text == "Schritt für Schritt\n- Formular wählen.\n- Kostenstelle eintragen.\n- Absenden."
    assert [u.text for u in units if u.kind == "item"] == ["Formular wählen.", "Kostenstelle eintragen.", "Absenden."]
    assert units[0].heading == "Kurzantwort" and steps[0].heading == "Schritt für Schritt"


def test_a_paragraph_ending_in_a_colon_introduces_its_list():
    units = split_units("Mitbringen sollten Sie:\n- Personalausweis\n- Steuer-ID", "Erster Tag")
    assert [u.text for u in units if u.kind == "steps"] == ["Mitbringen sollten Sie:\n- Personalausweis\n- Steuer-ID"]


def test_never_a_bare_heading_a_raw_row_or_a_rule_line():
    text = "Häufige Fragen › Wer bekommt ein Diensthandy?\nAlle Beschäftigten der SCIU.\nStandards\nThema | Standard\nLizenz | dl-de/by-2-0\n" + PHONE_LIST
    for kind, unit in texts(text):
        assert unit not in {"Häufige Fragen › Wer bekommt ein Diensthandy?", "Standards", "Zentrale Erreichbarkeit"}
        assert " | " not in unit and "-------" not in unit, unit
    assert ("sentence", "Leitung Chief Digital Officer (CDO) Sekretariat Durchwahl -4101") in texts(text)


def test_a_masthead_line_is_no_unit_and_a_numbered_section_title_is_a_heading():
    text = ("Merkblatt Datenschutz (SCIU) - Stand: 12.05.2026 - Verantwortlich: Jonas Becker (@jonas_becker)\n"
            "1. Zweck dieses Merkblatts\nSensoren liefern Daten.\n"
            "2. Checkliste\n- Zweck festlegen.\n- Speicherdauer festlegen.\n"
            "Ersatz beschaffen | Aylin Demir | 31.03.2026")
    units = split_units(text)
    assert not any("Stand:" in unit.text or "Zweck dieses" in unit.text for unit in units)
    assert [(u.heading, u.text) for u in units if u.kind == "sentence"] == [("1. Zweck dieses Merkblatts", "Sensoren liefern Daten.")]
    assert {u.heading for u in units if u.kind == "item"} == {"2. Checkliste"}
    assert any(u.kind == "row" and "Aylin Demir" in u.text for u in units)


def test_question_forms():
    assert question_form("Wer ist für Smart Parking zuständig?").person
    assert question_form("Welche Durchwahl hat das Sekretariat?").phone
    assert question_form("Bis wann muss der Bericht vorliegen?").time
    assert question_form("Welche Termine hat das Wandelteam?").time
    # "Online-Terminvergabe" names a topic: the person is asked for, not a date beside them
    assert not question_form("Wer ist Ansprechperson für die Online-Terminvergabe?").time
    assert question_form("Wie viele Datensätze hat das Portal?").amount
    # a degree is a figure too: "über 90 Prozent", "über 95 Prozent"
    assert question_form("Wie stark sind die Stellplätze tagsüber belegt?").amount
    assert question_form("How reliable are the ground sensors?").amount
    assert question_form("Wie beantrage ich ein Diensthandy?").steps
    assert question_form("Was muss ich beim Datenschutz vorher alles erledigen?").steps
    assert question_form("nextcloud freigabe fuer externe, was muss ich beachten").steps
    assert not question_form("Was muss ich für das Jobticket zahlen?").steps
    assert question_form("welche kompetenzen gibts in der strategie").listing == "kompetenzen"
    assert question_form("Which formats are there for open data?").listing
    assert not question_form("Welche Durchwahl hat das Sekretariat?").listing
    assert question_form("Wie viele Gleittage gibt es, und wie viele Minusstunden darf ich haben?").parts == 2
    assert question_form("Who is the contact person for parking?").english
    assert not question_form("Wer leitet die SCIU?").english


def test_a_unit_fits_the_form_of_the_question():
    people = frozenset({"Aylin Demir"})
    assert unit_fits(question_form("Wer betreut LoRaWAN?"), "LoRaWAN, Sensorik: Aylin Demir", people) == 1.0
    assert unit_fits(question_form("Wer betreut LoRaWAN?"), "Das Netz deckt die Innenstadt ab.", people) == 0.0
    assert unit_fits(question_form("Wann ist der Jour fixe?"), "dienstags, 9:30–10:30 Uhr") == 1.0
    assert unit_fits(question_form("Wie viele Sensoren gibt es?"), "Es gibt rund 130 Sensoren.") == 1.0
    assert unit_fits(question_form("Welche Durchwahl hat der Personalrat?"), "Personalrat · Durchwahl -3200") == 1.0
    assert unit_fits(question_form("Wo stelle ich mein Fahrrad ab?"), "Fahrräder stehen im Innenhof.") == 1.0
    assert unit_fits(question_form("Wo stelle ich mein Fahrrad ab?"), "Fahrräder sind willkommen.") == 0.0
    # Whom to turn to is not answered by a list of those present; who was there is.
    present, two = "Teilnehmende: Lena Hoffmann (Koordination), Nora Schmidt (Kommunikation)", frozenset({"Lena Hoffmann", "Nora Schmidt"})
    assert unit_fits(question_form("Wen frage ich zum Wandelteam?"), present, two) == 0.0
    assert unit_fits(question_form("Wer war beim Wandelteam dabei?"), present, two) == 1.0
    assert unit_fits(question_form("Wen frage ich zum Wandelteam?"), "Wandelteam – Ansprechpersonen: Lena Hoffmann, Nora Schmidt", two) == 1.0


def test_steps_are_named_by_their_heading_for_how_to_questions():
    # The heading "Einrichtung" names what "Wie richte ich … ein?" asks for: for steps it counts in
    # full, as their own words do; for other questions (and other units) a heading counts half.
    analyzer = Analyzer()
    picker = AnswerPicker(analyzer, {}, chunks=10)
    text = "Erstanmeldung\n1. Programm öffnen.\n2. Anmelden.\n3. In der App bestätigen."
    candidate = Candidate(1, 1, text, "Einrichtung", "VPN", prior=1.0)
    question = "Wie richte ich den Zugang ein?"
    terms = set(analyzer.question_terms(question))

    def steps_coverage(form) -> float:
        return next(s.coverage for s in picker.scored_units(terms, form, [candidate]) if s.unit.kind == "steps")

    asked = question_form(question)
    assert asked.steps
    assert steps_coverage(asked) == 2 * steps_coverage(question_form("Was steht zum Zugang unter Einrichtung?"))


VPN_SETUP = """Einrichtung › Schritt 1: Software prüfen
Öffnen Sie das Programm „Stadt Bochum VPN“ über das Startmenü. Fehlt es, starten Sie den Laptop neu.
Einrichtung › Schritt 2: Erstanmeldung
- Programm öffnen und auf „Anmelden“ klicken.
- Die Anmeldung in der Authenticator-App bestätigen.
Einrichtung › Schritt 3: Test
Rufen Sie das Intranet auf. Wird die Startseite angezeigt, funktioniert die Verbindung.
Tägliche Nutzung
- Außerhalb des Rathausnetzes verbindet sich der Laptop automatisch.
- Einmal pro Arbeitstag ist eine Bestätigung in der App erforderlich."""


def test_steps_that_are_sections_are_one_procedure_under_their_parent_heading():
    # Each step brings its list items whole and its paragraph's first sentence.
    procedures = [unit for unit in split_units(VPN_SETUP) if unit.kind == "procedure"]
    assert [(unit.heading, unit.text) for unit in procedures] == [("Einrichtung", (
        "Einrichtung\n"
        "- Schritt 1: Software prüfen – Öffnen Sie das Programm „Stadt Bochum VPN“ über das Startmenü.\n"
        "- Schritt 2: Erstanmeldung – Programm öffnen und auf „Anmelden“ klicken. "
        "Die Anmeldung in der Authenticator-App bestätigen.\n"
        "- Schritt 3: Test – Rufen Sie das Intranet auf."))]
    # One step alone is no procedure; nor are sections without step numbers.
    assert not [u for u in split_units(VPN_SETUP.split("Einrichtung › Schritt 2")[0]) if u.kind == "procedure"]
    assert not [u for u in split_units("A › Ziel\nDas Ziel.\nA › Weg\nDer Weg.") if u.kind == "procedure"]


def test_a_how_to_question_is_answered_by_the_procedure_its_heading_names():
    # "Wie richte ich … ein?" – the section "Einrichtung" names what is asked, as a list's title
    # names the things an enumeration asks for; "Wie teste ich …?" is not named by it.
    analyzer = Analyzer()
    picker = AnswerPicker(analyzer, {}, chunks=10)

    def procedure_named(question: str, translated: frozenset[str] = frozenset()) -> bool:
        scored = picker.scored_units(set(analyzer.question_terms(question)), question_form(question),
                                     [Candidate(1, 1, VPN_SETUP, "", "VPN", prior=1.0)], translated=translated)
        return next(s.names_asked for s in scored if s.unit.kind == "procedure")

    assert procedure_named("Wie richte ich das VPN auf dem Laptop ein?")
    assert not procedure_named("Wie teste ich das VPN auf dem Laptop?")
    # An English question names it through the German translations of its words ("set up" → "einrichten").
    assert not procedure_named("How do I set up the VPN?")
    assert procedure_named("How do I set up the VPN?", frozenset(analyzer.terms("einrichten")))
    assert answer("Wie richte ich das VPN auf dem Laptop ein?", VPN_SETUP).text.startswith("Einrichtung\n- Schritt 1")


def test_a_whole_short_document_shows_a_procedure_s_steps_once():
    assert "Schritt 1: Software prüfen –" not in whole_text(split_units(VPN_SETUP))


def test_a_number_may_be_spelt_out_in_german_or_english():
    assert unit_fits(question_form("Wie viele Sensoren sind ausgefallen?"), "Vier Geräte sind ausgefallen.") == 1.0
    assert unit_fits(question_form("How many sensors failed?"), "Four sensors failed after the winter.") == 1.0
    assert unit_fits(question_form("How many sensors failed?"), "The sensors failed after the winter.") == 0.0


def test_by_when_is_also_answered_by_a_span():
    span = "Beachten Sie die Ausschlussfrist von sechs Monaten nach Ende der Reise."
    assert unit_fits(question_form("Bis wann muss ich die Reisekosten abrechnen?"), span) == 1.0
    # "Wann" alone asks for a point in time: a span is no answer to "Wann ist die Digitalwerkstatt?"
    assert unit_fits(question_form("Wann ist die Digitalwerkstatt?"), "Sie dauert zwei Stunden lang.") == 0.0


def test_a_name_question_needs_a_name_in_the_answer():
    people = frozenset({"Lena Hoffmann"})
    assert name_missing("Wie heißt unser CDO eigentlich mit Namen?", "CDO steht für Chief Digital Officer.", people)
    assert not name_missing("Wie heißt die Leiterin der Koordination?", "Koordination: Lena Hoffmann", people)
    assert not name_missing("Wie heißt das Projekt?", "Es heißt Smart Parking.", people)  # a thing, not a person


def test_a_question_for_a_model_or_brand_needs_a_name_in_the_answer():
    chosen = "Es gibt ein Standardmodell, das regelmäßig vom IT-Einkauf festgelegt wird."
    assert product_name_missing("Welches Handymodell bekommt man als Standard-Diensthandy?", chosen)
    assert product_name_missing("welches handy ist das standardmodell, iphone oder android?", chosen)
    assert product_name_missing("Which phone model do we get?", "The standard model is chosen by IT purchasing.")
    assert not product_name_missing("Welches Handymodell bekommt man?", "Derzeit ist es das Fairphone 5.")
    # the question's own names do not answer it
    assert product_name_missing("Welches Modell ist Standard, das Fairphone oder ein anderes?", "Das Fairphone ist robust.")
    assert not product_name_missing("Wer gibt die Diensthandys aus?", chosen)


def test_how_long_wants_a_length_of_time_not_any_date():
    form = question_form("Wie lange ist eine VPN-Sitzung gültig?")
    assert form.duration and unit_fits(form, "Die Sitzung endet nach 12 Stunden.") == 1.0
    assert unit_fits(form, "Seit dem Frühjahr 2025 gilt ein neuer Zugang.") < 1.0  # a number, but no length of time
    assert not question_form("Wie lang muss mein Passwort sein?").duration  # a length, not a time


def test_a_sentence_that_leans_on_the_one_before_brings_it_along():
    text = ("Die Stadtbibliothek hat montags geschlossen. Az-Zahrawi war ein Arzt in Córdoba. "
            "Sein Liber servitoris erklärt die Herstellung von Arzneimitteln.")
    choice = answer("Wer erklärt im Liber servitoris die Herstellung von Arzneimitteln?", text, "Medizin")
    assert choice.text == "Az-Zahrawi war ein Arzt in Córdoba.\nSein Liber servitoris erklärt die Herstellung von Arzneimitteln."

    pointing = ("Sauerstoffkammern erhöhen den Partialdruck. "
                "Vergiftungen werden mithilfe dieser Geräte behandelt, wie Ärzte in Bochum berichten.")
    choice = answer("Welches Gerät behandelt Vergiftungen, wie Ärzte in Bochum berichten?", pointing, "Medizin")
    assert choice.text.startswith("Sauerstoffkammern erhöhen den Partialdruck.")


def test_a_paragraph_that_announces_a_list_brings_the_list_along():
    question = "Was kam bei der letzten Bürgerbefragung heraus?"
    paragraph = ("Die Ergebnisse werden im Rat vorgestellt. Einmal jährlich führt die Stadt eine Bürgerbefragung durch. "
                 "Zentrale Ergebnisse der letzten Befragung:\n- Die Online-Terminvergabe ist das bekannteste Angebot.\n")
    for text in (
        paragraph + "- Ältere wünschen sich Hilfe vor Ort.\nDie Bürgerbefragung wird von der Statistikstelle ausgewertet.",
        paragraph,  # the chunk ends after the list's first item: the list goes on in the next chunk
    ):
        choice = answer(question, text, "Bürgerservices")
        assert "Zentrale Ergebnisse der letzten Befragung:\nDie Online-Terminvergabe ist das bekannteste Angebot." in choice.text
        assert choice.text.count("Zentrale Ergebnisse") == 1


def test_a_list_of_options_is_no_steps_for_a_how_to_question():
    text = ("Fortbildungen › Welche Fortbildungen sind möglich?\n- Pflichtschulungen im Lernportal\n"
            "- Externe Fachseminare und Konferenzen\nFortbildungen › Wie beantrage ich eine externe Fortbildung?\n"
            "Über das Formular „Fortbildungsantrag“ in Confluence.")
    choice = answer("Wie beantrage ich eine Konferenz als Fortbildung?", text, "FAQ")
    assert choice.kind != "steps" and "Über das Formular „Fortbildungsantrag“" in choice.text


def test_a_list_of_reasons_is_no_steps_for_a_how_to_question():
    text = ("Warum offene Daten?\n- Transparenz: Verwaltungshandeln wird nachvollziehbar.\n"
            "- Innovation: Start-ups entwickeln eigene Anwendungen mit den Daten.\n"
            "So kommt ein Datensatz ins Portal\n- Meldung: Der Fachbereich meldet den Datensatz.\n"
            "- Prüfung: Die SCIU prüft den Datensatz mit der Datenschutzbeauftragten.")
    choice = answer("Wir wollen Daten im Portal veröffentlichen. Wie gehen wir vor?", text, "Open-Data-Portal")
    assert choice.kind == "steps" and "Meldung" in choice.text and "Transparenz" not in choice.text


def test_a_short_answer_takes_in_the_rest_of_its_short_paragraph():
    text = ("Termine für das Straßenverkehrsamt können online gebucht werden. Buchende erhalten eine Bestätigung "
            "per E-Mail.\nDie Kantine im Erdgeschoss öffnet mittags.")
    choice = answer("kann man beim strassenverkehrsamt online einen termin buchen", text, "Bürgerservices")
    assert "Bestätigung per E-Mail" in choice.text and "Kantine" not in choice.text


def test_a_unit_with_what_the_question_asks_for_goes_first_among_companions():
    text = ("Der erste Tag beginnt mit einer Begrüßung durch die Koordination und einem langen Rundgang durch alle "
            "Räume des Hauses, die Sie am ersten Tag und in den Tagen danach kennenlernen.\n"
            "Am ersten Tag erhalten Sie Laptop und Dienstausweis von der Koordination, die Ihnen auch alle Konten "
            "einrichtet und jede Frage zum ersten Tag beantwortet.\n"
            "Am ersten Tag gibt es ein gemeinsames Mittagessen mit dem ganzen Team und danach eine lange Einführung "
            "in alle Werkzeuge, die wir am ersten Tag brauchen.\n"
            "- Ankunft: 9:00 Uhr an der Pforte des Rathauses.")
    choice = answer("Wann und wo muss ich am ersten Tag sein?", text, "Willkommen", "Ihr erster Tag")
    assert "9:00 Uhr an der Pforte" in choice.text


def test_a_question_for_a_person_gets_the_row_for_its_topic_not_the_rows_around_it():
    contacts = ("| Thema | Ansprechperson | Telegram |\n| --- | --- | --- |\n"
                "| Onboarding, Termine, Räume | Lena Hoffmann | @lena_hoffmann |\n"
                "| Haushalt, Fördermittel, Beschaffung | Sabine Krämer | @sabine_kraemer |\n"
                "| Online-Terminvergabe, E-Akte | Elif Aydin | @elif_aydin |\n"
                "| Smart Parking | Daniel Yilmaz | @daniel_yilmaz |")
    choice = answer("Wer kümmert sich bei uns um Fördermittel?", contacts, "Ansprechpersonen", "Innerhalb der SCIU")
    assert "Sabine Krämer" in choice.text
    assert not any(name in choice.text for name in ("Lena Hoffmann", "Elif Aydin", "Daniel Yilmaz"))


def test_a_line_answer_takes_a_third_line_only_if_it_scores_nearly_as_well():
    deadlines = ("| Aufgabe | Frist |\n| --- | --- |\n"
                 "| Pflichtschulung Datenschutz erledigt | 4 Wochen nach Beginn |\n"
                 "| Pflichtschulung Informationssicherheit erledigt | 4 Wochen nach Beginn |\n"
                 "| Pflichtschulung Brandschutz erledigt | 8 Wochen nach Beginn |\n"
                 "| Pflichtschulung Arbeitsschutz erledigt | 12 Wochen nach Beginn |")
    choice = answer("Bis wann muss die Pflichtschulung Datenschutz erledigt sein?", deadlines, "Checkliste")
    lines = choice.text.splitlines()  # the rows for other trainings score 0.17 below it: two of them come along
    assert lines[0] == "Pflichtschulung Datenschutz erledigt: 4 Wochen nach Beginn" and len(lines) == 3


def test_the_sentence_between_two_answer_sentences_of_a_long_paragraph_joins():
    text = ("Frankreich verlor im Siebenjährigen Krieg fast alle Kolonien in Nordamerika. "
            "Frankreich übernahm 1830 die Kontrolle über Algerien und begann danach mit dem Wiederaufbau seines Imperiums. "
            "Das Hauptaugenmerk lag dabei auf Nord- und Westafrika. "
            "Der Wiederaufbau des Imperiums in Frankreich kostete viel Geld. "
            "Die Kolonien wurden 1960 unabhängig.")
    choice = answer("Wo begann Frankreich mit dem Wiederaufbau seines Imperiums?", text, "Kolonialreich")
    assert "Algerien" in choice.text and "kostete viel Geld" in choice.text
    assert "Nord- und Westafrika" in choice.text  # between the two: the answer reads on


def test_a_short_one_sentence_answer_goes_on_with_the_next_sentence():
    text = ("Die Kolonien in Afrika und Asien wurden nach langen Kämpfen unabhängig. "
            "Frankreich begann 1950 mit dem Wiederaufbau des Imperiums. "
            "Das Hauptaugenmerk lag dabei auf Nord- und Westafrika. Später kamen viele Inseln im Pazifik hinzu. "
            "Heute gibt es noch einige Überseegebiete in der Karibik, im Indischen Ozean und im Pazifik, "
            "deren Bewohnerinnen und Bewohner die französische Staatsbürgerschaft besitzen.")
    choice = answer("Wann begann Frankreich mit dem Wiederaufbau des Imperiums?", text, "Geschichte")
    assert choice.text == "Frankreich begann 1950 mit dem Wiederaufbau des Imperiums.\nDas Hauptaugenmerk lag dabei auf Nord- und Westafrika."


def two_documents(question: str, first: str, second: str, second_prior: float) -> AnswerChoice:
    """The answer a picker without embeddings chooses from the first document's chunk and a second
    document's chunk ranked `second_prior` (1.0: as high as the first)."""
    analyzer = Analyzer()
    picker = AnswerPicker(analyzer, {}, chunks=10)
    return picker.choose(set(analyzer.question_terms(question)), question_form(question), [
        Candidate(1, 1, first, "", "Erstes Dokument", prior=1.0), Candidate(2, 2, second, "", "Zweites", prior=second_prior)])


def test_a_rival_document_that_scores_higher_is_shown_beside_the_kept_first_document():
    question = "Was gilt für externe Freigaben in der Nextcloud?"
    first, rival = "Die Nextcloud ist der Ablageort des Teams.", "Externe Freigaben in der Nextcloud laufen nach 30 Tagen ab."
    close = two_documents(question, first, rival, 0.45)  # the rival's unit scores higher, but by less than the switch margin
    assert close.document_id == 1 and close.text == first
    assert close.alternative is not None and close.alternative.document_id == 2 and close.alternative.text == rival
    clear = two_documents(question, first, rival, 0.6)  # by more: the rival answers, and the first document has nothing better to add
    assert clear.document_id == 2 and clear.alternative is None
    assert answer(question, rival).alternative is None


def nearer_first(question: str, first: str, second: str) -> str:
    """The answer's text from two documents' units, the first ranked higher and much closer to the
    question in meaning (cosine 0.8 against 0.2)."""
    analyzer = Analyzer()
    picker = AnswerPicker(analyzer, {}, chunks=10)
    return picker.choose(set(analyzer.question_terms(question)), question_form(question), [
        Candidate(1, 1, first, "", "Erstes Dokument", prior=1.0, similarities=np.array([0.8])),
        Candidate(2, 2, second, "", "Zweites", prior=0.5, similarities=np.array([0.2]))]).text


def test_a_unit_naming_a_person_beats_one_naming_nobody_for_a_question_for_a_person():
    first, naming = "Das Protokoll des Jour fixe liegt im Wiki.", "Protokoll im Jour fixe: Elif Aydin (@elif_aydin)"
    assert nearer_first("Wer schreibt das Protokoll im Jour fixe?", first, naming) == naming
    assert nearer_first("Wo liegt das Protokoll im Jour fixe?", first, naming) == first


def test_whom_to_turn_to_is_answered_by_a_name_rather_than_a_role_in_charge():
    role, named = "Für Entsendungen ist die Koordination der SCIU zuständig.", "Entsendungen: Frank Osterkamp (@frank_osterkamp)"
    assert nearer_first("Wer kümmert sich um Entsendungen?", role, named) == named
    assert nearer_first("Wer ist Leiter für Entsendungen?", role, named) == role  # who holds a role: the role answers


def test_another_document_s_unit_with_the_asked_number_is_shown_where_the_answer_has_none():
    question = "Wie viele Luftsensoren sind im Sensorpilot installiert?"
    first, rival = "Im Sensorpilot messen Luftsensoren die Luftqualität.", "Bisher sind es 26 Geräte."
    near = two_documents(question, first, rival, 1.0)  # scores a little lower, but holds the number the first answer lacks
    assert near.document_id == 1 and near.text == first
    assert near.alternative is not None and near.alternative.text == rival
    assert two_documents(question, first, rival, 0.0).alternative is None  # far below: not shown


def test_what_someone_is_responsible_for_asks_for_tasks_not_a_person():
    assert question_form("Wer ist für Smart Parking zuständig?").person
    assert question_form("Who is responsible for the open data portal?").person
    assert not question_form("Wofür ist der ISB zuständig?").person
    assert not question_form("What is the IT service desk responsible for?").person


def test_a_role_said_to_be_in_charge_answers_who():
    who = question_form("Wer hat bei der Strategie die Federführung?")
    assert unit_fits(who, "Die Federführung liegt beim Chief Digital Officer.") == 1.0
    assert unit_fits(who, "Ansprechperson ist Lena Hoffmann (@lena_hoffmann).") == 1.0
    assert unit_fits(who, "Die Strategie wurde 2026 beschlossen.") == 0.0
    assert unit_fits(who, "Das Team trifft sich dienstags.") == 0.0  # a role, but nobody in charge


def test_what_do_i_have_to_do_asks_for_steps_in_english_too():
    assert question_form("What do I have to do if my work laptop gets stolen?").steps
    assert question_form("What should we do after a phishing click?").steps
    assert not question_form("What does the SCIU do?").steps


def test_a_unit_under_a_question_heading_answers_that_question():
    """FAQ style: the answer under "Wie beantrage ich …?" need not repeat the question's words."""
    vectors = {"Wie beantrage ich eine externe Fortbildung?": [0.9, 0.44], "Was kostet eine Konferenz?": [0.1, 0.99],
               "Über das Formular „Antrag“ im Portal.": [0.2, 0.98], "Die Kosten trägt das Team.": [0.3, 0.95]}

    def encode(texts):
        return np.array([vectors[text] for text in texts])

    analyzer = Analyzer()
    picker = AnswerPicker(analyzer, {}, chunks=10)
    question = "Seminar buchen – wie geht das?"
    chosen = picker.choose(set(analyzer.question_terms(question)), question_form(question), [
        Candidate(1, 1, "Über das Formular „Antrag“ im Portal.", "Wie beantrage ich eine externe Fortbildung?", "FAQ", prior=1.0),
        Candidate(2, 1, "Die Kosten trägt das Team.", "Was kostet eine Konferenz?", "FAQ", prior=1.0)],
        np.array([1.0, 0.0]), encode)
    assert chosen.text.startswith("Über das Formular") and chosen.similarity == pytest.approx(0.9 - QUESTION_HEADING_MARGIN)
