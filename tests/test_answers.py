"""The answers of the queries: what a state, a history and a comparison say about themselves."""

from __future__ import annotations

import pytest

import sanctrack
from sanctrack import Comparison, Position


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


def test_a_relieved_state_is_in_force_and_says_so_in_its_repr(bundled: sanctrack.Registry) -> None:
    s = bundled.state("us-ofac-belavia-sdn", "2025-09-20")
    assert s.exists and s.in_force and s.is_fact
    assert s.measure_id == "us-ofac-belavia-sdn" and s.since == s.valid.start
    assert [r.label for r in s.reliefs] == ["GL 11"]
    assert repr(s).startswith("<MeasureState us-ofac-belavia-sdn relieved v3 ")
    assert " reliefs=[GL 11] pending=[us-ofac-belavia-sdn.announce-2025-09-11]" in repr(s)


def test_before_its_first_transition_a_measure_does_not_exist(bundled: sanctrack.Registry) -> None:
    s = bundled.state("us-ofac-belavia-sdn", "2000-01-01")
    assert not s.exists and not s.in_force and s.status is None


def test_a_history_iterates_over_its_versions(bundled: sanctrack.Registry) -> None:
    h = bundled.history("us-ofac-belavia-sdn")
    assert list(h) == list(h.versions) and len(h) == len(h.versions) and h[0] == h.versions[0]
    assert [v.version for v in h] == list(range(1, len(h) + 1))


def test_a_comparison_is_divergent_when_the_positions_differ() -> None:
    blocked, licensed = Position("US-OFAC", "blocked"), Position("EU", "licensed")
    assert Comparison(target=None, states=(), by_authority=(), positions=(blocked, licensed)).divergent  # type: ignore[arg-type]
    same = Comparison(target=None, states=(), by_authority=(), positions=(blocked, Position("EU", "blocked")))  # type: ignore[arg-type]
    assert not same.divergent
    assert same.position("EU").restricted
    with pytest.raises(KeyError):
        same.position("UK")


def test_without_positions_divergence_is_read_from_the_flags() -> None:
    assert Comparison(target=None, states=(), by_authority=(("EU", True), ("UK", False))).divergent  # type: ignore[arg-type]
    assert not Comparison(target=None, states=(), by_authority=(("EU", True),)).divergent  # type: ignore[arg-type]
