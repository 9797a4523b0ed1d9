"""What changed: :func:`changes` (transitions effective in a date range) and :func:`diff` (states that differ).

``changes`` is answered from the view's ``changes`` index: the effective,
uncorrected transitions every measure knows as of the knowledge date, in
effective-date order (a stable sort, so one day's transitions keep answer order
then canonical order), bisected by date. It needs no replay.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import operator
from typing import Any

from .._model import MeasureState, StateChange, Transition
from .catalog import Catalog
from .inforce import matches
from .point import state_of
from .timeline import known_effective
from .view import Views

__all__ = ["changes", "changes_index", "diff"]

_TO_ORDINAL = _dt.date.toordinal
_EFFECTIVE = operator.attrgetter("effective")


def changes(cat: Catalog, views: Views, y: _dt.date | None, a: _dt.date, b: _dt.date, *,
            authority: str | None, targets: frozenset[str] | None, kind: str | None,
            program: str | None) -> list[Transition]:
    """Transitions effective in ``[a, b)`` as known on ``y``, in date then answer order, filtered."""
    trs = views.of(y).index("changes", lambda y: changes_index(cat, y))
    lo = bisect.bisect_left(trs, a, key=_EFFECTIVE)
    hi = bisect.bisect_left(trs, b, key=_EFFECTIVE)
    picked = trs[lo:hi]
    if authority is None and targets is None and kind is None and program is None:
        return list(picked)
    out = []
    for t in picked:
        m = cat.measures[t.measure]
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


def changes_index(cat: Catalog, y: _dt.date | None) -> list[Transition]:
    """The effective, uncorrected transitions known on ``y``, by effective date (a view's ``changes`` index)."""
    # the effective, uncorrected records each measure knows in view y (no replay needed),
    # measure by measure in answer order (authority, measure id), each in canonical order;
    # a stable sort by date then keeps that order among the transitions of one day
    ords: list[int] = []
    trs: list[Transition] = []
    for tl in cat.ranked:
        k = tl.epoch(y)
        if k == 0:
            continue
        if k == tl.n and not tl.has_corrections:
            recs: Any = [t for t in tl.records if t.effective is not None] if tl.has_extras else tl.records
        else:
            recs = known_effective(tl, k)
        trs.extend(recs)
        ords.extend(map(_TO_ORDINAL, map(_EFFECTIVE, recs)))
    order = sorted(range(len(ords)), key=ords.__getitem__)
    return [trs[i] for i in order]  # bisected by effective date (no separate key array)


def diff(cat: Catalog, y: _dt.date | None, a: _dt.date | _dt.datetime, b: _dt.date | _dt.datetime, *,
         authority: str | None, targets: frozenset[str] | None, kind: str | None,
         program: str | None) -> list[StateChange]:
    """Measures whose state differs between ``a`` and ``b`` as known on ``y``, in answer order, filtered."""
    out = []
    for tl in cat.timelines.values():
        s1 = state_of(cat, tl, a, y)
        s2 = state_of(cat, tl, b, y)
        if _signature(s1) == _signature(s2):
            continue
        if not (matches(s1, authority, targets, kind, program) or matches(s2, authority, targets, kind, program)):
            continue
        out.append(StateChange(s1.measure, s1, s2))
    out.sort(key=lambda c: (c.measure.authority, c.measure.id))
    return out


def _signature(s: MeasureState) -> tuple[Any, ...]:
    return (s.until, s.status, tuple((r.transition.id, r.until) for r in s.reliefs), tuple(p.id for p in s.pending),
            s.program, s.targets)
