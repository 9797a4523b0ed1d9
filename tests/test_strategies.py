"""sanctrack.strategies: valid by construction, shrinking to the smallest case, YAML round trips.

The laws:

* every drawn registry builds (``Registry.build`` is the validity check), with
  every option on;
* every history is a legal walk: an ``impose`` first, dates never going back,
  knowledge dates never going back (so every knowledge epoch is legal too);
* ``Registry.state`` agrees with a naive reference replay on every boundary
  date, as known now and as known on every knowledge date, and ``as_known_on``
  views agree with ``known=`` queries;
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
from pathlib import Path

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import Action, Registry, Status
from sanctrack.strategies import answer_of, reference_state
from sanctrack._strategies_walk import Walker
from sanctrack.strategies import (
    MAX_DATE,
    MIN_DATE,
    authorities,
    boundary_dates,
    entities,
    histories,
    instruments,
    measures,
    query_dates,
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
