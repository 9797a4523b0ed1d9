"""Small hand-made records for the engine module tests (tests/test_index_*.py)."""

from __future__ import annotations

import datetime as dt

import sanctrack as s

D = dt.date
EU = s.Authority("EU", "Council", "EU", "Europe/Brussels")


def measure(mid: str = "m", targets: tuple[str, ...] = ()) -> s.Measure:
    return s.Measure(mid, "EU", "blocking", mid.upper(), targets=targets)


def one_measure(*transitions: s.Transition, targets: tuple[str, ...] = ()) -> dict:
    """``Registry.build`` keywords for one EU measure ``m`` with these transitions."""
    entities = [s.Entity(e, "organisation", e.upper()) for e in targets]
    return dict(authorities=[EU], entities=entities, measures=[measure("m", targets)], transitions=transitions)


def lifecycle() -> tuple[s.Transition, ...]:
    """Impose, relieve, suspend, resume, lift, one a month in 2020, each recorded on its day."""
    acts = ("impose", "relieve", "suspend", "resume", "lift")
    return tuple(s.Transition(f"t{n}", "m", a, recorded=D(2020, n, 1), effective=D(2020, n, 1))
                 for n, a in enumerate(acts, start=1))


def catalog(*transitions: s.Transition, targets: tuple[str, ...] = ()):
    """The engine's catalog of :func:`one_measure` (built as ``Registry.build`` builds it)."""
    from sanctrack._index.build import build_catalog

    kw = one_measure(*transitions, targets=targets)
    return build_catalog(None, kw["authorities"], kw["entities"], [], [], kw["measures"], transitions, [], [],
                         None, None)
