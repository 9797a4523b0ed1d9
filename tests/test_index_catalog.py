"""sanctrack._index.catalog: the records by id and the indexes that do not depend on a knowledge date."""

from __future__ import annotations

import pytest

import sanctrack as s
from sanctrack._index.build import build_catalog
from sanctrack._index.catalog import normalise_name

from ._index_fixtures import EU, D

US = s.Authority("US-OFAC", "OFAC", "US", "America/New_York")


def _catalog():
    ents = [s.Entity("acme", "organisation", "ACME Ltd.", aliases=("Acme Trading",)),
            s.Entity("bolt", "organisation", "Bolt")]
    ms = [s.Measure("z-eu", "EU", "blocking", "Z", targets=("acme",)),
          s.Measure("a-us", "US-OFAC", "blocking", "A", program="P1", targets=("bolt",)),
          s.Measure("b-eu", "EU", "airspace", "B", targets=("bolt",))]
    ts = [s.Transition("a1", "a-us", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
          s.Transition("a2", "a-us", "amend", recorded=D(2020, 2, 1), effective=D(2020, 2, 1), targets=("acme",),
                       program="P2"),
          s.Transition("z1", "z-eu", "impose", recorded=D(2020, 1, 5), effective=D(2020, 1, 5))]
    return build_catalog(None, [EU, US], ents, [], [], ms, ts, [], [], None, None)


def test_normalise_name():
    assert normalise_name("OJSC  Belavia-Belarusian Airlines.") == "ojsc belavia belarusian airlines"


def test_measures_in_answer_order_are_by_authority_then_id():
    cat = _catalog()
    assert [tl.measure.id for tl in cat.ranked] == ["b-eu", "z-eu", "a-us"]
    assert cat.rank == {"b-eu": 0, "z-eu": 1, "a-us": 2}


def test_the_measures_against_a_target_include_its_amended_targets_in_answer_order():
    cat = _catalog()
    assert [tl.measure.id for tl in cat.target_timelines(frozenset({"acme"}))] == ["z-eu", "a-us"]
    assert [tl.measure.id for tl in cat.target_timelines(frozenset({"acme", "bolt"}))] == ["b-eu", "z-eu", "a-us"]
    assert cat.target_timelines(frozenset({"nobody"})) == []


def test_filter_values_are_the_whole_registrys_including_amended_programs():
    cat = _catalog()
    assert cat.filter_values("program") == {"P1", "P2"}
    assert {"EU", "US-OFAC"} <= cat.filter_values("authority")
    assert "airspace" in cat.filter_values("kind")
    with pytest.raises(ValueError, match="no filter"):
        cat.filter_values("colour")


def test_names_aliases_and_transitions_are_indexed_on_first_use():
    cat = _catalog()
    assert cat.name_index[normalise_name("acme trading")] == {"acme"}
    assert set(cat.transitions) == {"a1", "a2", "z1"}
    assert cat.knowledge == D(2020, 2, 1)


def test_every_attribute_is_declared():
    with pytest.raises(AttributeError):
        _catalog().anything = 1  # type: ignore[attr-defined]
