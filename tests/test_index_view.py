"""sanctrack._index.view: one view per knowledge date, each index made once, a bounded number of views kept."""

from __future__ import annotations

import threading

import pytest

from sanctrack._index.view import KEPT, View, Views

from ._index_fixtures import D


def test_a_knowledge_date_has_one_view_until_it_is_dropped():
    views = Views()
    assert views.of(D(2020, 1, 1)) is views.of(D(2020, 1, 1))
    assert views.of(None) is views.of(None)
    assert views.of(None) is not views.of(D(2020, 1, 1))


def test_the_everything_known_view_is_kept_and_the_oldest_other_goes_first():
    views = Views()
    everything = views.of(None)
    first = views.of(D(2000, 1, 1))
    for n in range(KEPT):
        views.of(D(2001 + n, 1, 1))
    assert views.of(None) is everything
    assert views.of(D(2000, 1, 1)) is not first  # dropped, made anew
    assert views.of(D(2000 + KEPT, 1, 1)) is views.of(D(2000 + KEPT, 1, 1))


def test_an_index_is_worth_building_on_the_second_ask_or_once_built():
    views = Views()
    assert not views.worth("changes", None)
    assert views.worth("changes", None)
    assert not views.worth("changes", D(2020, 1, 1))  # asked per knowledge date and per index
    assert not views.worth("flips", None)
    views.of(D(2021, 1, 1)).index("flips", lambda y: {})
    assert views.built("flips", D(2021, 1, 1)) and views.worth("flips", D(2021, 1, 1))


def test_an_index_is_made_once_whatever_the_threads():
    view = View(D(2020, 1, 1))
    made = []
    barrier = threading.Barrier(8)

    def make(known):
        made.append(known)
        return [known]

    def ask():
        barrier.wait()
        view.index("changes", make)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [D(2020, 1, 1)] and view.changes == [D(2020, 1, 1)]
    assert "changes" in repr(view)


def test_a_view_has_only_its_declared_indexes():
    with pytest.raises(ValueError, match="no index"):
        View(None).index("anything", lambda y: 1)
    with pytest.raises(AttributeError):
        View(None).other = 1  # type: ignore[attr-defined]
