"""Whole registries and the dates worth asking them about.

:func:`registry_records`, :func:`registries`, :func:`boundary_dates` and
:func:`query_dates` are re-exported by :mod:`sanctrack.strategies` (import
them from there).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from ._model import (
    Authority,
    Instrument,
    Link,
    Measure,
    RegistryInfo,
    Release,
    Transition,
)
from ._registry import Registry
from ._strategies_base import (
    BASIS,
    MAX_DATE,
    MIN_DATE,
    Draw,
    Env,
    check_bounds,
    dates,
    draw_sources,
    ints,
    opt,
    some,
    text,
)
from ._strategies_history import stop, walk
from ._strategies_records import authorities as _any_authority
from ._strategies_records import entities, instruments, measures, releases, sources

__all__ = ["registry_records", "registries", "boundary_dates", "query_dates"]

_DAY = _dt.timedelta(days=1)

def registry_records(*, min_size: int = 1, max_size: int = 3, max_transitions: int = 6,
                     min_date: _dt.date = MIN_DATE, max_date: _dt.date = MAX_DATE,
                     authorities: st.SearchStrategy[Authority] | None = None,
                     with_corrections: bool = False, with_pending: bool = False, with_windows: bool = False,
                     with_releases: bool = True, recorded_lag: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """The keyword arguments of :meth:`sanctrack.Registry.build` for a valid registry.

    ``min_size``/``max_size`` count the measures; each has a history of 1 to
    ``max_transitions`` steps (see :func:`histories`). ``authorities`` is a
    strategy of :class:`Authority` (codes are made unique). Build with
    ``Registry.build(**records)``, or edit the records first.
    """
    check_bounds(min_date, max_date)
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    auth_strategy = authorities if authorities is not None else _any_authority()

    auth_lists = st.lists(auth_strategy, min_size=1, max_size=3, unique_by=lambda a: a.code)
    source_lists = st.lists(sources(min_date=min_date, max_date=max_date), min_size=1, max_size=4,
                            unique_by=lambda s: s.id)
    entity_lists = st.lists(entities(), min_size=1, max_size=4, unique_by=lambda e: e.id)

    @st.composite
    def draw_records(draw: Draw) -> dict[str, Any]:
        auths = draw(auth_lists)
        srcs = draw(source_lists)
        source_ids = tuple(s.id for s in srcs)
        ents = draw(entity_lists)
        target_ids = tuple(e.id for e in ents)
        insts = draw(_instrument_lists(tuple(a.code for a in auths), source_ids, min_date, max_date))
        env = Env(source_ids, tuple(i.id for i in insts), target_ids, min_date, max_date)
        meas: list[Measure] = []
        trs: list[Transition] = []
        k = -1
        while True:
            k += 1
            if k >= max_size or (k >= min_size and stop(draw)):
                break
            mid = f"m{k + 1}"
            m = draw(_measure_of(mid, tuple(auths), target_ids, source_ids))
            meas.append(m)
            trs.extend(walk(draw, mid, env, min_size=1, max_size=max_transitions,
                            with_corrections=with_corrections, with_pending=with_pending,
                            with_windows=with_windows, recorded_lag=recorded_lag))
        rels: list[Release] = []
        lnks: list[Link] = []
        if with_releases:
            rels = draw(_release_lists(source_ids, min_date, max_date, with_windows))
            effective = [t for t in trs if t.effective is not None]
            for r in rels:
                for t in draw(some(tuple(effective))):
                    rec = max(r.recorded, t.recorded)
                    lnks.append(Link(release=r.id, transition=t.id, basis=draw(BASIS),
                                     recorded=min(max_date, rec + _dt.timedelta(days=draw(ints(0, 30)))),
                                     sources=draw_sources(draw, env), quote=draw(opt(text(20)))))
        return {
            "info": RegistryInfo(name="generated", version="1"),
            "authorities": tuple(auths), "entities": tuple(ents), "instruments": tuple(insts),
            "sources": tuple(srcs), "measures": tuple(meas), "transitions": tuple(trs),
            "releases": tuple(rels), "links": tuple(lnks),
        }

    return draw_records()


@lru_cache(maxsize=256)
def _instrument_lists(codes: tuple[str, ...], source_ids: tuple[str, ...], min_date: _dt.date,
                      max_date: _dt.date) -> st.SearchStrategy[list[Instrument]]:
    return st.lists(instruments(authority_codes=codes, source_ids=source_ids, min_date=min_date, max_date=max_date),
                    max_size=3, unique_by=lambda i: i.id)


@lru_cache(maxsize=256)
def _measure_of(mid: str, auths: tuple[Authority, ...], target_ids: tuple[str, ...],
                source_ids: tuple[str, ...]) -> st.SearchStrategy[Measure]:
    return measures(ids=st.just(mid), authorities=st.sampled_from(auths), target_ids=target_ids,
                    source_ids=source_ids)


@lru_cache(maxsize=256)
def _release_lists(source_ids: tuple[str, ...], min_date: _dt.date, max_date: _dt.date,
                   with_windows: bool) -> st.SearchStrategy[list[Release]]:
    return st.lists(releases(source_ids=source_ids, min_date=min_date, max_date=max_date, with_windows=with_windows),
                    max_size=2, unique_by=lambda r: r.id)


def registries(**options: Any) -> st.SearchStrategy[Registry]:
    """Valid :class:`sanctrack.Registry` objects (same options as :func:`registry_records`)."""
    return registry_records(**options).map(lambda kw: Registry.build(**kw))


# -- query dates -------------------------------------------------------------------


def _near(days: Iterable[_dt.date]) -> tuple[_dt.date, ...]:
    out: set[_dt.date] = set()
    for d in days:
        out.add(d)
        if d > _dt.date.min:
            out.add(d - _DAY)
        if d < _dt.date.max:
            out.add(d + _DAY)
    return tuple(sorted(out))


def boundary_dates(registry: Registry, measure_id: str | None = None) -> tuple[_dt.date, ...]:
    """Every boundary of a registry (or of one measure), with the day before and after each, sorted.

    Boundaries: effective, until, announced, published and recorded dates,
    ``effective_window`` ends, and release and link dates.
    """
    days: list[_dt.date] = []
    for t in registry.transitions:
        if measure_id is not None and t.measure != measure_id:
            continue
        days.extend(d for d in (t.effective, t.until, t.announced, t.published, t.recorded) if d is not None)
        if t.effective_window is not None:
            days.extend(t.effective_window)
    if measure_id is None:
        for r in registry.releases:
            days.extend((r.date, r.recorded, *(r.date_window or ())))
        days.extend(ln.recorded for ln in registry.links)
    return _near(days)


def query_dates(registry: Registry | st.SearchStrategy[Registry] | None = None, *,
                min_date: _dt.date = MIN_DATE, max_date: _dt.date = MAX_DATE) -> st.SearchStrategy[Any]:
    """Query dates where bugs live: on, just before and just after every boundary.

    ``query_dates(reg)`` draws dates for a registry: mostly boundary dates (see
    :func:`boundary_dates`), sometimes any date in ``[min_date, max_date]``.
    ``query_dates(registries(...))`` draws ``(registry, date)`` pairs.
    ``query_dates()`` draws any date in the bounds.
    """
    check_bounds(min_date, max_date)
    anywhere = dates(min_date, max_date)
    if registry is None:
        return anywhere
    if isinstance(registry, st.SearchStrategy):
        return registry.flatmap(lambda reg: st.tuples(st.just(reg), query_dates(reg, min_date=min_date,
                                                                                max_date=max_date)))
    near = boundary_dates(registry)
    if not near:
        return anywhere
    return st.one_of(st.sampled_from(near), anywhere)
