"""sanctrack._index.point: one measure's state, as known on a date, and its facts/projection marks."""

from __future__ import annotations

import sanctrack as s
from sanctrack._index.point import (
    effective_known,
    mark,
    mark_all,
    marked_as,
    projected,
    state_of,
)

from ._index_fixtures import D, catalog, lifecycle, one_measure


def test_the_knowledge_date_is_capped_by_the_views():
    assert effective_known(None, None) is None
    assert effective_known(None, "2020-02-01") == D(2020, 2, 1)
    assert effective_known(D(2020, 1, 1), "2020-02-01") == D(2020, 1, 1)
    assert effective_known(D(2020, 3, 1), "2020-02-01") == D(2020, 2, 1)
    assert effective_known(D(2020, 3, 1), None) == D(2020, 3, 1)


def test_state_of_answers_like_the_registry_for_every_knowledge_date():
    cat = catalog(*lifecycle())
    reg = s.Registry.build(**one_measure(*lifecycle()))
    tl = cat.timelines["m"]
    for y in (None, D(2019, 1, 1), D(2020, 2, 1), D(2020, 4, 15)):
        for n in range(1, 13):
            day = D(2020, n, 10)
            assert state_of(cat, tl, day, y) == reg.state("m", day, known=y)
    assert str(state_of(cat, tl, D(2020, 4, 10), D(2020, 2, 1)).status) == "relieved"  # the suspend unknown yet


def test_an_answer_after_the_knowledge_date_is_a_projection_and_made_once():
    cat = catalog(*lifecycle())
    fact = state_of(cat, cat.timelines["m"], D(2020, 5, 1), None)
    assert not fact.projection
    later = D(2021, 1, 1).toordinal()
    p = mark(cat, fact, later, None)
    assert p.projection and p == s.Registry.build(**one_measure(*lifecycle())).state("m", "2021-01-01")
    assert projected(cat, fact) is p is mark(cat, fact, later, None)
    assert mark(cat, fact, D(2020, 5, 1).toordinal(), None) is fact


def test_a_known_date_marks_each_answer_once():
    cat = catalog(*lifecycle())
    s1 = state_of(cat, cat.timelines["m"], D(2020, 2, 15), None)
    y = D(2020, 3, 1)
    a = marked_as(cat, s1, y, False)
    assert a.knowledge == y and not a.projection and marked_as(cat, s1, y, False) is a
    assert mark_all(cat, [s1], D(2020, 4, 1).toordinal(), y) == [marked_as(cat, s1, y, True)]
    assert mark_all(cat, [s1], D(2020, 2, 15).toordinal(), None) == [s1]
