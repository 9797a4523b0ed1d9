"""sanctrack._index.stored: every measure's latest runs kept in the load cache, restored without a replay."""

from __future__ import annotations

import datetime as _dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import sanctrack
from sanctrack import Registry, _cache, strategies
from sanctrack._index import stored as _stored
from sanctrack._index import timeline as _timeline
from sanctrack._reading import Records

from ._index_fixtures import EU, D, measure

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
RECORDS = strategies.registry_records(max_size=4, max_transitions=8, with_corrections=True, with_pending=True,
                                      with_windows=True, recorded_lag=20)


def cached(records: dict[str, Any], folder: Path) -> tuple[Registry, Registry]:
    """The registry built from ``records``, and the one a load-cache hit restores from its entry."""
    cold = Registry.build(**records)
    assert _cache.put("0" * 64, Records(**records), cold, folder)
    warm = _cache.get("0" * 64, folder)
    assert warm is not None
    return cold, warm


def days_of(reg: Registry) -> list[_dt.date]:
    days = {D(1900, 1, 1), D(2199, 1, 1)}
    for t in reg.transitions:
        for d in (t.effective, t.announced, t.until):
            if type(d) is _dt.date:
                days.update((d, d - _dt.timedelta(days=1)))
    return sorted(days)


@SETTINGS
@given(records=RECORDS)
def test_restored_runs_are_the_replayed_runs(records: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cold, warm = cached(records, Path(tmp))
        ccat, wcat = cold._catalog, warm._catalog
        for mid, ctl in ccat.timelines.items():
            wtl = wcat.timelines[mid]
            assert wtl.prepared_state() == ctl.prepared_state()
            if ctl.n == 0:
                continue
            assert wtl.stored is not None and wtl.latest is None  # stored, not yet restored
            want = ccat.runs(ctl, ctl.n)
            got = wcat.runs(wtl, wtl.n)
            assert (list(got), got.codes) == (list(want), want.codes), mid
            for o in [*want, min(want) - 1]:  # every run, and the state before the first
                assert got.live_at(o) == want.live_at(o)
            assert got.states() == want.states(), mid
            assert got.answer(-1) == want.answer(-1)
            # the records an answer shows are the restored registry's own objects
            for s in got.states():
                for t in (s.transition, s.basis, *s.pending, *s.lapsed, *(r.transition for r in s.reliefs)):
                    if t is not None:
                        assert t is warm.transition(t.id)


@SETTINGS
@given(records=RECORDS)
def test_a_warm_load_answers_dates_known_now_without_a_replay(records: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cold, warm = cached(records, Path(tmp))
        days = days_of(cold)
        replayed: list[str] = []
        real = _timeline.replay

        def counting(*args: Any, **kw: Any) -> Any:
            replayed.append("x")
            return real(*args, **kw)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_timeline, "replay", counting)
            for day in days:
                assert warm.in_force(day) == cold.in_force(day), day
            for m in cold.measures:
                for day in days:
                    assert warm.state(m.id, day) == cold.state(m.id, day), (m.id, day)
        wide = [tl for tl in warm._catalog.timelines.values() if tl.n and tl.stored is None]
        assert replayed == [] or wide  # only a measure whose runs could not be stored is replayed


def test_a_measure_with_more_than_255_records_is_replayed_and_answers_alike(tmp_path: Path) -> None:
    acts = ["impose"] + ["relieve", "revoke_relief"] * 150
    ts = []
    day = D(2000, 1, 1)
    for n, act in enumerate(acts):
        relief = f"t{n - 1}" if act == "revoke_relief" else None
        ts.append(sanctrack.Transition(f"t{n}", "m", act, recorded=day, effective=day, relief=relief))
        day += _dt.timedelta(days=3)
    records = {"authorities": [EU], "measures": [measure("m")], "transitions": ts}
    cold, warm = cached(records, tmp_path)
    assert warm._catalog.timelines["m"].stored is None  # more than 255 records: an int-array store
    for d in (D(2000, 1, 1), D(2000, 1, 4), D(2001, 6, 1), day):
        assert warm.state("m", d) == cold.state("m", d)
        assert warm.in_force(d) == cold.in_force(d)


def test_runs_that_cannot_be_read_back_are_replayed(tmp_path: Path) -> None:
    ts = [sanctrack.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1),
                               until=D(2021, 1, 1)),
          sanctrack.Transition("t2", "m", "relieve", recorded=D(2020, 2, 1), effective=D(2020, 2, 1))]
    records = {"authorities": [EU], "measures": [measure("m")], "transitions": ts}
    cold = Registry.build(**records)
    section = _stored.encode(cold._catalog, ["m"], {"m": ts})
    assert json.loads(section["palettes"]["0"])[0] == "dr"  # the lapse day, then the relief
    section["palettes"]["0"] = "[not json"
    runs = _stored.StoredRuns(section, ["m"])
    warm = sanctrack.Registry.build(authorities=[EU], measures=[measure("m")], _verified_digest=cold.digest,
                                    _deferred=_build_deferred(ts, runs))
    for d in (D(2019, 12, 31), D(2020, 1, 1), D(2020, 2, 1), D(2021, 1, 1)):
        assert warm.state("m", d) == cold.state("m", d)
    assert warm._catalog.timelines["m"].latest is not None  # replayed, and kept


def _build_deferred(ts: list[sanctrack.Transition], runs: _stored.StoredRuns) -> Any:
    from sanctrack._index.build import Deferred

    class Lazy(list):  # type: ignore[type-arg]
        def reordered(self, order: list[int]) -> Lazy:
            return Lazy(self[i] for i in order)

    return Deferred(len(ts), {"m": Lazy(ts)}, max(t.recorded for t in ts), runs)


@pytest.mark.parametrize("breakage", [
    lambda s: s.update(flags=s["flags"][:-4]),  # one flag short
    lambda s: s.update(starts=""),  # starts shorter than the runs counted
    lambda s: s.update(orders={"0": "[0]"}, palettes={}),  # an order that is not a permutation of its records
    lambda s: s.update(palettes={"7": "[]"}),  # a palette of no measure
])
def test_a_malformed_runs_section_is_refused(breakage: Any) -> None:
    ts = [sanctrack.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
          sanctrack.Transition("t2", "m", "lift", recorded=D(2020, 1, 2), effective=D(2020, 1, 2))]
    cold = Registry.build(authorities=[EU], measures=[measure("m")], transitions=ts)
    section = _stored.encode(cold._catalog, ["m"], {"m": ts})
    _stored.StoredRuns(section, ["m"]).timeline(measure("m"), "UTC", ts)
    breakage(section)
    with pytest.raises((ValueError, KeyError, TypeError)):
        _stored.StoredRuns(section, ["m"]).timeline(measure("m"), "UTC", ts)


def test_an_entry_written_by_another_engine_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    sanctrack.load(cache=True, cache_dir=folder)  # writes the entry
    (entry,) = folder.glob("registry-*.json")
    key = entry.name[len("registry-"):-len(".json")]
    assert _cache.get(key, folder) is not None
    monkeypatch.setattr(_cache, "_ENGINE", ["another engine"])
    assert _cache.get(key, folder) is None
