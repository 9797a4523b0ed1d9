"""The point question: one measure's state on a date (or at an instant), as known on a date, and its marks.

:func:`state_of` is the general path every question goes through for a single
measure (``state`` with ``known=``, ``in_force`` measure by measure, ``screen``
question by question, ``compare``, ``explain``, ``diff``): the measure's epoch
for the knowledge date, its kept answer from its runs
(:meth:`~sanctrack._index.timeline.Timeline.state`), and the answer's marks.
The everything-known calendar-date question has a shorter path in
:meth:`sanctrack.Registry.state`, reading the same runs.

Facts and projections (DESIGN §3): an answer's *knowledge date* is the
``known=`` date (or the view's :meth:`~sanctrack.Registry.as_known_on` date,
capped as :func:`effective_known` says), else the registry's latest
``recorded`` date; an answer for a later date is a *projection*, and a state
begun by a lapse after the knowledge date is *scheduled*. The answers the runs
keep are made marked as of their run's start with the registry's knowledge date
(:mod:`sanctrack._index.runs`), so the everything-known point path adds one
comparison; everything else goes through :func:`mark`. Marked answers are kept
in the catalog's memos, so the same question gives the same object.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from typing import Any

from .._model import MeasureState
from .._time import known_arg, when_arg
from .catalog import Catalog
from .runs import marked
from .timeline import Timeline

__all__ = ["effective_known", "latest_state", "mark", "mark_all", "marked_as", "projected", "state_of"]


def state_of(cat: Catalog, tl: Timeline, when: _dt.date | _dt.datetime, y: _dt.date | None) -> MeasureState:
    """The state of ``tl``'s measure on a parsed date or at an aware instant, as known on ``y`` (None: everything)."""
    s, o = tl.state(tl.epoch(y), when, cat.context)
    return mark(cat, s, o, y)


def latest_state(cat: Catalog, measure_id: Any, on: Any) -> MeasureState | None:
    """The state of a measure on a calendar date with everything known, by the shortest path; else None.

    The common question goes straight from the measure id to its *point tuple*
    (the latest runs' start days then their kept answers, see
    :meth:`~sanctrack._index.runs.Runs.answer`), and a kept answer is read from
    it: a bisect of its start days and an index, with neither the run store nor
    its day array read (at 1M transitions, fewer cache misses); else from the
    measure's latest runs. None for an instant or an unknown or unhashable id
    (then :func:`state_of` answers, or the facade says what is wrong).
    """
    try:
        p = cat.points.get(measure_id)
        runs = cat.latest.get(measure_id) if p is None else None
    except TypeError:  # not hashable: not a measure id
        return None
    if p is None and runs is None:
        tl = cat.timelines.get(measure_id)
        if tl is None:
            return None  # not a measure id (the facade says so)
        runs = cat.latest[measure_id] = cat.runs(tl, tl.n)  # from now on, straight here
    if type(on) is _dt.date:
        o = on.toordinal()
    else:
        when = when_arg(on)
        if type(when) is not _dt.date:
            return None  # an instant: answered in the authority's zone
        o = when.toordinal()
    if p is not None:
        n = len(p) >> 1
        s = p[n + bisect.bisect_right(p, o, 0, n)]
        if s is not None:
            # a kept answer is marked as of its run's start: after the knowledge date
            # a fact's twin marked a projection is answered instead
            return s if o <= cat.kord or s.projection else projected(cat, s)
        runs = cat.latest[measure_id]
    assert runs is not None
    s = runs.at(o)
    a = runs.answers
    if type(a) is tuple:
        cat.points[measure_id] = a
    return s if o <= cat.kord or s.projection else projected(cat, s)


def effective_known(view: _dt.date | None, known: Any) -> _dt.date | None:
    """The knowledge date of a question: its ``known=`` (parsed), capped by the view's date (None: everything)."""
    y = known_arg(known)
    if view is not None and (y is None or view < y):
        y = view
    return y


#: answers marked for a known= date kept at most (then the memo starts again)
MARKED_MEMO = 1 << 15


def mark(cat: Catalog, s: MeasureState, o: int, y: _dt.date | None) -> MeasureState:
    """Answer ``s`` for the day with ordinal ``o``, marked as known on ``y`` (None: the registry's knowledge date).

    The answers the runs keep are marked as of their run's start with the
    registry's knowledge date; a question with another knowledge date gets
    the answer marked anew (a new object), and a question after the
    registry's knowledge date about a run that began before it gets that
    answer's kept twin marked a projection.
    """
    if y is None:
        if s.knowledge != cat.knowledge:  # an answer made with another knowledge date (defensive)
            return marked(s, cat.knowledge, o > cat.kord)
        return s if o <= cat.kord or s.projection else projected(cat, s)
    return marked_as(cat, s, y, o > y.toordinal())


def marked_as(cat: Catalog, s: MeasureState, y: _dt.date, projection: bool) -> MeasureState:
    """``s`` marked as known on ``y``: made once and kept in a bounded memo (audits ask one ``y`` often)."""
    memo = cat.marked
    key = (id(s), y, projection)
    got = memo.get(key)
    if got is not None and got[0] is s:
        return got[1]
    m = marked(s, y, projection)
    if len(memo) >= MARKED_MEMO:
        memo.clear()
    memo[key] = (s, m)
    return m


def mark_all(cat: Catalog, states: list[MeasureState], o: int, y: _dt.date | None) -> list[MeasureState]:
    """:func:`mark` for the kept answers of one day (a whole-registry index's)."""
    if y is None:
        if o <= cat.kord:
            return states
        return [s if s.projection else projected(cat, s) for s in states]
    p = o > y.toordinal()
    return [marked_as(cat, s, y, p) for s in states]


def projected(cat: Catalog, s: MeasureState) -> MeasureState:
    """The kept answer ``s`` (a fact) marked a projection, made once and kept (one at most a run)."""
    got = cat.projected.get(id(s))
    if got is None or got[0] is not s:
        got = (s, marked(s, s.knowledge, True))
        cat.projected[id(s)] = got
    return got[1]
