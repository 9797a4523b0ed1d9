"""A warm-loaded registry (a load cache hit) answers its first questions exactly as a cold-built one."""

from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

import sanctrack
from sanctrack import Registry, strategies
from sanctrack._dump import write_registry


def question_days(reg: Registry) -> list[_dt.date]:
    """Every day a state may change on, the day before it, and one day long before and after."""
    days = {_dt.date(1990, 1, 1), _dt.date(2090, 1, 1)}
    for t in reg.transitions:
        e = t.effective
        if type(e) is _dt.date:
            days.update((e, e - _dt.timedelta(days=1)))
    return sorted(days)


def warm_pair(records: dict[str, Any], tmp: Path) -> tuple[Registry, Registry, Path]:
    """The cold-built registry, and the folder holding it and its cache entry."""
    cold = Registry.build(**records)
    root = tmp / "reg"
    write_registry(cold, root)
    sanctrack.load(str(root), cache=True, cache_dir=tmp / "cache")  # writes the entry
    return cold, sanctrack.load(str(root), cache=True, cache_dir=tmp / "cache"), root


SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
RECORDS = strategies.registry_records(max_size=4, with_corrections=True, with_pending=True,
                                      with_windows=True, recorded_lag=20)


@SETTINGS
@given(records=RECORDS)
def test_first_in_force_after_a_warm_load_is_the_cold_answer(records: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cold, _, root = warm_pair(records, Path(tmp))
        for day in question_days(cold):
            warm = sanctrack.load(str(root), cache=True, cache_dir=Path(tmp) / "cache")  # its first question
            assert warm.in_force(day) == cold.in_force(day), day
            assert warm.in_force(day) == cold.in_force(day), day  # and its second (the index)


@SETTINGS
@given(records=RECORDS)
def test_first_states_after_a_warm_load_are_the_cold_answers(records: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cold, warm, _ = warm_pair(records, Path(tmp))
        days = question_days(cold)
        for m in cold.measures:
            for day in days:
                assert warm.state(m.id, day) == cold.state(m.id, day), (m.id, day)
            assert warm.history(m.id) == cold.history(m.id), m.id
        for known in sorted({t.recorded for t in cold.transitions}):
            for m in cold.measures:
                assert warm.state(m.id, days[-1], known=known) == cold.state(m.id, days[-1], known=known)


def test_bundled_registry_answers_first_questions_as_cold(tmp_path: Path) -> None:
    root = sanctrack.load(cache=False)
    folder = tmp_path / "reg"
    write_registry(root, folder)
    sanctrack.load(str(folder), cache=True, cache_dir=tmp_path / "cache")
    for day in (_dt.date(2014, 3, 20), _dt.date(2022, 3, 1), _dt.date(2025, 1, 1)):
        warm = sanctrack.load(str(folder), cache=True, cache_dir=tmp_path / "cache")
        assert warm.in_force(day) == root.in_force(day)
        assert [warm.state(m.id, day) for m in root.measures] == [root.state(m.id, day) for m in root.measures]
