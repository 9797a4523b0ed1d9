"""sanctrack._index.point: one measure's state, as known on a date."""

from __future__ import annotations

import sanctrack as s
from sanctrack._index.point import effective_known, state_of

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
