"""sanctrack._index.lineage: versions, explanations, comparisons and deals as plain functions."""

from __future__ import annotations

import sanctrack as s
from sanctrack._index.lineage import (
    compare,
    deals,
    explain,
    history,
    releases_for,
    transitions_for,
)

from ._index_fixtures import EU, D, catalog, lifecycle


def test_history_marks_each_version_as_known_then():
    cat = catalog(*lifecycle())
    tl = cat.timelines["m"]
    h = history(cat, tl, None)
    assert [str(v.status) for v in h] == ["in_force", "relieved", "suspended", "relieved", "lifted"]
    known = history(cat, tl, D(2020, 2, 15))
    assert [str(v.status) for v in known] == ["in_force", "relieved"]
    assert all(v.knowledge == D(2020, 2, 15) for v in known)


def test_explain_lists_the_steps_up_to_the_day():
    cat = catalog(*lifecycle())
    ex = explain(cat, cat.timelines["m"], D(2020, 3, 15), None)
    assert [st.transition.id for st in ex.steps] == ["t1", "t2", "t3"] and str(ex.state.status) == "suspended"


def test_compare_gives_each_authority_a_position():
    cat = catalog(*lifecycle(), targets=("acme",))
    ents = (cat.entities["acme"],)
    assert [(p.authority, p.position) for p in compare(cat, ents, D(2020, 2, 15), None).positions] == [
        ("EU", "licensed")]
    assert [p.position for p in compare(cat, ents, D(2020, 3, 15), None).positions] == ["lifted"]
    assert [p.position for p in compare(cat, ents, D(2020, 1, 15), None).positions] == ["blocked"]


def test_deals_and_links_both_ways():
    from sanctrack._index.build import build_catalog

    r = s.Release("rel", D(2020, 2, 1), D(2020, 2, 2), count=3)
    ln = s.Link("rel", "t2", "stated", D(2020, 2, 2))
    m = s.Measure("m", "EU", "blocking", "M")
    cat = build_catalog(None, [EU], [], [], [], [m], lifecycle(), [r], [ln], None, None)
    (d,) = deals(cat, [ln], [r])
    assert d.release is r and [x.transition.id for x in d.links] == ["t2"]
    assert [x.release.id for x in releases_for(cat, [ln], "t2")] == ["rel"]
    assert [x.transition.id for x in transitions_for(cat, [ln], "rel")] == ["t2"]
    reg = s.Registry.build(authorities=[EU], measures=[m], transitions=lifecycle(), releases=[r], links=[ln])
    assert reg.deals() == (d,)
