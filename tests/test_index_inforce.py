"""sanctrack._index.inforce: the one in_force path choice, and the indexes behind it."""

from __future__ import annotations

import pytest

from sanctrack._index import accel
from sanctrack._index.inforce import (
    OPEN_END,
    InForceIndex,
    in_force,
    in_force_path,
    matches,
)
from sanctrack._index.point import state_of
from sanctrack._index.view import Views

from ._index_fixtures import D, catalog, lifecycle


@pytest.mark.parametrize(("targets", "calendar", "worth", "numpy", "path"), [
    (True, True, True, True, "targets"),
    (True, False, False, False, "targets"),
    (False, False, True, True, "each"),  # an instant: each measure in its zone
    (False, True, False, True, "each"),  # a knowledge date asked once
    (False, True, True, True, "numpy"),
    (False, True, True, False, "blocks"),
])
def test_the_path_choice(targets, calendar, worth, numpy, path):
    assert in_force_path(targets=targets, calendar_date=calendar, worth_index=worth, numpy=numpy) == path


class _Store:
    """A stand-in run store: run ``i``'s answer is ``(name, i)``."""

    def __init__(self, name):
        self.name = name

    def answer(self, i):
        return (self.name, i)


@pytest.mark.parametrize("blocks", [1, 3, 50])
def test_the_block_index_finds_exactly_the_runs_alive_on_a_day_in_rank_order(blocks):
    stores = [_Store(n) for n in "abcd"]
    spans = [(0, 10, 20), (0, 25, OPEN_END), (1, 5, 30), (2, 15, 16), (3, 1, 2), (3, 18, 40)]
    runs = [(r, a, b, stores[r], i) for i, (r, a, b) in enumerate(spans)]
    index = InForceIndex(runs, blocks=blocks)
    for o in range(45):
        want = [(stores[r].name, i) for i, (r, a, b) in sorted(enumerate(spans), key=lambda x: (x[1][0], x[1][1]))
                if a <= o < b]
        assert index.at(o) == want, o
        assert index.at(o) == want  # again, from the memo


def test_each_path_gives_the_same_answers(monkeypatch):
    cat = catalog(*lifecycle())
    days = [D(2019, 12, 31)] + [D(2020, n, 1) for n in range(1, 7)]
    each = [in_force(cat, Views(), None, d, None) for d in days]
    assert [len(x) for x in each] == [0, 1, 1, 0, 1, 0, 0]
    for numpy_on in ([True, False] if accel.available() else [False]):
        if not numpy_on:
            monkeypatch.setattr(accel, "numpy", None)
        views = Views()
        for _ in range(2):  # the second ask builds the index
            assert [in_force(cat, views, None, d, None) for d in days] == each
        assert views.built("in_force_arrays" if numpy_on else "in_force_blocks", None)
    assert in_force(cat, Views(), None, D(2020, 1, 5), frozenset({"nobody"})) == []


def test_matches_applies_every_filter():
    cat = catalog(*lifecycle(), targets=("acme",))
    a = state_of(cat, cat.timelines["m"], D(2020, 1, 15), None)
    assert matches(a, "EU", frozenset({"acme"}), "blocking", None)
    assert not matches(a, "UK", None, None, None)
    assert not matches(a, None, frozenset({"other"}), None, None)
    assert not matches(a, None, None, "airspace", None)
    assert not matches(a, None, None, None, "P9")


def test_the_first_ask_on_a_view_that_holds_other_indexes_answers_each_measure():
    cat = catalog(*lifecycle())
    views = Views()
    views.of(None).index("changes", lambda y: {})  # the view exists, with another index built
    first = in_force(cat, views, None, D(2020, 2, 1), None)
    assert [s.measure.id for s in first] == ["m"] and not views.built("in_force_blocks", None)
    assert in_force(cat, views, None, D(2020, 2, 1), None) == first  # the second ask builds an index
    assert views.built("in_force_arrays", None) or views.built("in_force_blocks", None)
