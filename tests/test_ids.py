"""Prefixed ids across fronts, and the configuration that names people by them."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.access import AccessPolicy
from bot.config import ConfigError, load_config
from bot.core import Asker, owner_handle
from bot.ids import MATRIX, TELEGRAM, is_valid, local, qualify, telegram_id


def test_ids_carry_their_front() -> None:
    assert qualify(123) == qualify("123") == qualify("telegram:123") == "telegram:123"
    assert qualify(-500) == "telegram:-500" and telegram_id("telegram:-500") == -500
    assert qualify("@anna:bochum.de") == qualify("matrix:@anna:bochum.de") == "matrix:@anna:bochum.de"
    assert qualify("!raum:bochum.de", MATRIX) == "matrix:!raum:bochum.de"
    assert local("matrix:@anna:bochum.de") == "@anna:bochum.de" and telegram_id("matrix:@anna:bochum.de") is None
    assert qualify("terminal:lena") == "terminal:lena"
    assert Asker(1002).user_id == "telegram:1002" and Asker("@anna:bochum.de").user_id == "matrix:@anna:bochum.de"
    assert not is_valid("abc") and not is_valid(True) and is_valid("@anna:bochum.de") and is_valid(7)


def test_allow_lists_and_groups_compare_prefixed_ids(tmp_path: Path) -> None:
    path = tmp_path / "lotse.toml"
    path.write_text('[groups]\nsciu-intern = [1002, "@anna:bochum.de", "telegram:7"]\n'
                    '[handoff]\nfallback_chat_id = "matrix:!team:bochum.de"\n'
                    '[handoff.experts]\n"@lena_hoffmann" = "@lena:bochum.de"\n'
                    '[telegram]\nmax_question_chars = 300\n'
                    '[matrix]\nallowed_users = ["@anna:bochum.de"]\nadmins = ["@lena:bochum.de"]\n', encoding="utf-8")
    config = load_config(path)
    assert config.chat.max_question_chars == 300  # an older file's [telegram] key still counts
    for member in (1002, "telegram:1002", "matrix:@anna:bochum.de", "@anna:bochum.de", 7):
        assert config.groups_of(member) == {"sciu-intern"}
    assert config.groups_of("matrix:@lena:bochum.de") == set() and config.groups_of(None) == set()
    policy = AccessPolicy.from_lists(MATRIX, config.matrix.allowed_users, [], config.matrix.admins)
    assert policy.admits("matrix:@anna:bochum.de", None) and policy.is_admin("matrix:@lena:bochum.de")
    assert not policy.admits("telegram:1002", None)  # a Telegram id is no Matrix allow-list entry
    telegram = AccessPolicy.from_lists(TELEGRAM, [1002], [-500], [])
    assert telegram.admits("telegram:1002", None) and telegram.admits("telegram:9", "telegram:-500")

    path.write_text('[groups]\nsciu-intern = ["anna"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="Matrix-ID"):
        load_config(path)


def test_owner_handles_include_matrix_ids() -> None:
    assert owner_handle("Lena Hoffmann (@lena_hoffmann)") == "@lena_hoffmann"
    assert owner_handle("Lena Hoffmann (@lena:bochum.de)") == "@lena:bochum.de"
    assert owner_handle("SCIU-Team") is None
