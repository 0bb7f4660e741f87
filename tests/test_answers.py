"""The reply a person reads, end to end: real index, real model, the chat core's decision."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.core import Asker, ChatCore, QuestionError
from bot.phrases import NOT_A_QUESTION
from bot.fronts.chat_html import answer_html, more_sources_html
from bot.fronts.plain import render_answer
from indexer import Index, IndexSettings, build_index
from indexer.embedder import Embedder
from indexer.question_form import is_english

DOCUMENTS = {
    "faq/diensthandy.md": ("FAQ: Wie beantrage ich ein Diensthandy?", "Jonas Becker (@jonas_becker)", """
## Kurzantwort

Ein Diensthandy beantragen Sie über das IT-Serviceportal. Die Bereitstellung dauert etwa zwei Wochen.

## Schritt für Schritt

1. Im IT-Serviceportal das Formular „Mobiles Endgerät anfordern“ wählen.
2. Die Kostenstelle eintragen.
3. Den Antrag absenden; Sie erhalten eine E-Mail mit dem Abholtermin.

## Verlust

Bei Verlust rufen Sie sofort den IT-Servicedesk an. Das Gerät wird dann gesperrt.
"""),
    "anleitungen/vpn.md": ("VPN-Anleitung", "Jonas Becker (@jonas_becker)", """
Mit dem VPN erreichen Sie das Stadtnetz auch von unterwegs.

## Einrichtung

1. Das Programm „Stadt VPN“ über das Startmenü öffnen.
2. Mit Benutzername und Passwort anmelden.
3. Die Anmeldung in der Authenticator-App bestätigen.

## Tägliche Nutzung

- Außerhalb des Rathauses verbindet sich der Laptop automatisch mit dem VPN.
- Einmal am Tag ist eine Bestätigung der VPN-Verbindung auf dem Laptop nötig.
"""),
    "faq/gleitzeit.md": ("Arbeitszeit und Gleitzeit", "Frank Osterkamp (@frank_osterkamp)", """
Die Arbeitszeit ist im Team flexibel geregelt.

| Regel | Zeit |
| --- | --- |
| Rahmenarbeitszeit | 6:00–20:00 Uhr |
| Funktionszeit | 9:00–15:00 Uhr |
| Gleittage pro Jahr | bis zu 12 ganze Tage |
"""),
    "faq/expertenantwort-fahrrad.md": ("Wo stelle ich mein Fahrrad am Rathaus ab?", "Lena Hoffmann (@lena_hoffmann)", """
Fahrräder stellen Sie im Innenhof des Rathauses ab. Der Zugang ist werktags ab 6 Uhr offen.
"""),
    "projekte/smart-parking.md": ("Smart Parking Innenstadt", "Daniel Yilmaz (@daniel_yilmaz)", """
Smart Parking zeigt freie Stellplätze in der Innenstadt in Echtzeit an. Bodensensoren an rund 130
Stellplätzen melden, ob ein Platz frei ist. Die Daten fließen in die Parkleitsystem-Tafeln.
"""),
    "projekte/digitaler-zwilling.md": ("Digitaler Zwilling Bochum", "Miriam Albers (@miriam_albers)", """
Ein Digitaler Zwilling ist ein virtuelles Abbild der Stadt. Das Modell basiert auf dem offenen
Standard CityGML. Das Bürgerbüro nutzt die Ansicht für Auskünfte zu Bauvorhaben.
"""),
    "faq/dienstreisen.md": ("FAQ: Dienstreisen", "Sabine Krämer (@sabine_kraemer)", """
Eine Dienstreise beantragen Sie vorher im Reisekostenportal. Fahrten mit dem privaten Pkw werden nur
erstattet, wenn sie vorher begründet genehmigt wurden. Die Abrechnung erfolgt nach dem Landesreisekostengesetz.
"""),
    "projekte/ideensteckbrief.md": ("Leitfaden Ideensteckbrief", "Lena Hoffmann (@lena_hoffmann)", """
Mit dem Ideensteckbrief reichen Ämter und städtische Unternehmen neue Ideen bei der Innovationsstelle ein.
Der Steckbrief ist kurz: Er zeigt auf zwei Seiten, welches Problem gelöst wird.

## Aufbau

Der Steckbrief nennt zuerst das Problem und erst danach die Lösung. Er beschreibt, wer von der Idee
profitiert, welche Fachbereiche beteiligt sind und woran der Erfolg gemessen wird. Abkürzungen werden beim
ersten Vorkommen ausgeschrieben. Technologien wie Sensoren oder künstliche Intelligenz sind kein Selbstzweck.
Eine grobe Schätzung von Aufwand und Kosten für einen Pilotversuch gehört ebenfalls hinein.

## Bewertung

Die Innovationsstelle bewertet jeden Steckbrief nach fünf Kriterien und antwortet innerhalb von vier Wochen.

## Einreichung

Den ausgefüllten Steckbrief als Word-Datei an das Postfach „Ideen“ senden oder im Wiki unter „Ideenspeicher“
hochladen. Bei Fragen hilft die Koordination.
"""),
    "sciu/haushalt.md": ("Haushaltsnotiz Sensorik", "Frank Osterkamp (@frank_osterkamp)", """
Für den Betrieb des Funknetzes und der Sensorik sind im Etat noch 7.750 € nicht gebunden.
"""),
    "strategie/stadtstrategie.md": ("Stadtstrategie 2030", "Katharina Nowak (@katharina_nowak)", """
Die Stadtstrategie beschreibt, wofür die Stadt im Jahr 2030 stehen will. Sie wurde 2018 beschlossen
und wird jährlich überprüft.

## Die vier Kompetenzen (Profilbereiche)

Um ihren Kern herum ordnet die Strategie vier Kompetenzen an.

| Kompetenz | Kurzbeschreibung |
| --- | --- |
| Vorreiterin modernen Stadtmanagements | Verwaltung und Unternehmen arbeiten bürgernah und digital. |
| Talentschmiede im Ruhrgebiet | Gute Bildungsangebote von der Kita bis zur Hochschule. |
| Hotspot der Live-Kultur | Theater, Konzerte und Festivals prägen das Bild der Stadt. |
| Großstadt mit Lebensgefühl | Eine lebendige Innenstadt und viel Grün. |

## Umsetzung

Die Strategie wird über Kernaktivitäten umgesetzt. Das sind konkrete Projekte mit Steckbriefen, Zielen,
Meilensteinen und Ansprechpersonen. Die Ideen dafür stammen aus Bürgerkonferenzen, Workshops mit
Unternehmen und Vereinen und aus einem offenen Markt der Ideen, zu dem alle Bürgerinnen und Bürger
eingeladen sind.
"""),
}


def write_documents(root: Path) -> None:
    for rel, (title, owner, body) in DOCUMENTS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'---\ntitle: "{title}"\nowner: "{owner}"\nupdated: 2026-05-01\n---\n{body}', encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    root = tmp_path_factory.mktemp("answers")
    write_documents(root / "knowledge")
    build_index(IndexSettings(knowledge_dir=root / "knowledge", data_dir=root / "var", progress=False), embedder=embedder)
    return root


@pytest.fixture
def core(built: Path, embedder: Embedder, tmp_path: Path) -> ChatCore:
    config = Config()
    config.index.knowledge_dir, config.index.data_dir = built / "knowledge", built / "var"
    config.handoff.topics = {"kantine": "@kantinen_team"}
    core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
    core.interactions.close()
    from bot.interactions import Interactions

    core.interactions = Interactions(tmp_path / "interactions.db")
    return core


ASKER = Asker("terminal:test")


def test_how_to_questions_get_the_steps(core: ChatCore):
    answer = core.ask("Wie beantrage ich ein Diensthandy?", ASKER)
    assert answer.answered and answer.sources[0].path == "faq/diensthandy.md"
    assert "Kostenstelle eintragen" in answer.text and "Abholtermin" in answer.text


def test_how_to_questions_get_the_steps_under_the_heading_that_names_the_action(core: ChatCore):
    answer = core.ask("Wie richte ich den Fernzugriff auf meinem Laptop ein?", ASKER)
    assert answer.answered and "„Stadt VPN“" in answer.text and "Authenticator-App" in answer.text


def test_how_to_questions_also_get_the_section_their_verb_names(core: ChatCore):
    # "Wie reiche ich … ein?" – the document's lead sentence says that ideas are submitted with the
    # form; its section "Einreichung" says how.
    answer = core.ask("Wie reiche ich eine Idee meines Amtes bei der Innovationsstelle ein?", ASKER)
    assert answer.answered and answer.sources[0].path == "projekte/ideensteckbrief.md"
    assert "Ideenspeicher" in answer.text


def test_a_table_row_answers_with_its_column_header(core: ChatCore):
    answer = core.ask("Wann ist die Funktionszeit?", ASKER)
    assert answer.answered and "Funktionszeit: 9:00–15:00 Uhr" in answer.text
    assert " | " not in answer.text


def test_which_things_are_there_is_answered_with_the_table_s_first_column(core: ChatCore):
    answer = core.ask("Welche Kompetenzen gibt es in der Stadtstrategie?", ASKER)
    assert answer.answered and answer.sources[0].path == "strategie/stadtstrategie.md"
    assert answer.text.startswith("Die vier Kompetenzen (Profilbereiche)\n- Vorreiterin")
    assert all(name in answer.text for name in ("Talentschmiede", "Hotspot der Live-Kultur", "Großstadt mit Lebensgefühl"))


def test_a_year_the_document_never_mentions_is_declined(core: ChatCore):
    assert "2018" in core.ask("Wann wurde die Stadtstrategie 2030 beschlossen?", ASKER).text
    other_year = core.ask("Wann wurde die Stadtstrategie 2035 beschlossen?", ASKER)
    assert not other_year.answered and "2018" not in other_year.text


def test_no_password_is_handed_out_but_how_to_use_one_is_answered(core: ChatCore):
    assert not core.ask("Wie lautet das Passwort für das Stadt VPN?", ASKER).answered
    assert core.ask("Wie melde ich mich mit Benutzername und Passwort am VPN an?", ASKER).answered


def test_opening_hours_come_only_from_a_document_that_names_the_place(core: ChatCore):
    # The Gleitzeit FAQ states clock times, but not the Bürgerbüro's: no "9:00–15:00 Uhr" for it.
    reply = core.ask("Wann hat das Bürgerbüro geöffnet?", ASKER)
    assert not reply.answered and "15:00" not in reply.text
    assert "15:00" in core.ask("Wann ist die Funktionszeit bei der Gleitzeit?", ASKER).text


def test_a_sum_the_document_never_states_is_declined(core: ChatCore):
    asked = core.ask("Wie hoch ist die Kilometerpauschale für Dienstreisen mit dem privaten Pkw?", ASKER)
    assert not asked.answered and "Reisekostenportal" not in asked.text


def test_only_a_sum_on_the_question_s_topic_moves_its_document_up(core: ChatCore):
    snapshot = core.index._current_snapshot()
    hits = core.index.search("Dienstreise privater Pkw Reisekostenportal Funknetz Sensorik Etat", k=9).hits
    assert [h.source for h in hits[:2]] == ["faq/dienstreisen.md", "sciu/haushalt.md"]
    # the budget note states a sum, but not about a Kilometerpauschale: the order stays
    def prefer(question: str) -> list:
        return snapshot.values.prefer(question, snapshot.analyzer.noun_terms(question), hits)

    assert prefer("Wie hoch ist die Kilometerpauschale?") == hits
    budget = prefer("Wie viel Geld ist für das Funknetz noch frei?")
    assert budget[0].source == "sciu/haushalt.md"


def test_a_sum_is_answered_from_the_document_that_states_one(core: ChatCore):
    asked = core.ask("Wie viel Geld ist für das Funknetz und die Sensorik noch frei?", ASKER)
    assert asked.answered and asked.sources[0].path == "sciu/haushalt.md" and "7.750 €" in asked.text


def test_a_length_of_time_the_document_never_states_is_declined(core: ChatCore):
    asked = core.ask("Wie lange werden die Daten der Bodensensoren beim Smart Parking gespeichert?", ASKER)
    assert not asked.answered and "130" not in asked.text
    lasts = core.ask("Wie lange dauert die Bereitstellung eines Diensthandys?", ASKER)
    assert lasts.answered and "zwei Wochen" in lasts.text


def test_a_count_the_best_answer_unit_never_states_is_declined(core: ChatCore):
    # The guide says where ideas are uploaded, not how many there are.
    asked = core.ask("Wie viele Ideen liegen schon im Ideenspeicher im Wiki?", ASKER)
    assert not asked.answered and "hochladen" not in asked.text
    counted = core.ask("Nach wie vielen Kriterien bewertet die Innovationsstelle einen Steckbrief?", ASKER)
    assert counted.answered and "fünf Kriterien" in counted.text


def test_a_short_expert_answer_is_served_whole(core: ChatCore):
    answer = core.ask("Wo kann ich mein Fahrrad abstellen?", ASKER)
    assert "Innenhof des Rathauses" in answer.text and "ab 6 Uhr" in answer.text


def test_who_is_responsible_names_the_person_with_contact(core: ChatCore):
    answer = core.ask("Wer ist für Smart Parking zuständig?", ASKER)
    assert answer.answered and "Daniel Yilmaz (@daniel_yilmaz)" in answer.text


def test_a_plain_sentence_answers_a_fact_question(core: ChatCore):
    answer = core.ask("Auf welchem Standard basiert der digitale Zwilling?", ASKER)
    assert answer.answered and "CityGML" in answer.text and len(answer.text.split()) <= 60


def test_typos_and_spelled_out_umlauts_still_find_the_document(core: ChatCore):
    for question in ("was ist ein digitalr zwiling", "was macht das buergerbuero mit dem zwilling"):
        result = core.index.search(question)
        assert result.best.source == "projekte/digitaler-zwilling.md", question
    assert core.index.search("was ist ein digitalr zwiling").corrections


def test_a_misspelt_word_counts_once_as_its_correction(core: ChatCore):
    # The misspelt form matches nothing; counted beside its correction it would halve the confidence.
    right = core.index.search("Wie viele Stellplätze melden die Bodensensoren?")
    typo = core.index.search("wieviele stellpläzte melden die bodensenoren")
    assert typo.corrections and typo.best.source == right.best.source == "projekte/smart-parking.md"
    assert typo.confidence >= right.confidence - 0.1 and "130" in typo.passage


def test_english_questions_get_english_framing(core: ChatCore):
    answer = core.ask("Which open standard does the digital twin use?", ASKER)
    assert answer.language == "en" and answer.answered and "CityGML" in answer.text
    shown = render_answer(answer)
    assert shown.startswith("From the SCIU's documents") and "\nSources:" in shown and "as of " in shown
    assert "Quellen" not in shown and "Stand " not in shown
    assert "More sources" in "".join(more_sources_html(answer)) and "Weitere Quellen" not in "".join(more_sources_html(answer))
    declined = core.ask("How much per diem do I get for a trip to Berlin?", ASKER)
    assert declined.language == "en" and not declined.answered and declined.text.startswith("I could not find")
    assert "Closest document:" in render_answer(declined)
    german = render_answer(core.ask("Auf welchem Standard basiert der digitale Zwilling?", ASKER))
    assert "\nQuellen:" in german and "Stand " in german and "Sources" not in german


def test_words_of_both_languages_do_not_make_a_german_question_english():
    assert not is_english("In welchem Jahr wurde die Behördennummer 115 in Bochum eingeführt?")
    assert not is_english("Was macht Doctor Who, wenn sein Körper verwundet wird?")
    assert is_english("What is in the onboarding checklist?") and is_english("Who is in charge of open data?")


def test_a_decline_names_the_topic_expert_or_the_fallback_never_an_unrelated_owner(core: ChatCore):
    canteen = core.ask("Wer betreibt die Kantine?", ASKER)
    assert not canteen.answered and canteen.contact == "@kantinen_team" and "@kantinen_team" in canteen.text
    other = core.ask("Wo melde ich eine Nebentätigkeit an?", ASKER)
    assert not other.answered and other.contact == core.config.chat.fallback_contact
    assert not any(owner in other.text for _, owner, _ in DOCUMENTS.values())
    assert "handoff" in other.actions and other.more_sources  # the nearest document is still offered


@pytest.mark.parametrize("message", ["👍", "🙂🙂", "?", "…", "🤔 ?"])
def test_a_message_without_words_is_no_question(core: ChatCore, message: str):
    with pytest.raises(QuestionError) as raised:
        core.ask(message, ASKER)
    assert str(raised.value) == NOT_A_QUESTION
    assert core.interactions.db["questions"].count == 0  # neither logged nor a knowledge gap


def test_a_competing_document_is_shown_with_its_own_passage(config: Config):
    """The search keeps its first document; where another one's passage fits better, both are shown."""
    core = ChatCore(config)
    answer = core.ask("Welche Erfolgskriterien gehören in den Projektsteckbrief?", ASKER)
    assert answer.answered and answer.alternative_source > 1
    rival = answer.sources[answer.alternative_source - 1]
    assert rival.path == "projekte/leitfaden-projektsteckbrief.docx" != answer.sources[0].path
    assert "Messbare Kriterien mit Zielwert" in answer.alternative
    shown = render_answer(answer)
    assert f"Oder, laut Quelle [{answer.alternative_source}] Leitfaden Projektsteckbrief:\n" in shown
    assert shown.index(answer.text) < shown.index(answer.alternative) < shown.index("Quellen:")
    html = "".join(answer_html(answer))
    assert f"Oder, laut Quelle {answer.alternative_source}. Leitfaden Projektsteckbrief:" in html
    assert "Messbare Kriterien mit Zielwert" in html


def test_a_number_to_call_comes_from_the_document_that_lists_it_beside_the_topic(config: Config):
    """The project page says most about Smart Parking; the phone list has the extension."""
    answer = ChatCore(config).ask("Welche Durchwahl hat die Person, die sich um Smart Parking kümmert?", ASKER)
    assert answer.answered and answer.sources[0].path == "sciu/telefonliste-kontakte.txt"
    assert "-4132" in answer.text
