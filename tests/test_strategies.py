"""sanctrack.strategies: valid by construction, shrinking to the smallest case, YAML round trips.

The laws:

* every drawn registry builds (``Registry.build`` is the validity check), with
  every option on;
* every history is a legal walk: an ``impose`` first, dates never going back,
  knowledge dates never going back (so every knowledge epoch is legal too);
* ``Registry.state`` agrees with the reference oracle
  (:func:`sanctrack.strategies.reference_state`) on every boundary date and at
  instants around timed transitions, as known now and as known on every
  knowledge date; ``Registry.in_force`` agrees with
  :func:`sanctrack.strategies.reference_in_force`; and ``as_known_on`` views
  agree with ``known=`` queries;
* written to YAML and loaded back, a registry has the same digest and the same
  answers on ``query_dates()``;
* the minimal examples are one authority, one measure, one ``impose`` on the
  earliest allowed date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import zoneinfo
from pathlib import Path

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import Action, Registry, Status
from sanctrack._strategies_walk import Walker
from sanctrack.strategies import (
    MAX_DATE,
    MIN_DATE,
    answer_of,
    authorities,
    boundary_dates,
    entities,
    histories,
    instruments,
    measures,
    query_dates,
    reference_in_force,
    reference_state,
    registries,
    registry_records,
    releases,
    sources,
    transitions,
)

D = dt.date
ALL = dict(with_corrections=True, with_pending=True, with_windows=True, recorded_lag=30)
SMALL = settings(max_examples=60)  # for the slowest checks; the profile's count elsewhere
# derandomized: the shrink tests are reproducible (how far a random run shrinks varies between runs)
FIND = settings(database=None, phases=(Phase.generate, Phase.shrink), derandomize=True)


@pytest.fixture
def no_local_constants(monkeypatch):
    """Hold Hypothesis's pool of the local modules' literals empty during a shrink test.

    Recent Hypothesis versions (6.170 here) draw some values from the literals of
    the local modules imported so far. A derandomized ``find()`` then generates, and
    shrinks, differently depending on which test modules ran before it. In the full
    suite the lift test shrank to ``[impose, amend, lift]``, while alone it shrank to
    ``[impose, lift]``. With the pool held empty, the result depends only on the
    strategy. Versions without the pool are unaffected.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without this module
        providers = None
    get = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if get is not None:
        empty = type(get())()
        monkeypatch.setattr(providers, "_get_local_constants", lambda: empty)
    if cache is not None:
        cache.clear()
    yield
    if cache is not None:
        cache.clear()


def _one_measure_registry(trs: tuple, *, targets: tuple = ()) -> Registry:
    return Registry.build(
        authorities=[sanctrack.Authority("US-OFAC", "OFAC", "US", "America/New_York")],
        entities=[sanctrack.Entity(t, "organisation", t.upper()) for t in targets],
        sources=[sanctrack.Source("S1", "Publisher", "https://example.org/1")],
        measures=[sanctrack.Measure("m1", "US-OFAC", "blocking", "Measure one", sources=("S1",))],
        transitions=trs,
    )


# -- valid by construction ---------------------------------------------------------


@given(registry_records(**ALL))
def test_every_registry_with_every_option_builds(records):
    reg = Registry.build(**records)
    assert len(reg.measures) == len(records["measures"])
    assert len(reg.transitions) == len(records["transitions"])


@given(registries())
def test_default_registries_are_plain(reg):
    # no corrections, no announcements, no windows, recorded on the effective date
    for t in reg.transitions:
        assert t.corrects is None and t.announced is None and t.effective_window is None
        assert t.recorded == t.effective
        assert MIN_DATE <= t.effective <= MAX_DATE


@given(histories(**ALL, max_size=12))
def test_histories_are_legal_walks(history):
    steps = [t for t in history if re.fullmatch(r"m1\.t\d+", t.id)]  # not announcements, not corrections
    assert [t.id for t in steps] == [f"m1.t{i}" for i in range(len(steps))]
    assert steps[0].action is Action.IMPOSE
    effective = [t.effective for t in steps]
    assert effective == sorted(effective)
    recorded = [t.recorded for t in steps]
    assert recorded == sorted(recorded)
    for t in history:
        if t.corrects is not None:
            old = next(o for o in history if o.id == t.corrects)
            assert t.recorded >= old.recorded
    _one_measure_registry(history, targets=())  # raises RegistryError if any epoch is illegal


@given(histories(min_size=2, max_size=2, target_ids=("a", "b")))
def test_second_step_is_legal_from_in_force(history):
    first, second = history
    assert first.action is Action.IMPOSE
    if first.until is not None and second.effective > first.until:
        # the impose lapsed before the second step's day: only reimpose is legal
        # (on the until day itself the day's transitions still come first)
        assert second.action is Action.REIMPOSE
    else:
        assert second.action in {Action.AMEND, Action.RELIEVE, Action.EXTEND, Action.SUSPEND, Action.LIFT}
    _one_measure_registry(history, targets=("a", "b"))


@given(transitions(with_windows=True))
def test_transitions_are_locally_valid(t):
    assert t.measure == "m1" and t.sources
    if t.effective_window is not None:
        assert t.effective_window[0] <= t.effective <= t.effective_window[1]
    if t.until is not None:
        assert t.until > t.effective


@given(st.one_of(authorities(), entities(), sources(), instruments(), measures(target_ids=("a",)), releases()))
def test_single_records_are_valid_attrs_records(record):
    # validators ran on construction; the plain form is JSON-ready text
    from sanctrack._canonical import canonical_json, plain

    assert canonical_json(plain(record))


@given(registry_records(min_date=D(2025, 1, 1), max_date=D(2025, 3, 31), **ALL))
def test_dates_stay_within_the_bounds(records):
    lo, hi = D(2025, 1, 1), D(2025, 3, 31)
    for t in records["transitions"]:
        for d in (t.effective, t.until, t.announced, t.recorded, t.published, *(t.effective_window or ())):
            assert d is None or lo <= d <= hi
    for r in records["releases"]:
        assert lo <= r.date <= hi and lo <= r.recorded <= hi


# -- shrinking -------------------------------------------------------------------------


def test_the_smallest_registry_is_one_authority_one_measure_one_impose(no_local_constants):
    reg = find(registries(), lambda r: True, settings=FIND)
    assert len(reg.authorities) == 1 and len(reg.measures) == 1 and len(reg.sources) == 1
    (t,) = reg.transitions
    assert t.action is Action.IMPOSE and t.effective == MIN_DATE and t.until is None
    assert reg.releases == ()


def test_a_lift_shrinks_to_impose_then_lift_on_the_same_day(no_local_constants):
    h = find(histories(), lambda h: any(t.action is Action.LIFT for t in h), settings=FIND)
    assert [(t.action, t.effective) for t in h] == [(Action.IMPOSE, MIN_DATE), (Action.LIFT, MIN_DATE)]


def test_an_expiry_shrinks_to_a_one_day_impose(no_local_constants):
    def expires(h):
        reg = _one_measure_registry(h)
        return any(s.status is Status.EXPIRED for s in reg.history("m1"))

    h = find(histories(), expires, settings=FIND)
    assert [(t.action, t.effective, t.until) for t in h] == [(Action.IMPOSE, MIN_DATE, MIN_DATE + dt.timedelta(1))]


# -- against a naive reference replay ---------------------------------------------------


@given(registry_records(**ALL))
def test_state_agrees_with_the_reference_replay_on_every_boundary(records):
    reg = Registry.build(**records)
    trs = records["transitions"]
    for m in records["measures"]:
        knowns = [None, *sorted({t.recorded for t in trs if t.measure == m.id})]
        for on in boundary_dates(reg, m.id):
            for known in knowns:
                assert answer_of(reg.state(m.id, on, known=known)) == reference_state(m, trs, on, known), \
                    (m.id, on, known)


@SMALL
@given(registry_records(**ALL))
def test_in_force_agrees_with_the_reference_replay(records):
    reg = Registry.build(**records)
    ms, trs = records["measures"], records["transitions"]
    entity_ids = [e.id for e in records["entities"]]
    for on in boundary_dates(reg)[::3]:
        assert tuple(s.measure.id for s in reg.in_force(on)) == reference_in_force(ms, trs, on), on
        for eid in entity_ids:
            assert tuple(s.measure.id for s in reg.in_force(on, target=eid)) == \
                reference_in_force(ms, trs, on, target=eid), (on, eid)


@SMALL
@given(registry_records(**ALL), st.data())
def test_state_at_an_instant_agrees_with_the_reference_replay(records, data):
    """Some transitions get an ``effective_at`` on their effective day (in the authority's zone).

    Within a day the times never go back in registry order, and once one
    record of the day is timed the later ones are too, so the history stays
    legal (an untimed record counts as the start of its day).
    """
    zones = {a.code: a.timezone for a in records["authorities"]}
    zone_of = {m.id: zones[m.authority] for m in records["measures"]}
    timed, hours = [], {}
    for t in records["transitions"]:
        key = (t.measure, t.effective)
        if t.effective is not None and (key in hours or data.draw(st.booleans())):
            hours[key] = min(22, hours[key] + data.draw(st.integers(0, 3))) if key in hours else \
                data.draw(st.integers(4, 12))
            at = dt.datetime(t.effective.year, t.effective.month, t.effective.day, hours[key],
                             tzinfo=zoneinfo.ZoneInfo(zone_of[t.measure]))
            t = attrs.evolve(t, effective_at=at)
        timed.append(t)
    records = {**records, "transitions": tuple(timed)}
    reg = Registry.build(**records)
    one = dt.timedelta(seconds=1)
    for m in records["measures"]:
        tz = zoneinfo.ZoneInfo(zone_of[m.id])
        instants = [i for t in timed if t.measure == m.id and t.effective_at is not None
                    for i in (t.effective_at - one, t.effective_at)]
        instants += [dt.datetime(d.year, d.month, d.day, tzinfo=tz) for d in boundary_dates(reg, m.id)[::4]]
        for known in (None, *sorted({t.recorded for t in timed if t.measure == m.id})[:2]):
            for at in instants:
                assert answer_of(reg.state(m.id, at, known=known)) == \
                    reference_state(m, timed, at, known, timezone=zone_of[m.id]), (m.id, at, known)


def test_the_reference_replay_refuses_an_instant_without_a_zone_and_a_naive_datetime():
    m = sanctrack.Measure("m1", "EU", "blocking", "M")
    with pytest.raises(ValueError, match="timezone="):
        reference_state(m, (), dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="naive"):
        reference_state(m, (), dt.datetime(2025, 1, 1), timezone="UTC")


def test_the_reference_replay_applies_a_timed_transition_from_its_instant_on():
    m = sanctrack.Measure("m1", "EU", "blocking", "M")
    brussels = zoneinfo.ZoneInfo("Europe/Brussels")
    noon = dt.datetime(2025, 3, 1, 12, tzinfo=brussels)
    trs = (sanctrack.Transition("i", "m1", "impose", recorded=D(2025, 1, 1), effective=D(2025, 1, 1),
                                until=D(2025, 3, 1)),
           sanctrack.Transition("e", "m1", "extend", recorded=D(2025, 1, 1), effective=D(2025, 3, 1),
                                effective_at=noon, until=D(2025, 4, 1)))

    def status(at):
        return reference_state(m, trs, at, timezone="Europe/Brussels").status

    # the until of 1 March has passed at every moment of that day, until the extension applies at noon
    assert status(noon - dt.timedelta(seconds=1)) == "expired"
    assert status(noon) == "in_force"
    assert status(dt.datetime(2025, 3, 1, 11, 30, tzinfo=dt.UTC)) == "in_force"  # 12:30 in Brussels
    assert reference_state(m, trs, D(2025, 3, 1)).status == "in_force"  # the whole day: the extension applied


@given(registries(**ALL), st.data())
def test_as_known_on_views_agree_with_known_queries(reg, data):
    recorded = sorted({t.recorded for t in reg.transitions})
    y = data.draw(st.sampled_from(recorded) | query_dates(reg))
    view = reg.as_known_on(y)
    assert view.digest == reg.digest and view.known == y
    for m in reg.measures:
        for on in boundary_dates(reg, m.id):
            assert view.state(m.id, on) == reg.state(m.id, on, known=y)


# -- YAML round trip -----------------------------------------------------------------------


@SMALL
@given(registries(**ALL), st.data())
def test_written_to_yaml_and_loaded_back_gives_the_same_digest_and_answers(reg, data):
    from sanctrack._dump import write_registry

    with tempfile.TemporaryDirectory() as tmp:
        path = write_registry(reg, Path(tmp) / "registry")
        loaded = sanctrack.load(path, cache=False)
    assert loaded.digest == reg.digest
    dates = data.draw(st.lists(query_dates(reg), min_size=1, max_size=10))
    for m in reg.measures:
        for on in dates:
            assert loaded.state(m.id, on) == reg.state(m.id, on)


# -- query dates -----------------------------------------------------------------------------


def test_boundary_dates_are_each_boundary_and_its_neighbours():
    trs = (
        sanctrack.Transition("m1.impose", "m1", "impose", D(2025, 9, 11), effective=D(2025, 9, 11), sources=("S1",)),
        sanctrack.Transition("m1.gl", "m1", "relieve", D(2025, 9, 11), effective=D(2025, 9, 11),
                             until=D(2025, 10, 1), sources=("S1",)),
    )
    reg = _one_measure_registry(trs)
    assert boundary_dates(reg) == (D(2025, 9, 10), D(2025, 9, 11), D(2025, 9, 12),
                                   D(2025, 9, 30), D(2025, 10, 1), D(2025, 10, 2))


@given(registries(**ALL), st.data())
def test_query_dates_are_mostly_boundaries_and_always_in_bounds(reg, data):
    near = set(boundary_dates(reg))
    for _ in range(5):
        d = data.draw(query_dates(reg))
        assert d in near or MIN_DATE <= d <= MAX_DATE


@given(query_dates(registries()))
def test_query_dates_of_a_registry_strategy_are_pairs(pair):
    reg, d = pair
    assert isinstance(reg, Registry) and isinstance(d, dt.date)


def test_bad_options_are_refused():
    with pytest.raises(ValueError):
        histories(min_size=0)
    with pytest.raises(ValueError):
        registry_records(min_date=D(2025, 1, 2), max_date=D(2025, 1, 1))
    with pytest.raises(ValueError):
        query_dates(min_date=D(2025, 1, 2), max_date=D(2025, 1, 1))


# -- the walker ------------------------------------------------------------------------------


def test_walker_lapses_before_a_day_not_on_it():
    w = Walker()
    w.advance(D(2025, 1, 1))
    w.apply(Action.IMPOSE, "i", until=D(2025, 2, 1))
    w.advance(D(2025, 2, 1))  # the expiry day: the day's transitions come first
    assert w.status is Status.IN_FORCE and Action.EXTEND in w.options()
    assert w.status_at_end_of_day() is Status.EXPIRED
    w.advance(D(2025, 2, 2))
    assert w.status is Status.EXPIRED and w.options() == [Action.REIMPOSE]


def test_walker_relief_lapse_returns_to_in_force_and_suspension_keeps_reliefs():
    w = Walker()
    w.advance(D(2025, 1, 1))
    w.apply(Action.IMPOSE, "i")
    w.apply(Action.RELIEVE, "r", until=D(2025, 1, 10))
    w.apply(Action.SUSPEND, "s")
    assert w.reliefs == {"r": D(2025, 1, 10)} and w.extendable() == ["r"]
    w.advance(D(2025, 1, 10))
    assert w.reliefs == {"r": D(2025, 1, 10)}
    w.advance(D(2025, 1, 11))
    assert w.reliefs == {} and w.status is Status.SUSPENDED
    w.apply(Action.RESUME, "x")
    assert w.status is Status.IN_FORCE
    with pytest.raises(ValueError):
        w.apply(Action.RESUME, "y")
    with pytest.raises(ValueError):
        w.advance(D(2025, 1, 1))


# -- packaging -----------------------------------------------------------------------------


def _python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_import_sanctrack_does_not_import_strategies_or_hypothesis():
    out = _python("import sys, sanctrack; print('sanctrack.strategies' in sys.modules, 'hypothesis' in sys.modules)")
    assert out.stdout.strip() == "False False", out.stderr


def test_importing_strategies_without_hypothesis_names_the_extra():
    out = _python("import sys; sys.modules['hypothesis'] = None\n"
                  "try:\n    import sanctrack.strategies\nexcept ImportError as e:\n    print(e)")
    assert out.stdout.strip() == ("sanctrack.strategies needs hypothesis, which is not installed: "
                                  "pip install 'sanctrack[strategies]'"), out.stderr


def test_the_example_runs(tmp_path):
    example = Path(__file__).resolve().parents[1] / "examples" / "property_test_example.py"
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(example)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert " passed" in out.stdout
