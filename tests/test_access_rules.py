"""Access never fails open: folder defaults, non-Markdown access, broken or empty access, warnings."""
from pathlib import Path

import pytest

from indexer import Index, IndexSettings, build_index
from tests.binaries import make_docx, make_pdf
from tests.fakes import FakeEmbedder

SECRET = "Das Budget für Projekt Nordlicht beträgt 80.000 Euro."
PUBLIC = "Die Kantine öffnet um 11:30 Uhr für alle Beschäftigten."


def md(root: Path, rel: str, body: str, header: str = "title: Dokument") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{header}\n---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> IndexSettings:
    root = tmp_path / "knowledge"
    md(root, "kantine.md", PUBLIC, "title: Kantine")
    return IndexSettings(knowledge_dir=root, data_dir=tmp_path / "var", model="fake", progress=False)


def build(settings: IndexSettings, groups=("sciu-intern",)):
    return build_index(settings, embedder=FakeEmbedder("fake"), known_groups=groups)


def sources(settings: IndexSettings, query: str, groups=()) -> set[str]:
    index = Index(settings, embedder=FakeEmbedder("fake"))
    return {hit.source for hit in index.search(query, k=20, groups=groups).hits}


def visible_to(settings: IndexSettings, path: str, query: str = "Budget Projekt Nordlicht") -> tuple[bool, bool]:
    """(seen by an outsider, seen by a member of sciu-intern)."""
    return path in sources(settings, query), path in sources(settings, query, {"sciu-intern"})


def skipped(report) -> dict[str, str]:
    return {item.path: item.reason for item in report.skipped}


@pytest.mark.parametrize(
    "name, data",
    [
        ("budget.html", f'<html><head><meta name="access" content="sciu-intern"></head><body><p>{SECRET}</p></body></html>'.encode()),
        ("budget.docx", make_docx("Budget", [SECRET], custom={"access": "sciu-intern"})),
        ("budget.pdf", make_pdf(["Budget Nordlicht", "Das Budget fuer Projekt Nordlicht betraegt 80.000 Euro."], {"/Access": "sciu-intern"})),
    ],
)
def test_access_from_html_meta_docx_and_pdf_properties(settings, name, data):
    (settings.knowledge_dir / name).write_bytes(data)
    build(settings)
    assert visible_to(settings, name) == (False, True)


def test_folder_file_restricts_every_file_below_and_its_change_reindexes(settings):
    root = settings.knowledge_dir
    (root / "intern" / "tief").mkdir(parents=True)
    (root / "intern" / "budget.pdf").write_bytes(make_pdf(["Das Budget fuer Projekt Nordlicht betraegt 80.000 Euro."]))
    md(root, "intern/tief/plan.md", SECRET, "title: Plan\nowner: Eva Klein")
    build(settings)
    assert visible_to(settings, "intern/budget.pdf") == (True, True)  # public until the folder says otherwise

    (root / "intern" / "_ordner.toml").write_text('access = "sciu-intern"\nowner = "Tim Berg (@tim_berg)"\ndepartment = "Finanzen"\n')
    report = build(settings)
    assert report.changed == 2 and not report.skipped
    assert visible_to(settings, "intern/budget.pdf") == (False, True)
    assert visible_to(settings, "intern/tief/plan.md") == (False, True)
    hits = Index(settings, embedder=FakeEmbedder("fake")).search("Budget Nordlicht", k=5, groups={"sciu-intern"}).hits
    owners = {hit.source: (hit.owner, hit.meta.get("department")) for hit in hits}
    assert owners["intern/budget.pdf"] == ("Tim Berg (@tim_berg)", "Finanzen")
    assert owners["intern/tief/plan.md"] == ("Eva Klein", "Finanzen")  # the file's own owner wins
    assert build(settings).generation == report.generation  # nothing changed: nothing to do

    md(root, "offen/notiz.md", "Die Notiz zum Budget von Nordlicht nennt drei Lieferanten.", "title: Notiz")
    build(settings)
    (root / "offen" / "notiz.md").rename(root / "intern" / "notiz.md")  # moved in, same bytes
    build(settings)
    assert visible_to(settings, "intern/notiz.md") == (False, True)

    (root / "intern" / "_ordner.toml").unlink()
    build(settings)
    assert visible_to(settings, "intern/budget.pdf") == (True, True)


def test_a_file_may_narrow_but_never_widen_its_folder(settings):
    root = settings.knowledge_dir
    (root / "intern").mkdir()
    (root / "intern" / "_ordner.toml").write_text('access = ["sciu-intern", "leitung"]\n')
    md(root, "intern/eng.md", SECRET, "title: Eng\naccess: leitung")
    md(root, "intern/fremd.md", SECRET, "title: Fremd\naccess: presse")
    report = build(settings, groups=("sciu-intern", "leitung", "presse"))
    assert "nur einschränken" in skipped(report)["intern/fremd.md"]
    assert "intern/eng.md" in sources(settings, "Budget Nordlicht", {"leitung"})
    assert "intern/eng.md" not in sources(settings, "Budget Nordlicht", {"sciu-intern"})


def test_a_broken_folder_file_stops_the_files_below_it(settings):
    root = settings.knowledge_dir
    md(root, "intern/plan.md", SECRET)
    build(settings)
    (root / "intern" / "_ordner.toml").write_text('access = "sciu-intern\n')  # unclosed string
    report = build(settings)
    assert "aus dem Index genommen" in skipped(report)["intern/plan.md"] and report.withdrawn == ["intern/plan.md"]
    assert visible_to(settings, "intern/plan.md") == (False, False)


def test_broken_front_matter_that_adds_access_withdraws_the_public_version(settings):
    root = settings.knowledge_dir
    md(root, "budget.md", SECRET)
    build(settings)
    assert visible_to(settings, "budget.md") == (True, True)
    (root / "budget.md").write_text(f"---\ntitle: [kaputt\naccess: sciu-intern\n---\n\n{SECRET}\n")
    report = build(settings)
    assert report.withdrawn == ["budget.md"] and "aus dem Index genommen" in skipped(report)["budget.md"]
    assert visible_to(settings, "budget.md") == (False, False)


def test_broken_front_matter_without_access_keeps_the_previous_version(settings):
    root = settings.knowledge_dir
    md(root, "budget.md", SECRET, "title: Budget\naccess: sciu-intern")
    build(settings)
    (root / "budget.md").write_text(f"---\ntitle: [kaputt\naccess: sciu-intern\n---\n\n{SECRET}\n")
    report = build(settings)
    assert not report.withdrawn and "vorherige Fassung bleibt" in skipped(report)["budget.md"]
    assert visible_to(settings, "budget.md") == (False, True)


@pytest.mark.parametrize("value", ["[]", '""', "null", ""])
def test_empty_access_is_skipped_never_public(settings, value):
    root = settings.knowledge_dir
    md(root, "budget.md", SECRET, "title: Budget\naccess: sciu-intern")
    build(settings)
    md(root, "budget.md", SECRET, f"title: Budget\naccess: {value}")
    report = build(settings)
    assert "leerer Wert" in skipped(report)["budget.md"] and "bleibt" in skipped(report)["budget.md"]
    assert visible_to(settings, "budget.md") == (False, True)
    md(root, "neu.md", SECRET, f"title: Neu\naccess: {value}")
    assert "neu.md" in skipped(build(settings))
    assert "neu.md" not in sources(settings, "Budget Nordlicht", {"sciu-intern"})


def test_empty_access_on_a_public_document_withdraws_it(settings):
    md(settings.knowledge_dir, "budget.md", SECRET)
    build(settings)
    md(settings.knowledge_dir, "budget.md", SECRET, "title: Budget\naccess: []")
    assert build(settings).withdrawn == ["budget.md"]
    assert visible_to(settings, "budget.md") == (False, False)


def test_leading_blank_line_front_matter_is_honoured_in_search(settings):
    (settings.knowledge_dir / "budget.md").write_text(f"\n\n---\ntitle: Budget\naccess: sciu-intern\n---\n\n{SECRET}\n")
    build(settings)
    assert visible_to(settings, "budget.md") == (False, True)


def test_unknown_keys_and_unknown_groups_are_warned_every_run(settings):
    root = settings.knowledge_dir
    md(root, "tippfehler.md", SECRET, "title: Tippfehler\nacess: sciu-intern")
    md(root, "fremd.md", SECRET, "title: Fremd\naccess: sciu-internn")
    for _ in range(2):  # the second run has nothing to do and still warns
        report = build(settings)
        warnings = {(w.path, w.message.split(" –")[0]) for w in report.warnings}
        assert ("tippfehler.md", "unbekannter Schlüssel „acess“ (gemeint: „access“?) wird ignoriert") in warnings
        assert ("fremd.md", "Zugriffsgruppe „sciu-internn“ ist in [groups] nicht eingerichtet") in warnings
        assert len(report.warnings) == 2


def test_yaml_alias_front_matter_is_skipped_with_a_reason(settings):
    md(settings.knowledge_dir, "lol.md", "Text.", "a: &a [x, x]\nb: [*a, *a]")
    assert "Alias" in skipped(build(settings))["lol.md"]


def test_giant_title_is_capped_in_the_index(settings):
    md(settings.knowledge_dir, "gross.md", SECRET, "title: " + "Titel " * 200_000)
    build(settings)
    hit = Index(settings, embedder=FakeEmbedder("fake")).search("Budget Nordlicht", k=1).best
    assert hit.source == "gross.md" and len(hit.title) <= 300


def test_unknown_keys_in_a_folder_file_are_warned(settings):
    root = settings.knowledge_dir
    md(root, "intern/plan.md", SECRET)
    (root / "intern" / "_ordner.toml").write_text('acess = "sciu-intern"\n')
    report = build(settings)
    assert [(w.path, w.message.split(";")[0]) for w in report.warnings] == [
        ("intern/_ordner.toml", "unbekannter Schlüssel „acess“ (gemeint: „access“?)")
    ]
    assert "intern/_ordner.toml" not in skipped(report)  # the folder file is not a document


def test_a_word_only_restricted_documents_use_is_as_unknown_to_an_outsider_as_an_invented_one(settings):
    md(settings.knowledge_dir, "intern/budget.md", SECRET, "title: Budget\naccess: sciu-intern")
    build(settings)
    index = Index(settings, embedder=FakeEmbedder("fake"))
    outsider = index.search("Worum geht es bei Nordlicht?").evidence.unknown
    member = index.search("Worum geht es bei Nordlicht?", groups={"sciu-intern"}).evidence.unknown
    invented = index.search("Worum geht es bei Zaunkönig?").evidence.unknown
    assert member == 0 and outsider == invented > 0  # the confidence cannot tell an outsider it exists


def test_what_is_x_is_declined_where_x_is_unknown_and_alike_for_restricted_and_invented_words(settings):
    md(settings.knowledge_dir, "intern/budget.md", SECRET, "title: Budget\naccess: sciu-intern")
    build(settings)
    snapshot = Index(settings, embedder=FakeEmbedder("fake"))._current_snapshot()

    def unknown(question: str, groups=frozenset()) -> bool:
        return snapshot._subject_unknown(question, frozenset(groups), {})

    assert unknown("Worum geht es beim Projekt Nordlicht?")  # only a restricted document names it
    assert unknown("Worum geht es beim Projekt Zaunkönig?")  # no document names it: the same decline
    assert not unknown("Worum geht es beim Projekt Nordlicht?", {"sciu-intern"})
    assert not unknown("Was ist die Kantine?") and not unknown("Wann öffnet die Zaunkönig-Kantine?")


def test_a_question_naming_a_place_no_visible_document_names_is_declined(settings):
    md(settings.knowledge_dir, "bezirke.md", "Der Stadtbezirk Wattenscheid hat rund 70.000 Einwohner.", "title: Bezirke")
    md(settings.knowledge_dir, "intern/stiepel.md", "Stiepel bekommt 2027 zwei Sensoren.", "title: Plan\naccess: sciu-intern")
    build(settings)
    snapshot = Index(settings, embedder=FakeEmbedder("fake"))._current_snapshot()

    def unknown(question: str, groups=frozenset()) -> bool:
        return snapshot._subject_unknown(question, frozenset(groups), {})

    assert not unknown("Wie viele Einwohner hat der Stadtbezirk Wattenscheid?")
    assert unknown("Wie viele Einwohner hat der Stadtbezirk Stiepel?")  # only a restricted document names it
    assert not unknown("Wie viele Einwohner hat der Stadtbezirk Stiepel?", {"sciu-intern"})
    assert not unknown("Wie viele Einwohner hat der Stadtbezirk Südstadt?")  # no name: ends in a word ("Stadt")


def test_proper_names_are_capitalised_words_no_dictionary_knows():
    from indexer.spelling import proper_names

    assert proper_names("Wie viele Einwohner hat Wattenscheid?") == ["Wattenscheid"]
    assert proper_names("Wann tagt die Dienstagsrunde, und geht BYOD?") == []  # "…runde", an abbreviation
    assert proper_names("Im vierten Quarter und beim Wegzug?") == []  # English, two words ("Weg|zug")


def test_the_subject_of_a_what_is_question():
    from indexer.question_form import subject_of

    assert subject_of("Worum geht es beim Projekt Nordlicht?") == "beim Projekt Nordlicht"
    assert subject_of("Was ist ein AVV und wann brauchen wir einen?") == "ein AVV"
    assert subject_of("Was hat es mit dem Ideenspeicher auf sich?") == "dem Ideenspeicher"
    assert subject_of("Wie beantrage ich Urlaub?") == ""
