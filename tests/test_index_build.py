"""sanctrack._index.build: the catalog of Registry.build, with every check."""

from __future__ import annotations

import pytest

import sanctrack as s
from sanctrack._index import build
from sanctrack._index.build import build_catalog

from ._index_fixtures import EU, D, lifecycle, measure


def _build(*transitions, releases=(), digest=None, deferred=None):
    return build_catalog(None, [EU], [], [], [], [measure()], transitions, releases, [], digest, deferred)


def test_the_knowledge_date_is_the_latest_recorded_and_the_digest_is_the_registrys():
    cat = _build(*lifecycle())
    assert cat.knowledge == D(2020, 5, 1)
    assert cat.digest == s.Registry.build(**dict(authorities=[EU], measures=[measure()],
                                                  transitions=lifecycle())).digest
    assert [t.id for t in cat.timelines["m"].records] == ["t1", "t2", "t3", "t4", "t5"]


def test_every_problem_is_listed_and_nothing_is_built():
    with pytest.raises(s.RegistryError) as err:
        _build(s.Transition("t1", "m", "lift", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
               s.Transition("t2", "nope", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)))
    assert {p.record for p in err.value.problems} >= {"t1", "t2"}


def test_a_verified_digest_skips_the_checks_and_deferred_records_are_made_on_first_use():
    made = []

    class Deferred:  # the records of a measure, made when first iterated
        def __iter__(self):
            made.append(1)
            return iter(lifecycle())

    cat = _build(digest="sha256:given", deferred=build.Deferred(5, {"m": Deferred()}, D(2020, 5, 1)))
    assert cat.digest == "sha256:given" and cat.n_transitions == 5 and not made
    assert cat.timelines["m"].n == 5 and made == [1]


def test_deferred_records_need_a_verified_digest():
    with pytest.raises(ValueError, match="verified"):
        _build(deferred=build.Deferred(0, {}, None))
