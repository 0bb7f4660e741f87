"""Hybrid search in German: compounds, inflection, abbreviations, English, access, validity, no-answer."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from indexer import Index, IndexSettings, SearchSettings, build_index
from indexer.analysis import Analyzer
from indexer.answer import Alternative, AnswerChoice
from indexer.common_synonyms import phone_words
from indexer.evaluation import shows_answer, run_eval
from indexer.search import SearchResult
from bot.reports import index_report
from tests.fakes import FakeEmbedder


def write(root: Path, rel: str, body: str, **meta: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "".join(f"{key}: {value}\n" for key, value in meta.items())
    path.write_text(f"---\n{header}---\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def small_index(tmp_path: Path) -> Index:
    """Four documents, a glossary, and a fake embedder: the lexical side decides."""
    root = tmp_path / "knowledge"
    write(root, "strategie.md", "Die Digitalisierungsstrategie beschreibt Ziele bis 2030.", title="Leitbild")
    write(root, "befragung.md", "Die jährliche Bürgerbefragung misst die Zufriedenheit.", title="Umfrage")
    write(root, "begriffe.md", "Eine Strategie ist ein langfristiger Plan.", title="Begriffe")
    write(root, "ozg.md", "Das Onlinezugangsgesetz verpflichtet zu digitalen Leistungen.", title="Recht")
    write(root, "cdo.md", "Der CDO leitet die Einheit und berichtet dem Vorstand.", title="Leitung")
    write(root, "parking.md", "Parking sensors report free spaces in the city centre.", title="Smart Parking")
    write(root, "glossar.md", "| Abkürzung | Bedeutung | Erläuterung |\n| --- | --- | --- |\n"
          "| OZG | Onlinezugangsgesetz | |\n| CDO | Chief Digital Officer | |\n"
          "| DSFA | Datenschutz-Folgenabschätzung | Pflichtprüfung bei Verarbeitungen mit hohem Risiko. |",
          title="Glossar", type="glossary")
    # No unit vectors: with fake embeddings they would only add noise to what these tests check.
    settings = IndexSettings(knowledge_dir=root, data_dir=tmp_path / "var", model="fake", progress=False,
                             unit_vectors=False)
    model = FakeEmbedder("fake")
    build_index(settings, embedder=model)
    return Index(settings, SearchSettings(), embedder=model)


def top(index: Index, query: str) -> str:
    return index.search(query).best.source


def test_a_part_finds_the_compound(small_index):
    # Compounds split at words the knowledge base also uses alone ("Strategie" in begriffe.md).
    hits = small_index.search("Strategie", k=2).hits
    assert "strategie.md" in [hit.source for hit in hits] and "lexical" in hits[[h.source for h in hits].index("strategie.md")].scores


def test_plural_finds_singular(small_index):
    assert top(small_index, "Bürgerbefragungen") == "befragung.md"


def test_umlaut_spelled_out_still_matches(small_index):
    assert top(small_index, "Buergerbefragung") == "befragung.md"


def test_abbreviation_finds_the_long_form(small_index):
    result = small_index.search("Was regelt das OZG?")
    assert result.best.source == "ozg.md" and "Onlinezugangsgesetz" in result.expansions


def test_long_form_finds_the_abbreviation(small_index):
    result = small_index.search("Was macht der Chief Digital Officer?", k=2)
    assert "CDO" in result.expansions and "cdo.md" in [hit.source for hit in result.hits]


def fake_index(tmp_path: Path, documents: dict[str, tuple[str, str]], search: SearchSettings | None = None) -> Index:
    """An index of `documents` (path: (title, text)) with fake embeddings: the lexical side decides."""
    root = tmp_path / "knowledge"
    for path, (title, text) in documents.items():
        write(root, path, text, title=title)
    settings = IndexSettings(knowledge_dir=root, data_dir=tmp_path / "var", model="fake", progress=False)
    build_index(settings, embedder=FakeEmbedder("fake"))
    return Index(settings, search or SearchSettings(), embedder=FakeEmbedder("fake"))


def test_common_office_synonyms_are_built_in(tmp_path: Path):
    documents = {"zugang.md": ("Zugang", "Für den Fernzugriff ist MFA Pflicht."),
                 "urlaub.md": ("Urlaub", "Urlaub wird im Zeiterfassungssystem beantragt.")}
    index = fake_index(tmp_path, documents)
    result = index.search("Brauche ich 2FA von daheim?")
    assert "MFA" in result.expansions and result.best.source == "zugang.md"
    assert "Diebstahl" in index.search("Laptop gestohlen, was tun?").expansions  # what happened, as a procedure's heading says
    assert "Diebstahl" in index.search("Laptop stolen?").expansions
    assert "Sicherheitsvorfall" in index.search("Auf einen Phishing-Link geklickt!").expansions  # as a security rule names it
    assert "KI-Werkzeug" in index.search("Darf ich ChatGPT für Texte nehmen?").expansions  # the AI assistants staff name
    assert "Defekt" in index.search("Handy-Display gesprungen, was nun?").expansions  # damage as staff describe it
    assert "Gleitzeitguthaben" in index.search("Wie viele Plusstunden darf ich mitnehmen?").expansions  # flexitime
    assert "Zeitschuld" in index.search("Wie viele Minusstunden sind erlaubt?").expansions  # as a service agreement words it
    assert "Dienstreise" in index.search("Wie beantrage ich die Fahrt zu einer Konferenz?").expansions  # what staff apply for
    # a site's own synonyms add to them
    site = Index(index.settings, SearchSettings(synonyms={"Auszeit": ["Urlaub"]}), embedder=FakeEmbedder("fake"))
    assert "MFA" in site.search("Brauche ich 2FA?").expansions and "Urlaub" in site.search("Auszeit?").expansions


def test_a_word_the_built_in_synonyms_explain_is_neither_misspelt_nor_given_a_thesaurus_synonym(tmp_path: Path):
    index = fake_index(tmp_path, {"regeln.md": ("Regeln", "Neue KI-Werkzeuge müssen vorher geprüft werden."),
                                  "lotse.md": ("Chatbot", "Der Wissenslotse ist unser Chatbot.")})
    result = index.search("Darf ich ChatGPT nutzen?")
    assert "chatgpt" not in result.corrections  # not "Chatbot", two letters away: ChatGPT is a KI-Werkzeug
    assert result.best.source == "regeln.md"


def test_a_word_with_a_built_in_synonym_the_documents_use_is_known_by_it(tmp_path: Path):
    index = fake_index(tmp_path, {"vorfall.md": ("Vorfall", "Bei einem Sicherheitsvorfall sofort den Servicedesk anrufen.")})
    known, unknown = index.search("Wen rufe ich bei Phishing an?"), index.search("Wen rufe ich bei Zauberei an?")
    # "Phishing" is no word the index lacks: it counts as "Sicherheitsvorfall", which the document holds
    assert known.evidence.unknown == 0 < unknown.evidence.unknown
    assert known.evidence.coverage > unknown.evidence.coverage


def test_english_query_finds_english_text(small_index):
    assert top(small_index, "Where are the parking sensors?") == "parking.md"


def test_glossary_answers_definition_questions(small_index):
    result = small_index.search("Wofür steht OZG?")
    assert result.passage.startswith("OZG steht für Onlinezugangsgesetz") and result.answerable
    assert result.best.source == "glossar.md"


def test_was_versteht_man_unter_asks_for_the_definition_wherever_the_term_stands(small_index):
    result = small_index.search("Was versteht man in der Verwaltung unter OZG?")
    assert result.passage.startswith("OZG steht für Onlinezugangsgesetz") and result.best.source == "glossar.md"


def test_where_no_document_answers_the_glossary_explanation_does_with_a_caveat(small_index):
    result = small_index.search("Wann ist eine DSFA Pflicht?")
    assert "hohem Risiko" in result.passage and result.best.source == "glossar.md"
    assert result.answerable and not result.certain
    # the explanation says nothing about what else is asked: no answer from the glossary
    assert "hohem Risiko" not in small_index.search("Wie viele Mitarbeitende hat die DSFA?").passage
    # nor where a sum or a year is asked that no explanation states (it shares "Risiko" with the question)
    assert "hohem Risiko" not in small_index.search("Wie viel Geld kostet eine DSFA bei hohem Risiko 2027?").passage


def test_the_name_of_a_role_s_holder_is_no_definition_question(small_index):
    # "Wie heißt unser CDO?" asks who it is: neither the glossary nor a sentence without a name answers.
    for question in ("Wie heißt unser CDO mit Namen?", "Wie heißt der CDO?"):
        result = small_index.search(question)
        assert not result.answerable and not result.passage.startswith("CDO steht für"), question
    assert small_index.search("Wofür steht CDO?").passage.startswith("CDO steht für Chief Digital Officer")
    # "was heißt das" asks what it means, not the name of the one who holds the role
    assert small_index.search("CDO – was heißt das?").passage.startswith("CDO steht für Chief Digital Officer")


def test_glossary_is_not_a_search_result_otherwise(small_index):
    assert all(hit.source != "glossar.md" for hit in small_index.search("Onlinezugangsgesetz digital", k=10).hits)


def test_hostile_query_text_is_just_text(small_index):
    result = small_index.search('"OR (NOT) AND* ^x: NEAR(')
    assert isinstance(result.hits, list)


# -- the real sample knowledge base and the real model ------------------------------------------


@pytest.fixture
def sample(config) -> Index:
    return Index(config.index, config.search)


SECRET_WORDS = ("Nordlicht", "Kranich", "487.300", "Deckungsring")


@pytest.mark.parametrize("k", [1, 3, 5, 10, 40])
def test_restricted_documents_never_reach_outsiders_at_any_k(sample, k):
    for query in ("Wie hoch ist das Budget von Projekt Nordlicht?", "Szenario Kranich Stellenplanung 2027"):
        result = sample.search(query, k=k, groups=())
        shown = " ".join(hit.text + hit.title for hit in result.hits) + result.passage
        assert not any(word in shown for word in SECRET_WORDS)
        assert all(not hit.meta.get("access") for hit in result.hits)


def test_group_members_find_restricted_documents(sample):
    result = sample.search("Wie hoch ist das Budget von Projekt Nordlicht?", groups={"sciu-intern"})
    assert result.best.source == "sciu/haushaltsnotiz-2026.md"


def test_questions_asked_at_once_from_many_threads_get_what_they_get_one_at_a_time(sample):
    # FAISS runs on a shared worker pool while the asking thread does the lexical side: answers
    # of concurrent questions must not mix, and access filtering must hold for each caller.
    asks = [("Wie hoch ist das Budget von Projekt Nordlicht?", frozenset({"sciu-intern"})),
            ("Wie hoch ist das Budget von Projekt Nordlicht?", frozenset()),
            ("Wie richte ich das VPN ein?", frozenset()),
            ("Haushalt Budget SCIU 2026", frozenset())] * 4

    def ask(question: str, groups: frozenset[str]) -> tuple[list[int], str]:
        result = sample.search(question, k=5, groups=groups)
        return [hit.chunk_id for hit in result.hits], result.passage

    alone = [ask(*one) for one in asks]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda one: ask(*one), asks))
    assert together == alone
    assert len({tuple(hits) for hits, _ in alone}) == 4  # the four questions differ
    outsider_passage = alone[1][1]
    assert not any(word in outsider_passage for word in SECRET_WORDS)


def test_restricted_hits_do_not_push_allowed_ones_out(sample):
    outsider = sample.search("Haushalt Budget SCIU 2026", k=3, groups=())
    assert len(outsider.hits) == 3


def test_superseded_document_is_not_served_when_its_successor_exists(sample):
    result = sample.search("Wie richte ich das VPN ein?", k=10)
    assert "anleitungen/vpn-anleitung-2023.md" not in [hit.source for hit in result.hits]
    assert "anleitungen/vpn-anleitung-2025.md" in [hit.source for hit in result.hits[:3]]


def test_expired_document_only_as_flagged_fallback(sample):
    result = sample.search("Was galt in der Homeoffice-Regelung Übergang 2024?")
    assert result.best.source == "anleitungen/homeoffice-regelung-uebergang-2024.md"
    assert result.best.outdated
    current = sample.search("Gibt es eine Kernzeit?", k=10)
    assert all(not hit.outdated for hit in current.hits)


def test_every_hit_carries_its_stand_and_scores(sample):
    result = sample.search("Wie beantrage ich ein Diensthandy?")
    hit = result.best
    assert hit.source == "faq/diensthandy-beantragen.md" and hit.updated and hit.owner
    assert {"fused", "lexical", "dense"} <= set(hit.scores)


def test_answer_passage_is_the_sentence_that_answers(sample):
    result = sample.search("Wer leitet die SCIU?")
    assert "Chief Digital Officer" in result.passage
    assert len(result.passage) < 300


def test_a_question_for_a_person_is_answered_from_the_contact_list_not_the_topic_s_page(sample):
    """A name in a table row embeds far from any question; the page about the topic, fluent but naming
    nobody, must not push the list that says who looks after it out of the answer."""
    for question in ("Wer kümmert sich um den Smart-City-Index?", "An wen wende ich mich bei Fragen zu Open Data?"):
        assert "Markus Schulte" in sample.search(question).passage, question


def test_a_contact_line_beside_the_asked_topic_is_shown_though_the_search_is_unsure(sample):
    # The row "Personal, Entsendungen, Arbeitszeit – Ansprechperson: Frank Osterkamp" answers,
    # although the question's words and the row embed far apart: shown with the caveat, not declined.
    result = sample.search("Wen kann ich wegen Entsendungen ansprechen?")
    assert result.answerable and not result.certain
    assert "Frank Osterkamp" in result.passage
    # A topic no document names is no such case, whatever names the contact list holds.
    assert not sample.search("Wen kann ich wegen der Kantine ansprechen?").answerable


def test_an_abbreviation_no_document_uses_is_read_as_the_compound_it_abbreviates(sample):
    # Neither the documents nor the glossary write "ISB"; the contact list names the
    # "Informationssicherheitsbeauftragter" and what he is there for.
    result = sample.search("Welche Aufgaben hat der ISB?")
    assert result.answerable and "Informationssicherheitsbeauftragter: Sicherheitsvorfälle" in result.passage


def test_steps_headed_with_the_word_a_built_in_synonym_pairs_with_the_question_s_are_shown_though_unsure(sample):
    # "Trojaner" is a "Sicherheitsvorfall" (built in), and "Was tun bei einem Sicherheitsvorfall?" heads the steps.
    result = sample.search("Ich glaube, mein Rechner hat einen Trojaner. Was muss ich tun?")
    assert result.answerable and not result.certain and "nicht ausschalten" in result.passage
    # a plain word in a heading is no such sign: "Mail" of "Phishing-Mail" in "E-Mail-Knigge"
    assert not sample.search("Habe auf einen Link in einer Phishing-Mail geklickt, was jetzt?").answerable


def test_the_word_for_a_contact_does_not_choose_the_answer_the_topic_does(sample):
    # "Ansprechpartner" asks for a person; as a word it chose "Sie bleibt Ansprechpartnerin für Weiterentwicklungen."
    passage = sample.search("Wer ist bei uns Ansprechpartner für Entsendungen?").passage
    assert "Frank Osterkamp" in passage and "Weiterentwicklungen" not in passage


def test_an_answer_naming_only_a_role_also_names_the_document_s_contact_person(sample):
    # "Die SCIU verteilt die Fragen an die zuständigen Fachbereiche …" names who is in charge only as a role.
    passage = sample.search("Wer ist für die Beantwortung des Bitkom-Fragebogens zuständig?").passage
    assert "zuständigen Fachbereiche" in passage and "Ansprechperson: Markus Schulte (@markus_schulte)" in passage
    # where a unit names the person as fully, it answers instead: the contact list's row
    named = sample.search("Wer ist für den Smart-City-Index zuständig?").passage
    assert named.startswith("Open Data, Smart-City-Index – Ansprechperson: Markus Schulte")
    # who holds a role is answered by the role: the page's contact is not who leads the SCIU
    leads = sample.search("Wer leitet die SCIU?").passage
    assert "Chief Digital Officer" in leads and "Ansprechperson:" not in leads


def test_english_question_on_german_knowledge(sample):
    result = sample.search("Who leads the Smart City Innovation Unit?", k=3)
    assert "sciu/ueber-die-sciu.md" in [hit.source for hit in result.hits] or "sciu/summary-international-partners.md" in [hit.source for hit in result.hits]


def test_question_outside_the_knowledge_base_is_not_answerable(sample):
    for query in ("Was kostet ein Döner in Berlin?", "Wie wird das Wetter morgen in Paris?"):
        assert not sample.search(query).answerable


def test_eval_on_a_tiny_squad_file(tmp_path, embedder):
    squad = {"version": "1.1", "data": [
        {"title": "Bochum", "paragraphs": [
            {"context": "Die SCIU wurde 2021 in Bochum gegründet und hat 16 Mitarbeitende.",
             "qas": [{"id": "1", "question": "Wann wurde die SCIU gegründet?", "answers": [{"text": "2021", "answer_start": 0}]}]},
            {"context": "Das Open-Data-Portal veröffentlicht Daten der Stadt unter offenen Lizenzen.",
             "qas": [{"id": "2", "question": "Was veröffentlicht das Open-Data-Portal?", "answers": [{"text": "Daten", "answer_start": 0}]}]},
        ]},
        {"title": "Köln", "paragraphs": [
            {"context": "Der Kölner Dom ist eine gotische Kathedrale am Rhein.",
             "qas": [{"id": "3", "question": "Welchen Baustil hat der Kölner Dom?", "answers": [{"text": "gotische", "answer_start": 0}]}]},
        ]},
    ]}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(squad), encoding="utf-8")
    report = run_eval(path, IndexSettings(progress=False), embedder=embedder)
    assert (report.questions, report.documents) == (3, 3)
    assert report.mrr_at_10 == 1.0 and report.recall_at_1 == 1.0 and report.ndcg_at_10 == 1.0
    assert report.passage_contains_answer == 1.0
    assert report.latency_p50_ms > 0 and report.indexing_seconds > 0
    assert report.answerable_declined == 0.0 and report.unanswerable_declined is None
    held_out = run_eval(path, IndexSettings(progress=False), holdout=True, embedder=embedder)
    # "Köln" is not indexed: its question must be declined, not answered from the SCIU paragraphs
    assert held_out.questions == 3 and held_out.unanswerable_declined == 1.0


def test_a_restricted_successor_keeps_the_public_original_for_outsiders(tmp_path):
    root = tmp_path / "knowledge"
    write(root, "parken-alt.md", "Dienstwagen parken im Hof an der Westseite des Rathauses.", title="Parken",
          superseded_by="parken-neu.md")
    write(root, "parken-neu.md", "Dienstwagen parken ab Mai in der Tiefgarage Ebene minus zwei.", title="Parken neu",
          access="intern")
    write(root, "selbst.md", "Der Kopierer im dritten Stock druckt beidseitig.", title="Kopierer",
          superseded_by="selbst.md")
    write(root, "kreis-a.md", "Die Teeküche schließt um achtzehn Uhr.", title="Teeküche A", superseded_by="./kreis-b.md")
    write(root, "kreis-b.md", "Der Wasserspender steht im Flur neben der Teeküche.", title="Teeküche B",
          superseded_by="kreis-a.md")
    settings = IndexSettings(knowledge_dir=root, data_dir=tmp_path / "var", model="fake", progress=False)
    model = FakeEmbedder("fake")
    report = build_index(settings, embedder=model)
    warned = {w.path: w.message for w in report.warnings}
    assert set(warned) == {"selbst.md", "kreis-a.md", "kreis-b.md"}
    assert "sich selbst" in warned["selbst.md"] and "kreis-a.md → kreis-b.md → kreis-a.md" in warned["kreis-a.md"]
    assert {w.path for w in build_index(settings, embedder=model).warnings} == set(warned)  # also with nothing to do
    assert "Warnungen:\n  - kreis-a.md: superseded_by bildet einen Kreis" in index_report(report)
    index = Index(settings, SearchSettings(), embedder=model)

    outsider = index.search("Wo parken Dienstwagen?", groups=())
    assert [(h.source, h.outdated) for h in outsider.hits if "parken" in h.source] == [("parken-alt.md", True)]
    member = index.search("Wo parken Dienstwagen?", groups={"intern"})
    assert [h.source for h in member.hits if "parken" in h.source] == ["parken-neu.md"]
    for query, source in (("Kopierer beidseitig drucken", "selbst.md"), ("Wann schließt die Teeküche?", "kreis-a.md")):
        hit = next(h for h in index.search(query, k=10).hits if h.source == source)
        assert not hit.outdated  # a broken link does not supersede


def test_the_answer_passage_counts_where_the_right_paragraph_is_cited_with_it():
    def reply(passage: str, alternative: Alternative | None = None) -> SearchResult:
        choice = AnswerChoice(passage, 1, 1, "sentence", 0.5, 0.5, 1.0, 0.8, alternative)
        return SearchResult("Wann?", [], 0.9, True, passage, answer=choice)

    gold = "squad/Bochum/0"
    assert shows_answer(reply("Gegründet 2021."), 1, gold, ["2021"])
    assert not shows_answer(reply("Gegründet 2021."), 2, gold, ["2021"])  # another paragraph cited first
    beside = reply("Der Dom ist gotisch.", Alternative("Die SCIU wurde 2021 gegründet.", 7, 2, gold))
    assert shows_answer(beside, 2, gold, ["2021"])
    elsewhere = reply("Der Dom ist gotisch.", Alternative("Seit 2021 im Amt.", 7, 2, "squad/Köln/0"))
    assert not shows_answer(elsewhere, 2, gold, ["2021"])


def test_a_number_to_call_is_the_phone_list_s_durchwahl_but_a_lost_phone_is_no_call():
    analyzer = Analyzer()
    seen = {"durchwahl"}.__contains__
    assert phone_words("Unter welcher Nummer erreiche ich den Personalrat?", analyzer, seen) == {"numm": "durchwahl"}
    assert phone_words("What's the phone extension of the IT service desk?", analyzer, seen)
    assert phone_words("What should I do if my phone gets lost?", analyzer, seen) == {}
    # a separated "anrufen" asks for a number to call too
    assert phone_words("Wen rufe ich wegen LoRaWAN an und unter welcher Nummer?", analyzer, seen) == {"numm": "durchwahl"}
    assert phone_words("Welche Nummer hat die Drucksache, und wen frage ich an?", analyzer, seen) == {}


def test_how_many_sources_are_asked_for_changes_nothing_about_the_first_ones(sample):
    """The chat asks for max_sources + 5 hits, `lotse search` for 5: same answer, same order."""
    for question in ("Ab welchem Betrag muss der Lenkungskreis einen Pilot freigeben?",
                     "Wie beantrage ich ein Diensthandy?", "wann ist eigentlich jour fixe"):
        few, more = sample.search(question, k=5), sample.search(question, k=8)
        assert [h.source for h in more.hits[:5]] == [h.source for h in few.hits], question
        assert (more.passage, more.confidence) == (few.passage, few.confidence), question


def test_near_copies_of_a_better_hit_are_dropped():
    """Jaccard of the word sets ≥ 0.9 against a hit kept before: a copy and a copy with one word of
    twenty changed go, a text with three changed or another length stays."""
    from indexer.fusion import collapse_duplicates
    from indexer.records import Hit

    words = [f"wort{i}" for i in range(20)]
    texts = [" ".join(words), " ".join(words).upper(), " ".join(words[:19] + ["anders"]),
             " ".join(words[:17] + ["eins", "zwei", "drei"]), " ".join(words[:10]), "ganz anderer text"]
    hits = [Hit(chunk_id=n, text=text, title="", heading_path="", source=f"{n}.md", meta={}, score=1.0 - n / 10)
            for n, text in enumerate(texts)]
    assert [hit.chunk_id for hit in collapse_duplicates(hits)] == [0, 3, 4, 5]


def test_a_question_is_embedded_once_also_when_outdated_documents_are_searched_too(tmp_path: Path):
    """An uncertain answer makes the search look at outdated documents as well: a second search
    with the same question vectors, not a second embedding of the question."""
    root = tmp_path / "knowledge"
    write(root, "alt.md", "Die Kantine öffnet um 11 Uhr.", title="Kantine alt", valid_until="2020-01-01")
    write(root, "neu.md", "Der Fahrradkeller liegt im Untergeschoss.", title="Fahrräder")
    settings = IndexSettings(knowledge_dir=root, data_dir=tmp_path / "var", model="fake", progress=False)
    model = FakeEmbedder("fake")
    build_index(settings, embedder=model)
    index = Index(settings, SearchSettings(), embedder=model)
    question = "Wann öffnet die Kantine?"
    searched = []
    real = index._current_snapshot()._search
    index._current_snapshot()._search = lambda *args, **kwargs: searched.append(kwargs["include_outdated"]) or real(*args, **kwargs)
    model.encoded.clear()
    result = index.search(question)
    assert searched == [False, True] and result.best.source == "alt.md" and result.best.outdated
    assert model.encoded.count(question) == 1
