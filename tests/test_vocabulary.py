"""The model's vocabularies: members compare equal to their text; what counts as in force."""

from __future__ import annotations

from sanctrack import IN_FORCE, Action, Basis, Confidence, Status
from sanctrack._vocabulary import ENTITY_KINDS, INSTRUMENT_KINDS, MEASURE_KINDS


def test_a_member_is_its_text() -> None:
    assert Action.REVOKE_RELIEF == "revoke_relief" and str(Action.REVOKE_RELIEF) == "revoke_relief"
    assert Status("relieved") is Status.RELIEVED
    assert f"{Confidence.CONFIRMED}" == "confirmed"


def test_the_actions_a_transition_may_take() -> None:
    assert [str(a) for a in Action] == ["impose", "amend", "relieve", "revoke_relief", "extend", "suspend",
                                        "resume", "lift", "reimpose"]


def test_in_force_means_in_force_or_relieved() -> None:
    assert {Status.IN_FORCE, Status.RELIEVED} == IN_FORCE
    assert Status.SUSPENDED not in IN_FORCE and Status.LIFTED not in IN_FORCE


def test_the_kinds_are_sets_of_text() -> None:
    assert {"organisation", "person", "aircraft", "vessel", "country"} <= ENTITY_KINDS
    assert "blocking" in MEASURE_KINDS and "general_licence" in INSTRUMENT_KINDS
    assert all(isinstance(k, str) for k in ENTITY_KINDS | MEASURE_KINDS | INSTRUMENT_KINDS)
    assert {str(b) for b in Basis} >= {"stated", "reported", "inferred"}
