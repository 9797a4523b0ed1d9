"""sanctrack._index.changes: transitions effective in a range, and states that differ."""

from __future__ import annotations

import sanctrack as s
from sanctrack._index.changes import changes, diff
from sanctrack._index.view import Views

from ._index_fixtures import D, catalog, lifecycle


def _ids(ts):
    return [t.id for t in ts]


def test_changes_are_the_known_effective_transitions_in_the_range():
    corr = s.Transition("t6", "m", "lift", recorded=D(2020, 6, 1), effective=D(2020, 5, 2), corrects="t5")
    cat = catalog(*lifecycle(), corr)
    views = Views()
    every = dict(authority=None, targets=None, kind=None, program=None)
    assert _ids(changes(cat, views, None, D(2020, 1, 1), D(2021, 1, 1), **every)) == ["t1", "t2", "t3", "t4", "t6"]
    assert _ids(changes(cat, views, D(2020, 5, 15), D(2020, 1, 1), D(2021, 1, 1), **every)) == [
        "t1", "t2", "t3", "t4", "t5"]
    assert _ids(changes(cat, views, None, D(2020, 2, 1), D(2020, 4, 1), **every)) == ["t2", "t3"]
    assert changes(cat, views, None, D(2020, 1, 1), D(2021, 1, 1), **dict(every, kind="airspace")) == []
    assert views.built("changes", None) and views.built("changes", D(2020, 5, 15))


def test_diff_lists_the_measures_whose_state_differs():
    cat = catalog(*lifecycle())
    none = dict(authority=None, targets=None, kind=None, program=None)
    (c,) = diff(cat, None, D(2020, 1, 15), D(2020, 3, 15), **none)
    assert (str(c.before.status), str(c.after.status)) == ("in_force", "suspended")
    assert diff(cat, None, D(2020, 1, 15), D(2020, 1, 20), **none) == []
    assert diff(cat, None, D(2020, 1, 15), D(2020, 3, 15), **dict(none, authority="UK")) == []
