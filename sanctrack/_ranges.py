"""Date-range and whole-registry queries: :meth:`in_force`, :meth:`changes`, :meth:`diff`.

:class:`RangeMixin` gives :class:`~sanctrack.Registry` these queries and the
global indexes behind them, one per knowledge view, built on the second ask
and kept (at most ``_GLOBAL_CACHE_SIZE`` views): the measures in answer order
(authority, then id) and their ranks, the in-force runs (numpy arrays with the
``fast`` extra, else time blocks; :mod:`sanctrack._fast`), every run's flip
keys for bulk screening, and the effective transitions by date.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import gc
import operator
from typing import TYPE_CHECKING, Any

from . import _fast
from ._filters import check_filters, filter_targets
from ._model import IN_FORCE, MeasureState, StateChange, Transition
from ._runs import Runs as _Runs
from ._time import day_arg as _day
from ._time import known_arg as _known
from ._time import when_arg as _when
from ._timelines import Timeline as _Timeline
from ._timelines import known_effective as _known_effective

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["RangeMixin"]

#: Views whose global indexes are kept (the full registry's and a few knowledge dates).
_GLOBAL_CACHE_SIZE = 8

_TO_ORDINAL = _dt.date.toordinal
_EFFECTIVE = operator.attrgetter("effective")


class RangeMixin:
    """:meth:`in_force`, :meth:`changes`, :meth:`diff` and the global indexes, for :class:`~sanctrack.Registry`."""

    __slots__ = ()

    def in_force(self: Registry, on: Any, *, authority: str | None = None, target: str | None = None,
                 kind: str | None = None, program: str | None = None, known: Any = None) -> list[MeasureState]:
        """Every measure in force (``in_force`` or ``relieved``) on a date, filtered.

        ``target`` is an entity id, name, alias or identifier; ``program`` matches
        the program in effect on that date. Sorted by authority, then measure id.
        A filter value the registry does not know is refused, never an empty
        answer: :class:`~sanctrack.UnknownFilter` (``authority``, ``kind``,
        ``program``) or :class:`~sanctrack.UnknownTarget`, with a "did you mean".

        >>> import sanctrack
        >>> [s.measure.id for s in sanctrack.load().in_force("2025-12-20", target="BPC")]
        ['eu-bpc-listing', 'us-ofac-bpc-sdn']
        """
        check_filters(self, authority, kind, program)
        targets = filter_targets(self, target)
        if not self._d.timelines:
            return []
        y = self._effective_known(known)
        when = _when(on)
        if targets is not None:
            # only the measures that ever target one of these entities
            out = []
            for tl in self._target_timelines(targets):
                s = self._state_y(tl, when, y)
                if s.status in IN_FORCE and _match(s, authority, targets, kind, program):
                    out.append(s)
            return out
        if type(when) is _dt.date and self._use_global(self._d.inforce_cache, y):
            o = when.toordinal()
            states = self._mark_all(self._inforce_index(y).at(o), o, y)
        else:  # a one-off view, or an aware instant (each measure in its authority's zone)
            states = []
            for tl in self._ranked():
                s = self._state_y(tl, when, y)
                if s.status in IN_FORCE:
                    states.append(s)
        if authority is None and kind is None and program is None:
            return states
        return [s for s in states if _match(s, authority, None, kind, program)]

    # -- global indexes (per knowledge view; see sanctrack._fast) ------------

    def _ranked(self: Registry) -> list[_Timeline]:
        """Every timeline in answer order: authority, then measure id."""
        d = self._d
        ranked = d.ranked
        if ranked is None:

            def make() -> list[_Timeline]:
                ranked = sorted(d.timelines.values(), key=lambda tl: (tl.measure.authority, tl.measure.id))
                d.rank = {tl.measure.id: n for n, tl in enumerate(ranked)}
                return ranked

            ranked = d.once("ranked", make)
        return ranked

    def _rank_table(self: Registry) -> "_fast.AddressTable":
        """Each measure's rank by the address of its id string (the ``rank`` keys), built on first use."""
        return self._rank_lookup("rank_table", _fast.AddressTable)

    def _string_table(self: Registry) -> "_fast.StringTable":
        """Each measure's rank by the characters of its id (the ``rank`` keys), built on first use."""
        return self._rank_lookup("string_table", _fast.StringTable)

    def _rank_lookup(self: Registry, name: str, kind: Any) -> Any:
        """The ``Data`` attribute ``name``: ``kind(ids, ranks)`` over the ``rank`` dictionary, made once."""
        d = self._d
        table = getattr(d, name)
        if table is None:
            self._ranked()
            table = d.once(name, lambda: kind(list(d.rank), list(d.rank.values())))
        return table

    def _target_timelines(self: Registry, targets: frozenset[str]) -> list[_Timeline]:
        """The timelines whose measure, or one of its amendments, ever targets one of ``targets``."""
        d = self._d
        index = d.target_index
        if index is None:

            def make() -> dict[str, tuple[_Timeline, ...]]:
                acc: dict[str, list[_Timeline]] = {}
                for tl in self._ranked():
                    ids = set(tl.measure.targets)
                    for t in tl.records:
                        if t.targets:
                            ids.update(t.targets)
                    for e in ids:
                        acc.setdefault(e, []).append(tl)
                return {e: tuple(v) for e, v in acc.items()}

            index = d.once("target_index", make)
        if len(targets) == 1:
            return list(index.get(next(iter(targets)), ()))
        rank = d.rank
        found = {tl.measure.id: tl for e in targets for tl in index.get(e, ())}
        return sorted(found.values(), key=lambda tl: rank[tl.measure.id])

    def _view_runs(self: Registry, y: _dt.date | None) -> list[_Runs]:
        """The runs of every measure in knowledge view ``y``, in answer order."""
        return [self._runs(tl, tl.epoch(y)) for tl in self._ranked()]

    def _use_global(self: Registry, cache: dict[_dt.date | None, Any], y: _dt.date | None) -> bool:
        """True if view ``y``'s global index exists or is asked for a second time (then worth building)."""
        if y in cache:
            return True
        seen = self._d.global_asked
        key = (id(cache), y)
        if key in seen:
            return True
        if len(seen) > 4096:
            seen.clear()
        seen.add(key)
        return False

    def _global(self: Registry, cache: dict[_dt.date | None, Any], y: _dt.date | None, make: Any) -> Any:
        index = cache.get(y)
        if index is None:
            with self._d.lock:
                index = cache.get(y)
                if index is None:
                    collecting = gc.isenabled()
                    gc.disable()  # every measure's runs may be built here: no collector passes meanwhile
                    try:
                        index = make(y)
                    finally:
                        if collecting:
                            gc.enable()
                    if len(cache) >= _GLOBAL_CACHE_SIZE:  # keep the full view's, drop the oldest other
                        cache.pop(next(k for k in cache if k is not None))
                    cache[y] = index
        return index

    def _inforce_index(self: Registry, y: _dt.date | None) -> Any:
        """The in-force runs of view ``y``: numpy arrays with the ``fast`` extra, else time blocks."""
        return self._global(self._d.inforce_cache, y, self._make_inforce)

    def _make_inforce(self: Registry, y: _dt.date | None) -> Any:
        runs = []
        end_of = _fast.OPEN_END
        stores = self._view_runs(y)
        for r, rs in enumerate(stores):
            for i, a, b in rs.in_force_runs():
                runs.append((r, a, end_of if b is None else b, rs, i))
        return _fast.NumpyInForce(runs, stores) if _fast.numpy is not None else _fast.InForceIndex(runs)

    def _numpy_runs(self: Registry, y: _dt.date | None) -> Any:
        """Every run of view ``y`` as sorted numpy keys (bulk screening with the ``fast`` extra)."""
        return self._global(self._d.runs_cache, y, lambda y: _fast.NumpyRuns(self._view_runs(y)))

    def changes(self: Registry, start: Any, end: Any, *, known: Any = None, authority: str | None = None,
                target: str | None = None, kind: str | None = None,
                program: str | None = None) -> list[Transition]:
        """Transitions effective in ``[start, end)``, in date then registry order (superseded ones left out).

        >>> import sanctrack
        >>> [t.id for t in sanctrack.load().changes("2025-11-04", "2025-11-05", authority="US-OFAC")]
        ['us-ofac-belavia-sdn.lift', 'us-ofac-ew301pj-blocked-property.lift', 'us-ofac-gov-aircraft-ew001pa-pb-ph.gl12']
        """
        a, b = _day(start), _day(end)
        check_filters(self, authority, kind, program)
        targets = filter_targets(self, target)
        y = self._effective_known(known)
        trs = self._changes_index(y)
        lo = bisect.bisect_left(trs, a, key=_EFFECTIVE)
        hi = bisect.bisect_left(trs, b, key=_EFFECTIVE)
        picked = trs[lo:hi]
        if authority is None and target is None and kind is None and program is None:
            return list(picked)
        out = []
        for t in picked:
            m = self._d.measures[t.measure]
            if authority is not None and m.authority != authority:
                continue
            if kind is not None and m.kind != kind:
                continue
            if program is not None and m.program != program and t.program != program:
                continue
            if targets is not None and not (targets & set(m.targets) or targets & set(t.targets or ())):
                continue
            out.append(t)
        return out

    def _effective_known(self: Registry, known: Any) -> _dt.date | None:
        y = _known(known)
        if self._known is not None and (y is None or self._known < y):
            y = self._known
        return y

    def _changes_index(self: Registry, y: _dt.date | None) -> list[Transition]:
        d = self._d
        cached = d.changes_cache.get(y)
        if cached is not None:
            return cached
        with d.lock:
            cached = d.changes_cache.get(y)
            if cached is None:
                # the effective, uncorrected records each measure knows in view y (no replay needed),
                # measure by measure in answer order (authority, measure id), each in canonical order;
                # a stable sort by date then keeps that order among the transitions of one day
                ords: list[int] = []
                trs: list[Transition] = []
                for tl in self._ranked():
                    k = tl.epoch(y)
                    if k == 0:
                        continue
                    if k == tl.n and not tl.has_corrections:
                        recs = [t for t in tl.records if t.effective is not None] if tl.has_extras else tl.records
                    else:
                        recs = _known_effective(tl, k)
                    trs.extend(recs)
                    ords.extend(map(_TO_ORDINAL, map(_EFFECTIVE, recs)))
                order = sorted(range(len(ords)), key=ords.__getitem__)
                cached = [trs[i] for i in order]  # bisected by effective date (no separate key array)
                d.changes_cache[y] = cached
        return cached

    def diff(self: Registry, a: Any, b: Any, *, known: Any = None, authority: str | None = None,
             target: str | None = None, kind: str | None = None, program: str | None = None) -> list[StateChange]:
        """Measures whose state differs between ``a`` and ``b`` (status, reliefs, pending, program, targets, until).

        >>> import sanctrack
        >>> [(c.measure.id, str(c.after.status)) for c in sanctrack.load().diff("2025-12-14", "2025-12-16")
        ...  if c.measure.authority == "US-OFAC"]
        [('us-ofac-agrorozkvit-sdn', 'relieved'), ('us-ofac-belaruskali-sdn', 'relieved'), ('us-ofac-bpc-sdn', 'relieved')]
        """
        check_filters(self, authority, kind, program)
        targets = filter_targets(self, target)
        out = []
        for mid in self._d.timelines:
            s1 = self.state(mid, a, known=known)
            s2 = self.state(mid, b, known=known)
            if _signature(s1) == _signature(s2):
                continue
            if not (_match(s1, authority, targets, kind, program) or _match(s2, authority, targets, kind, program)):
                continue
            out.append(StateChange(s1.measure, s1, s2))
        out.sort(key=lambda c: (c.measure.authority, c.measure.id))
        return out


def _match(s: MeasureState, authority: str | None, targets: frozenset[str] | None,
           kind: str | None, program: str | None) -> bool:
    m = s.measure
    if authority is not None and m.authority != authority:
        return False
    if kind is not None and m.kind != kind:
        return False
    if program is not None and s.program != program:
        return False
    if targets is not None and not (targets & set(s.targets)):
        return False
    return True


def _signature(s: MeasureState) -> tuple:
    return (s.until, s.status, tuple((r.transition.id, r.until) for r in s.reliefs), tuple(p.id for p in s.pending),
            s.program, s.targets)
