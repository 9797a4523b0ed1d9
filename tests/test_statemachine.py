"""The state machine: one table, every illegal move named."""

from __future__ import annotations

import datetime as dt

import pytest

import sanctrack as s
from sanctrack._statemachine import replay
from sanctrack._strategies_rules import LEGAL_FROM

D = dt.date


def T(tid, action, eff, **kw):
    return s.Transition(tid, "m", action, recorded=kw.pop("recorded", eff), effective=eff, **kw)


def statuses(transitions, days):
    rep = replay(transitions, program=None, targets=(), instruments={})
    out = []
    for d in days:
        run = None
        for r in rep.runs:
            if r.start <= d:
                run = r
        out.append(None if run is None else (None if run.status is None else str(run.status)))
    return out


def test_the_table_covers_every_action_once():
    assert set(s.TABLE) == set(s.Action)
    assert s.TABLE[s.Action.IMPOSE].sources == frozenset({None})
    assert s.TABLE[s.Action.REIMPOSE].sources == frozenset({s.Status.LIFTED, s.Status.EXPIRED})


def test_the_table_agrees_with_the_reference_reading_of_the_rules():
    """The engine's table and the reference oracle's own table (written apart) allow the same moves."""
    assert list(s.TABLE) == list(LEGAL_FROM)
    assert {a: r.sources for a, r in s.TABLE.items()} == dict(LEGAL_FROM)


@pytest.mark.parametrize("status,action,legal", [
    (None, "impose", True), (None, "relieve", False), (None, "lift", False),
    ("in_force", "impose", False), ("in_force", "relieve", True), ("in_force", "revoke_relief", False),
    ("relieved", "relieve", True), ("relieved", "revoke_relief", True), ("relieved", "suspend", True),
    ("suspended", "resume", True), ("suspended", "relieve", False), ("suspended", "lift", True),
    ("lifted", "lift", False), ("lifted", "reimpose", True), ("lifted", "amend", False),
    ("expired", "reimpose", True), ("expired", "extend", False), ("in_force", "extend", True),
])
def test_legality(status, action, legal):
    assert s.is_legal(status, action) is legal


def test_lifting_what_is_lifted_names_both_transitions():
    with pytest.raises(s.IllegalTransition) as err:
        replay([T("a", "impose", D(2020, 1, 1)), T("b", "lift", D(2020, 2, 1)), T("c", "lift", D(2020, 3, 1))],
               program=None, targets=(), instruments={})
    e = err.value
    assert (e.transition, e.previous, e.status, e.action) == ("c", "b", "lifted", "lift")
    assert "'c'" in str(e) and "'b'" in str(e)


def test_relieving_what_does_not_exist_says_so():
    with pytest.raises(s.IllegalTransition, match="does not exist yet") as err:
        replay([T("r", "relieve", D(2020, 1, 1))], program=None, targets=(), instruments={})
    assert err.value.previous is None


def test_relief_until_lapses_back_to_in_force():
    ts = [T("i", "impose", D(2021, 8, 9)), T("gl4", "relieve", D(2021, 8, 9), until=D(2021, 12, 8))]
    assert statuses(ts, [D(2021, 8, 8), D(2021, 8, 9), D(2021, 12, 7), D(2021, 12, 8)]) == \
        [None, "relieved", "relieved", "in_force"]


def test_impose_until_without_extend_expires():
    # the BIS denial order against Belavia: 180 days, renewed, then not renewed
    ts = [T("tdo", "impose", D(2022, 6, 16), until=D(2022, 12, 13)),
          T("r1", "extend", D(2022, 12, 13), until=D(2023, 6, 11))]
    assert statuses(ts, [D(2022, 12, 12), D(2022, 12, 13), D(2023, 6, 10), D(2023, 6, 11)]) == \
        ["in_force", "in_force", "in_force", "expired"]


def test_extend_after_expiry_is_illegal():
    with pytest.raises(s.IllegalTransition, match="expired"):
        replay([T("a", "impose", D(2022, 1, 1), until=D(2022, 2, 1)),
                T("b", "extend", D(2022, 2, 2), until=D(2022, 6, 1))],
               program=None, targets=(), instruments={})


def test_a_lift_ends_every_relief():
    ts = [T("i", "impose", D(2020, 1, 1)), T("r1", "relieve", D(2020, 2, 1)), T("r2", "relieve", D(2020, 3, 1)),
          T("l", "lift", D(2020, 4, 1)), T("re", "reimpose", D(2020, 5, 1))]
    rep = replay(ts, program=None, targets=(), instruments={})
    by_start = {r.start: r for r in rep.runs}
    assert [x.transition.id for x in by_start[D(2020, 3, 1)].reliefs] == ["r1", "r2"]
    assert by_start[D(2020, 4, 1)].reliefs == () and by_start[D(2020, 4, 1)].status == "lifted"
    assert by_start[D(2020, 5, 1)].reliefs == () and by_start[D(2020, 5, 1)].status == "in_force"


def test_revoke_one_relief_keeps_the_other():
    ts = [T("i", "impose", D(2020, 1, 1)), T("r1", "relieve", D(2020, 2, 1)), T("r2", "relieve", D(2020, 3, 1)),
          T("x", "revoke_relief", D(2020, 4, 1), relief="r1"), T("y", "revoke_relief", D(2020, 5, 1))]
    rep = replay(ts, program=None, targets=(), instruments={})
    runs = {r.start: r for r in rep.runs}
    assert (runs[D(2020, 4, 1)].status, [x.transition.id for x in runs[D(2020, 4, 1)].reliefs]) == ("relieved", ["r2"])
    assert (runs[D(2020, 5, 1)].status, runs[D(2020, 5, 1)].reliefs) == ("in_force", ())


def test_revoking_a_relief_not_in_effect_is_illegal():
    with pytest.raises(s.IllegalTransition, match="'r1' is not in effect"):
        replay([T("i", "impose", D(2020, 1, 1)), T("r1", "relieve", D(2020, 2, 1), until=D(2020, 3, 1)),
                T("r2", "relieve", D(2020, 3, 5)), T("x", "revoke_relief", D(2020, 4, 1), relief="r1")],
               program=None, targets=(), instruments={})


def test_extend_moves_a_relief_until():
    ts = [T("i", "impose", D(2020, 1, 1)), T("r", "relieve", D(2020, 1, 1), until=D(2020, 2, 1)),
          T("e", "extend", D(2020, 1, 20), relief="r", until=D(2020, 3, 1))]
    assert statuses(ts, [D(2020, 2, 1), D(2020, 2, 29), D(2020, 3, 1)]) == ["relieved", "relieved", "in_force"]


def test_suspend_and_resume_keep_the_reliefs():
    ts = [T("i", "impose", D(2020, 1, 1)), T("r", "relieve", D(2020, 1, 2)),
          T("s", "suspend", D(2020, 2, 1)), T("u", "resume", D(2020, 3, 1))]
    assert statuses(ts, [D(2020, 2, 1), D(2020, 3, 1)]) == ["suspended", "relieved"]


def test_amend_changes_program_not_status():
    ts = [T("i", "impose", D(2021, 8, 9)), T("a", "amend", D(2021, 8, 20), program="BELARUS-EO14038")]
    rep = replay(ts, program="BELARUS-EO", targets=("x",), instruments={})
    assert [(str(r.status), r.program) for r in rep.runs] == [("in_force", "BELARUS-EO"),
                                                              ("in_force", "BELARUS-EO14038")]


def test_same_day_transitions_apply_before_that_days_lapses():
    # a relief replaced on the day the old one lapses: relieved without a gap
    ts = [T("i", "impose", D(2020, 1, 1)), T("old", "relieve", D(2020, 1, 1), until=D(2020, 6, 3)),
          T("new", "relieve", D(2020, 6, 3))]
    rep = replay(ts, program=None, targets=(), instruments={})
    last = rep.runs[-1]
    assert last.start == D(2020, 6, 3) and [r.transition.id for r in last.reliefs] == ["new"]
    assert [str(r.status) for r in rep.runs] == ["relieved", "relieved"]
