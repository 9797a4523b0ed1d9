"""A registry restored from the load cache makes each measure's transitions on first use: once, in any thread."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import pytest

import sanctrack
from sanctrack import _loader


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sanctrack.Registry:
    folder = tmp_path / "cache"
    sanctrack.load(cache=True, cache_dir=folder)  # writes the entry
    with monkeypatch.context() as m:
        m.setattr(_loader, "load_records", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
        return sanctrack.load(cache=True, cache_dir=folder)


def transitions_alive() -> int:
    gc.collect()
    return sum(type(o) is sanctrack.Transition for o in gc.get_objects())


def test_no_transition_is_made_before_an_answer_shows_it(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    sanctrack.load(cache=True, cache_dir=folder)  # writes the entry
    cold = sanctrack.load(cache=False)
    mid = "us-ofac-belavia-sdn"
    before = transitions_alive()
    warm = sanctrack.load(cache=True, cache_dir=folder)
    assert transitions_alive() == before
    s = warm.state(mid, "2025-09-20")
    assert s == cold.state(mid, "2025-09-20")
    # only the records the answer shows: the transition that began the state (a general licence's
    # relief here, whose record is also the relief's), not the measure's other transitions
    shown = {id(x) for x in (s.transition, s.basis, *s.pending, *s.lapsed, *(r.transition for r in s.reliefs))
             if x is not None}
    measure_records = sum(t.measure == mid for t in cold.transitions)
    assert transitions_alive() - before == len(shown) < measure_records
    assert warm.history(mid) == cold.history(mid)
    assert transitions_alive() - before == measure_records  # the history shows them all: each made once


def test_eight_threads_make_each_measure_once_and_agree_with_the_yaml(warm: sanctrack.Registry) -> None:
    cold = sanctrack.load(cache=False)
    mids = [m.id for m in cold.measures]
    days = ["2006-06-16", "2021-08-09", "2025-09-11", "2025-09-20", "2025-12-14", "2026-03-27"]
    expected = {(m, d): cold.state(m, d) for m in mids for d in days}
    barrier = threading.Barrier(8)
    results: list[dict[tuple[str, str], Any]] = [{} for _ in range(8)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            order = mids[n % len(mids):] + mids[: n % len(mids)]
            for m in order:
                for d in days:
                    results[n][(m, d)] = warm.state(m, d)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for r in results:
        assert r == expected
    # one set of records per measure: every answer's transition is the registry's own object
    for r in results:
        for s in r.values():
            if s.transition is not None:
                assert s.transition is warm.transition(s.transition.id)
    assert warm.digest == cold.digest
    assert [t.id for t in warm.transitions] == [t.id for t in cold.transitions]
