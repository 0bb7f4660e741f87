"""Scanning the knowledge folder: hostile entries are skipped with a reason and never block or crash."""
import os
from pathlib import Path

import pytest

from indexer.readers import UnreadableDocument
from indexer.scan import display_path, read_source, scan_knowledge
from tests.hostile_files import make_link_loops, make_special_files


def scan(root: Path) -> tuple[set[str], dict[str, str]]:
    files, skipped = scan_knowledge(root, 1_000_000)
    return {source.rel for source in files}, {item.path: item.reason for item in skipped}


def test_special_files_are_skipped_by_type_without_opening_them(tmp_path):
    (tmp_path / "gut.md").write_text("# Gut\n")
    kinds = make_special_files(tmp_path)
    files, skipped = scan(tmp_path)
    assert files == {"gut.md"}
    assert skipped == {name: f"keine normale Datei ({kind})" for name, kind in kinds.items()}


def test_symlink_loops_between_files_and_folders_are_reported(tmp_path):
    loops = make_link_loops(tmp_path)
    os.symlink("fehlt.md", tmp_path / "leer.md")
    (tmp_path / "eins" / "echt.md").write_text("# Echt\n")
    files, skipped = scan(tmp_path)
    assert files == {"eins/echt.md"}
    assert skipped == {**{name: "Verknüpfung führt im Kreis" for name in loops}, "leer.md": "Verknüpfung zeigt ins Leere"}


def test_names_with_control_characters_or_invalid_utf8_are_skipped_and_shown_escaped(tmp_path):
    (tmp_path / "zeile\n1. Gefälscht.md").write_text("x")
    (tmp_path / "rechts\u202egnp.md").write_text("x")
    (tmp_path / "ordner\r").mkdir()
    (tmp_path / "ordner\r" / "drin.md").write_text("x")
    with open(os.fsencode(tmp_path) + b"/caf\xe9.md", "wb") as handle:
        handle.write(b"x")
    (tmp_path / "Grüße – gut.md").write_text("x")
    files, skipped = scan(tmp_path)
    assert files == {"Grüße – gut.md"}
    assert set(skipped) == {"zeile\\n1. Gefälscht.md", "rechts\\u202egnp.md", "ordner\\r", "caf\\xe9.md"}
    assert all("\n" not in path and "umbenennen" in reason for path, reason in skipped.items())


def test_display_path_keeps_ordinary_names():
    assert display_path("Ordner/Grüße – Übersicht.md") == "Ordner/Grüße – Übersicht.md"


def test_a_file_that_became_a_fifo_after_the_scan_is_not_opened_blocking(tmp_path):
    (tmp_path / "a.md").write_text("# A\n")
    (source,), _ = scan_knowledge(tmp_path, 1000)
    (tmp_path / "a.md").unlink()
    os.mkfifo(tmp_path / "a.md")
    with pytest.raises(UnreadableDocument, match="FIFO"):
        read_source(source, 1000)


def test_a_file_that_grew_after_the_scan_is_read_only_up_to_the_limit(tmp_path):
    (tmp_path / "a.md").write_text("# A\n")
    (source,), _ = scan_knowledge(tmp_path, 1000)
    (tmp_path / "a.md").write_text("x" * 5000)
    with pytest.raises(UnreadableDocument, match="zu groß"):
        read_source(source, 1000)


def test_files_come_in_folder_walk_order_with_skips_where_they_are_met(tmp_path):
    for rel in ("b.md", "a/z.md", "a/b/c.md", "a/a.txt", ".versteckt/x.md", "a/.x.md", "c.xyz", "_ordner.toml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("# X\n")
    (tmp_path / "a" / "_ordner.toml").mkdir()  # a folder of that name is an ordinary folder
    (tmp_path / "a" / "_ordner.toml" / "d.md").write_text("# D\n")
    os.symlink(tmp_path / "a", tmp_path / "verweis")
    files, skipped = scan_knowledge(tmp_path, 1_000_000)
    assert [source.rel for source in files] == ["b.md", "a/a.txt", "a/z.md", "a/_ordner.toml/d.md", "a/b/c.md"]
    assert [item.path for item in skipped] == ["c.xyz"]
