"""The knowledge-exchange loop without Telegram: onboarding in the terminal chat, department paths,
progress across re-indexing, the gap report (CLI), FAQ files, expert ids, config and migrations."""
from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot.cli_gaps import gaps_command
from bot.config import ConfigError, Config, load_config
from bot.core import Asker, ChatCore
from bot.exchange import build_exchange
from bot.faq_writer import FaqWriter, slug
from bot.gaps import _average_linkage
from bot.interactions import Interactions, m001_initial, migrate
from bot.fronts.terminal import TerminalChat
from indexer import Index
from indexer.embedder import Embedder

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def core(config: Config, embedder: Embedder) -> Iterator[ChatCore]:
    core = ChatCore(config, index=Index(config.index, config.search, embedder=embedder))
    yield core
    core.interactions.close()


def chat(core: ChatCore, lines: list[str], user: str = "terminal:neu") -> str:
    """Run the terminal chat over `lines` as if piped in; everything it wrote."""
    out: list[str] = []
    TerminalChat(core, Asker(user), write=out.append).run(io.StringIO("\n".join(lines) + "\n"), interactive=False)
    return "\n".join(out)


@pytest.mark.slow
def test_terminal_onboarding_survives_reindex_and_restart(core: ChatCore, config: Config) -> None:
    shown = chat(core, ["/onboarding", "/weiter", "/erledigt", "Wie richte ich das VPN ein?", "/erledigt"])
    assert "▶ 1. Willkommen in der SCIU" in shown and "Schritt 1 von 6: Willkommen in der SCIU" in shown
    assert "Herzlich willkommen in der Smart City Innovation Unit!" in shown
    assert "📄 Vollständig lesen: knowledge/onboarding/01-willkommen.md" in shown
    assert "✅ Schritt 1 erledigt (1 von 6)" in shown and "✅ Schritt 2 erledigt (2 von 6)" in shown
    assert "Quellen:" in shown  # a question in between is answered as usual

    step = config.index.knowledge_dir / "onboarding" / "02-zugaenge-und-konten.md"
    step.write_text(step.read_text(encoding="utf-8") + "\n\nNeu: Das WLAN heißt SCIU-Gast.\n", encoding="utf-8")
    assert core.reindex().changed == 1  # new chunk ids; progress is keyed by path
    core.interactions.close()
    restarted = ChatCore(config, index=core.index)
    shown = chat(restarted, ["/onboarding", "/erledigt", "/erledigt", "/erledigt", "/erledigt", "/weiter"])
    assert "(2 von 6 erledigt)" in shown and "✅ 2. Zugänge & Konten" in shown and "▶ 3. Geräte" in shown
    assert "✅ Schritt 6 erledigt (6 von 6)" in shown and "Geschafft" in shown
    assert "(0 von 6 erledigt)" in chat(restarted, ["/onboarding"], user="terminal:andere")
    restarted.interactions.close()


@pytest.mark.slow
def test_department_paths(core: ChatCore, config: Config) -> None:
    (config.index.knowledge_dir / "onboarding" / "07-it-werkzeuge.md").write_text(
        '---\ntitle: "Onboarding 7: Werkzeuge der IT"\nonboarding: 7\nonboarding_department: "Infrastruktur & IT"\n'
        'owner: "Jonas Becker (@jonas_becker)"\n---\n\nIm IT-Team nutzen wir Ansible und GitLab. Zugänge gibt Jonas.\n',
        encoding="utf-8")
    core.reindex()
    onboarding = build_exchange(core).onboarding
    assert onboarding.departments() == ["Infrastruktur & IT"]
    assert len(onboarding.steps()) == 6 and len(onboarding.steps(department="Infrastruktur & IT")) == 7
    shown = chat(core, ["/onboarding", "/onboarding 1"])
    assert "/onboarding 1 – Infrastruktur & IT" in shown and "Bereich Infrastruktur & IT (0 von 7 erledigt)" in shown
    assert "▫️ 7. Werkzeuge der IT" in shown
    with pytest.raises(ValueError):
        onboarding.choose_department(Asker("x"), "Marketing")


@pytest.mark.slow
def test_gaps_report_groups_paraphrases(core: ChatCore, config: Config, tmp_path: Path) -> None:
    asker = Asker("terminal:a")
    for question in ("Darf ich meinen Hund mit ins Büro bringen?", "Sind Hunde im Büro erlaubt?",
                     "Kann ich meinen Hund mit zur Arbeit bringen?", "Wann hat die Kantine im Rathaus geöffnet?",
                     "Wer leitet die SCIU?"):
        answer = core.ask(question, asker)  # a gap: declined, or answered only with the caveat
        assert not answer.answered or answer.caveat or question == "Wer leitet die SCIU?"
    canteen = core.ask("Hat das Rathaus eine Kantine?", asker)
    assert canteen.answered and core.feedback(canteen.question_id, asker, positive=False)
    config.handoff.fallback_chat_id = 1
    pizza = core.ask("Wann gibt es Pizza auf dem Mond?", asker)
    build_exchange(core).handoffs.open(pizza.question_id, asker, chat_id=1, name=None)

    settings = tmp_path / "lotse.toml"
    settings.write_text(f'[index]\nknowledge_dir = "{config.index.knowledge_dir}"\ndata_dir = "{config.index.data_dir}"\n',
                        encoding="utf-8")
    result = CliRunner().invoke(gaps_command, ["--config", str(settings), "--csv", str(tmp_path / "luecken.csv")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "3 Themen mit offenen Fragen (häufigste zuerst):"
    assert lines[1].startswith("1. 3 × „") and "Hund" in lines[1] and "(3 × unsicher;" in lines[1]
    assert lines[3].startswith("2. 2 × „") and "Kantine" in lines[3] and "(1 × unsicher, 1 × 👎;" in lines[3]
    assert lines[5].startswith("3. 1 × „Wann gibt es Pizza auf dem Mond?“ (1 × unsicher, 1 × weitergeleitet;")
    assert "Wer leitet" not in result.output
    with (tmp_path / "luecken.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0][:3] == ["Rang", "Anzahl", "Beispiel"] and [r[1] for r in rows[1:]] == ["3", "2", "1"]
    assert rows[2][5].count(" | ") == 1  # both canteen questions listed


def test_average_linkage_keeps_a_bridge_apart() -> None:
    vectors = np.array([[1, 0, 0], [0.95, 0.31, 0], [0.6, 0.8, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    groups = sorted(sorted(g) for g in _average_linkage(vectors, 0.75))
    assert groups == [[0, 1], [2, 3], [4]]
    assert _average_linkage(vectors[:1], 0.5) == [[0]]


def test_faq_entries_are_plain_markdown(tmp_path: Path) -> None:
    faq = FaqWriter(tmp_path / "knowledge")
    entry = faq.write(7, "Darf ich meinen Hund mitbringen?", "Nein, leider nicht.", "A (@a)", "B (@b)", 12)
    assert entry.path == "faq/expertenantwort-7-darf-ich-meinen-hund-mitbringen.md" and not entry.reviewed
    assert [e.handoff_id for e in faq.pending()] == [7]
    assert faq.replace_answer(7, "Nur Assistenzhunde.").answer == "Nur Assistenzhunde."  # type: ignore[union-attr]
    assert faq.approve(7).reviewed and faq.pending() == []  # type: ignore[union-attr]
    assert faq.reject(7) is not None and not (tmp_path / "knowledge" / entry.path).exists()
    assert faq.approve(7) is None and faq.get(7) is None
    assert slug("Größe & Übergänge: 100 % sicher?") == "groesse-uebergaenge-100-sicher"


def test_only_experts_handles_are_learned(core: ChatCore) -> None:
    core.config.handoff.experts = {"@Lena_Hoffmann": 42}
    experts = build_exchange(core).experts
    assert experts.learn("jonas_becker", 7) and experts.user_id("@Jonas_Becker") == "telegram:7"  # a document owner
    assert not experts.learn("someone_else", 8) and experts.user_id("@someone_else") is None
    assert experts.user_id("@lena_hoffmann") == "telegram:42"  # configured


def test_routes_owner_then_topic_expert_then_fallback(core: ChatCore) -> None:
    settings = core.config.handoff
    settings.experts, settings.topics = {"@jonas_becker": 1, "@aylin_demir": 2}, {"fahrrad": "@aylin_demir"}
    settings.fallback_chat_id = 3
    experts = build_exchange(core).experts
    question, vpn_guide = "Wo kann ich im Rathaus mein Fahrrad abstellen?", "anleitungen/vpn-anleitung-2025.md"
    assert [(r.kind, r.chat_id) for r in experts.routes(question, vpn_guide)] == [
        ("owner", "telegram:1"), ("topic", "telegram:2"), ("fallback", "telegram:3")]
    assert experts.routes(question, vpn_guide)[0].label == "Jonas Becker (@jonas_becker)"
    welcome = "onboarding/01-willkommen.md"  # owner Lena Hoffmann: no id known
    assert [r.kind for r in experts.routes(question, welcome)] == ["topic", "fallback"]
    settings.fallback_chat_id = 2  # the same person twice is asked once
    assert [r.kind for r in experts.routes(question, welcome)] == ["topic"]


def test_config_sections_for_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "lotse.toml"
    path.write_text('[onboarding]\nstuck_after_days = 3\n[handoff]\nreminder_hours = 4\nfallback_chat_id = -100\n'
                    '[handoff.experts]\n"@lena_hoffmann" = 123\n[handoff.topics]\nvpn = "@jonas_becker"\n'
                    '[gaps]\nsimilarity = 0.7\n', encoding="utf-8")
    config = load_config(path)
    assert config.onboarding.stuck_after_days == 3 and config.handoff.reminder_hours == 4.0
    assert config.handoff.experts == {"@lena_hoffmann": 123} and config.handoff.topics == {"vpn": "@jonas_becker"}
    assert config.handoff.fallback_chat_id == -100 and config.gaps.similarity == 0.7
    path.write_text('[handoff.experts]\n"@lena_hoffmann" = "abc"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="ganze Zahl"):
        load_config(path)


def test_an_older_database_upgrades_itself(tmp_path: Path) -> None:
    import sqlite_utils

    old = sqlite_utils.Database(sqlite3.connect(tmp_path / "interactions.db", isolation_level=None))
    migrate(old, [m001_initial])
    old["questions"].insert({"id": 5, "question": "Alt?", "asked_at": "2099-01-01T00:00:00+00:00"})
    old.conn.close()
    interactions = Interactions(tmp_path / "interactions.db")
    assert {"handoffs", "onboarding", "onboarding_steps", "expert_ids", "handoff_messages"} <= set(interactions.db.table_names())
    assert interactions.question(5)["question"] == "Alt?"  # type: ignore[index]
    assert [r["name"] for r in interactions.db["_migrations"].rows] == ["m001_initial", "m002_knowledge_exchange",
                                                                   "m003_handoff_access", "m004_prefixed_ids"]
    interactions.close()


def test_telegram_ids_stored_as_numbers_get_their_prefix(tmp_path: Path) -> None:
    """An interactions.db from before prefixed ids: numbers become "telegram:…", open hand-offs are
    still found by their messages, and pseudonyms (hence onboarding and feedback) stay the same."""
    import sqlite_utils

    from bot.interactions import m002_knowledge_exchange, m003_handoff_access

    old = sqlite_utils.Database(sqlite3.connect(tmp_path / "interactions.db", isolation_level=None))
    migrate(old, [m001_initial, m002_knowledge_exchange, m003_handoff_access])
    old["handoffs"].insert({"id": 1, "question_id": 9, "question": "Wo parke ich?", "status": "open",
                            "asker_chat_id": 1002, "expert_chat_id": -500, "created_at": "2099-01-01T00:00:00+00:00"})
    old["handoff_messages"].insert({"chat_id": -500, "message_id": 77, "handoff_id": 1})
    old["expert_ids"].insert({"handle": "@lena_hoffmann", "user_id": 42, "seen_at": "2099-01-01"})
    old.conn.close()
    interactions = Interactions(tmp_path / "interactions.db")
    row = next(interactions.db["handoffs"].rows)
    assert (row["asker_chat_id"], row["expert_chat_id"]) == ("telegram:1002", "telegram:-500")
    assert interactions.db.execute("SELECT chat_id, message_id FROM handoff_messages").fetchall() == [("telegram:-500", "77")]
    assert next(interactions.db["expert_ids"].rows)["user_id"] == "telegram:42"
    assert interactions.pseudonym(1002) == interactions.pseudonym("telegram:1002")
    assert interactions.pseudonym("matrix:@anna:bochum.de") != interactions.pseudonym("telegram:1002")
    interactions.close()


@pytest.mark.slow
def test_restricted_onboarding_steps_only_on_members_paths(core: ChatCore, config: Config) -> None:
    (config.index.knowledge_dir / "intern").mkdir()
    (config.index.knowledge_dir / "intern" / "tresor.md").write_text(
        '---\ntitle: "Onboarding 3: Der Tresorraum"\nonboarding: 3\naccess: sciu-intern\n---\n\n'
        "Der Tresorschlüssel liegt im blauen Umschlag bei Frau Kranich.\n", encoding="utf-8")
    core.reindex()
    member_id = 77
    config.groups = {"sciu-intern": [member_id]}
    member, outsider = Asker(member_id, groups=frozenset({"sciu-intern"})), Asker("terminal:neu")
    onboarding = build_exchange(core).onboarding

    shown = chat(core, ["/onboarding", "/weiter", "/erledigt", "/erledigt", "/erledigt"])
    assert "Tresor" not in shown and "Kranich" not in shown
    assert "(0 von 6 erledigt)" in shown and "▫️ 3. Geräte" in shown and "✅ Schritt 3 erledigt (3 von 6)" in shown
    assert "Schritt 4 von 6: Werkzeuge" in shown  # numbering has no gap where the hidden step is

    out: list[str] = []
    TerminalChat(core, member, write=out.append).run(io.StringIO("/onboarding\n/erledigt\n/erledigt\n"), interactive=False)
    member_view = "\n".join(out)
    assert "(0 von 7 erledigt)" in member_view and "▫️ 3. Der Tresorraum" in member_view and "▫️ 4. Geräte" in member_view
    assert "Schritt 3 von 7: Der Tresorraum" in member_view and "blauen Umschlag" in member_view
    assert [s.step.position for s in onboarding.progress(member).steps] == list(range(1, 8))

    assert onboarding.progress(outsider).done == 3 and onboarding.progress(member).done == 2
    for viewer, sees in ((frozenset(), False), (frozenset({"sciu-intern"}), True)):
        labels = [label for label, _ in onboarding.overview(viewer).at_step]
        assert labels == (["3. Der Tresorraum", "4. Werkzeuge & Kommunikation"] if sees
                          else ["3. 🔒 vertraulicher Schritt (Titel nur für Mitglieder der Gruppe)",
                                "4. Werkzeuge & Kommunikation"])


def test_strictest_access_of_an_answers_sources() -> None:
    from bot.faq_writer import ACCESS_TO_DECIDE
    from bot.handoff import strictest_access
    from bot.faq_writer import parse_access

    a, ab, c = frozenset({"a"}), frozenset({"a", "b"}), frozenset({"c"})
    assert strictest_access([frozenset(), frozenset()]) == frozenset()
    assert strictest_access([frozenset(), ab, a]) == a  # one public source does not open it up
    assert strictest_access([a, c]) == {ACCESS_TO_DECIDE}  # no member in common: nobody until reviewed
    assert parse_access("öffentlich", ["a"]) == [] and parse_access("b, a a", ["a", "b"]) == ["a", "b"]
    with pytest.raises(ValueError, match="Unbekannte Gruppe: x"):
        parse_access("a x", ["a"])


@pytest.mark.slow
def test_a_hand_off_after_a_restart_still_knows_what_the_asker_saw(core: ChatCore, config: Config) -> None:
    config.handoff.fallback_chat_id = 1
    member = Asker(77, groups=frozenset({"sciu-intern"}))
    asked = core.ask("Welche Mittel sind für Projekt Nordlicht angemeldet?", member)
    public = core.ask("Wie beantrage ich ein Diensthandy?", Asker(78))
    restarted = ChatCore(config, index=core.index)  # the remembered answers are gone
    desk = build_exchange(restarted).handoffs
    assert desk.open(asked.question_id, member, chat_id=77, name=None).access == {"sciu-intern"}
    assert desk.open(public.question_id, Asker(78), chat_id=78, name=None).access == frozenset()
    restarted.interactions.close()
