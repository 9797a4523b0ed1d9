"""The registry's records: built from plain values, vocabulary text becomes enumeration members, and a
record that cannot be true is refused on construction."""

from __future__ import annotations

import datetime

import attrs
import pytest

from sanctrack import Action, Confidence, Entity, Transition

D = datetime.date


def test_vocabulary_text_becomes_the_member() -> None:
    t = Transition(id="m.1", measure="m", action="impose", recorded=D(2025, 1, 1), effective=D(2025, 1, 1),
                   confidence="reported")
    assert t.action is Action.IMPOSE and t.confidence is Confidence.REPORTED
    assert Transition(id="m.1", measure="m", action="lift", recorded=D(2025, 1, 1),
                      effective=D(2025, 1, 1)).confidence is Confidence.CONFIRMED  # the default


def test_lists_become_tuples_and_records_are_frozen() -> None:
    e = Entity(id="belavia", kind="organisation", name="Belavia", aliases=["OJSC Belavia"])
    assert e.aliases == ("OJSC Belavia",)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.name = "x"  # type: ignore[misc]


def test_an_unknown_action_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"^action 'ban' is not one of: amend, extend, impose, lift, reimpose, "
                                         r"relieve, resume, revoke_relief, suspend$"):
        Transition(id="m.1", measure="m", action="ban", recorded=D(2025, 1, 1), effective=D(2025, 1, 1))


def test_a_transition_needs_a_date_and_until_after_effective() -> None:
    with pytest.raises(ValueError, match=r"^a transition needs an effective date or an announced date$"):
        Transition(id="m.1", measure="m", action="impose", recorded=D(2025, 1, 1))
    with pytest.raises(ValueError, match=r"^until 2025-01-01 must be after effective 2025-01-01"):
        Transition(id="m.1", measure="m", action="impose", recorded=D(2025, 1, 1), effective=D(2025, 1, 1),
                   until=D(2025, 1, 1))


def test_an_announcement_is_pending_and_placed_at_its_announced_date() -> None:
    t = Transition(id="m.2", measure="m", action="lift", recorded=D(2025, 9, 11), announced=D(2025, 9, 11))
    assert t.is_pending and t.when == D(2025, 9, 11)
    done = attrs.evolve(t, effective=D(2025, 11, 4))
    assert not done.is_pending and done.when == D(2025, 11, 4)


def test_the_effective_date_lies_in_its_window() -> None:
    with pytest.raises(ValueError, match=r"^effective 2025-02-01 is outside effective_window "
                                         r"\[2025-01-01, 2025-01-10\]$"):
        Transition(id="m.1", measure="m", action="impose", recorded=D(2025, 3, 1), effective=D(2025, 2, 1),
                   effective_window=(D(2025, 1, 1), D(2025, 1, 10)))
