"""sanctrack._index.runs: a measure's state runs, answers made once and kept, flip days, in-force runs."""

from __future__ import annotations

import sanctrack as s
from sanctrack._index.runs import NothingKnown, day_of, marked
from sanctrack._index.timeline import AnswerContext, Timeline

from ._index_fixtures import D, lifecycle, measure


def _runs(transitions=None, k=None):
    tl = Timeline(measure(), "UTC", transitions or lifecycle())
    return tl.runs(tl.n if k is None else k, AnswerContext("sha256:x", D(2020, 5, 1), {}))


def test_a_run_answers_every_day_from_its_start_to_the_next_runs():
    runs = _runs()
    assert len(runs) == 5
    a = runs.at(D(2020, 2, 1).toordinal())
    assert str(a.status) == "relieved" and a.valid == s.Validity(D(2020, 2, 1), D(2020, 3, 1))
    assert runs.at(D(2020, 2, 29).toordinal()) is a  # made once, kept
    before = runs.at(D(2019, 1, 1).toordinal())
    assert before.status is None and before.cause == "none" and before.valid.end == D(2020, 1, 1)


def test_the_states_are_every_runs_answer_oldest_first():
    states = _runs().states()
    assert [str(x.status) for x in states] == ["in_force", "relieved", "suspended", "relieved", "lifted"]
    assert [x.version for x in states] == [1, 2, 3, 4, 5]
    assert [x.transition.id for x in states] == ["t1", "t2", "t3", "t4", "t5"]


def test_flip_days_and_in_force_runs():
    runs = _runs()
    assert runs.flip_days() == (D(2020, 1, 1), D(2020, 3, 1), D(2020, 4, 1), D(2020, 5, 1))
    starts = [day_of(o) for _, o, _ in runs.in_force_runs()]
    assert starts == [D(2020, 1, 1), D(2020, 2, 1), D(2020, 4, 1)]
    assert runs.live() == bytes([1, 1, 0, 1, 0])


def test_nothing_known_answers_unknown():
    tl = Timeline(measure(), "UTC", lifecycle())
    runs = tl.runs(0, AnswerContext("sha256:x", None, {}))
    assert isinstance(runs, NothingKnown) and runs.at(D(2020, 3, 1).toordinal()).cause == "unknown"


def test_a_lapse_answer_names_what_lapsed_and_what_its_status_rests_on():
    t = (s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
         s.Transition("t2", "m", "relieve", recorded=D(2020, 1, 1), effective=D(2020, 2, 1), until=D(2020, 3, 1)))
    lapse = _runs(t).at(D(2020, 3, 1).toordinal())
    assert lapse.cause == "lapse" and str(lapse.status) == "in_force"
    assert lapse.basis.id == "t1" and [x.id for x in lapse.lapsed] == ["t2"]


def test_marked_makes_a_new_answer_only_when_the_marks_differ():
    a = _runs().at(D(2020, 2, 1).toordinal())
    assert marked(a, a.knowledge, a.projection) is a
    p = marked(a, D(2020, 1, 15), True)
    assert p.projection and p.knowledge == D(2020, 1, 15) and p.status == a.status and not p.scheduled


def test_a_measure_with_many_records_answers_like_a_small_one():
    first = D(2000, 1, 3)
    ts = [s.Transition("t0", "m", "impose", recorded=first, effective=first)]
    ts += [s.Transition(f"r{i}", "m", "relieve" if i % 2 else "revoke_relief", recorded=first, effective=day_of(
        first.toordinal() + i)) for i in range(1, 300)]
    runs = _runs(ts)
    assert len(runs) == 300
    assert [str(x.status) for x in runs.states()[:4]] == ["in_force", "relieved", "in_force", "relieved"]
