"""Reading ahead on a thread: items in order, errors raised here, the GIL handed over often meanwhile."""
from __future__ import annotations

import sys

import pytest

from indexer.read_ahead import SWITCH_INTERVAL, read_ahead


def test_items_come_in_order_with_a_short_switch_interval_that_is_restored_afterwards():
    before = sys.getswitchinterval()
    seen = []

    def produce():
        for n in range(10):
            yield n

    for item in read_ahead(produce, 3):
        seen.append((item, sys.getswitchinterval()))
    assert seen == [(n, min(before, SWITCH_INTERVAL)) for n in range(10)]
    assert sys.getswitchinterval() == before


def test_a_producer_error_is_raised_here_and_the_interval_restored():
    before = sys.getswitchinterval()

    def produce():
        yield 1
        raise ValueError("kaputt")

    with pytest.raises(ValueError, match="kaputt"):
        list(read_ahead(produce, 2))
    assert sys.getswitchinterval() == before
