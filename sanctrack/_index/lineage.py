"""What lies behind an answer: :func:`history`, :func:`explain`, :func:`compare` and the deals.

The queries that trace a state to its records, as plain functions over a
registry's :class:`~sanctrack._index.catalog.Catalog` (the facade's methods
parse the arguments and call them): a measure's versions and what they
superseded, the transitions, instruments and sources behind a state, one
target across authorities, and the links between transitions and prisoner
releases.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from .._model import (
    Comparison,
    Deal,
    Entity,
    Explanation,
    History,
    Link,
    LinkedRelease,
    LinkedTransition,
    MeasureState,
    Position,
    Release,
    Relief,
    Status,
    Step,
    Transition,
)
from .._time import local_date
from .catalog import Catalog
from .point import state_of
from .runs import marked
from .timeline import Timeline, corrected

__all__ = ["compare", "deals", "explain", "history", "releases_for", "transitions_for"]


def history(cat: Catalog, tl: Timeline, y: _dt.date | None) -> History:
    """Every version (state run) of ``tl``'s measure as known on ``y``, oldest first, and what was superseded."""
    k = tl.epoch(y)
    versions = cat.runs(tl, k).states()
    if y is not None:  # each version marked as of its start, with this knowledge date
        versions = tuple(marked(v, y, v.valid.start > y) for v in versions)  # type: ignore[operator]
    return History(tl.measure, versions, corrected(tl, k)[1])


def explain(cat: Catalog, tl: Timeline, when: _dt.date | _dt.datetime, y: _dt.date | None) -> Explanation:
    """The state on ``when`` as known on ``y`` and the chain of transitions, instruments and sources behind it."""
    state = state_of(cat, tl, when, y)
    day = when if type(when) is _dt.date else local_date(when, tl.tz)  # type: ignore[arg-type]
    steps = []
    active, superseded = corrected(tl, tl.epoch(y))
    for t in active:
        if t.effective is None or t.effective > day:
            continue
        steps.append(_step(cat, t))
    sup = tuple(s for s in superseded if s.record.when <= day)
    msrc = tuple(cat.sources[s] for s in tl.measure.sources if s in cat.sources)
    return Explanation(state, tuple(steps), msrc, sup)


def _step(cat: Catalog, t: Transition) -> Step:
    inst = cat.instruments.get(t.instrument) if t.instrument else None
    return Step(t, inst, tuple(cat.sources[s] for s in t.sources if s in cat.sources), None)


def compare(cat: Catalog, ents: tuple[Entity, ...], when: _dt.date | _dt.datetime, y: _dt.date | None) -> Comparison:
    """Entities ``ents`` (one target) across authorities on ``when`` as known on ``y`` (see Registry.compare)."""
    ids = frozenset(e.id for e in ents)
    states = []
    ever: set[str] = set()  # authorities with a measure against the target at any time (in this view)
    projected: set[str] = set()  # authorities whose answers are projections (a date after the knowledge date)
    for tl in cat.target_timelines(ids):
        if tl.epoch(y) == 0:
            continue
        ever.add(tl.measure.authority)
        s = state_of(cat, tl, when, y)
        if s.projection:
            projected.add(tl.measure.authority)
        if s.exists and ids & set(s.targets):
            states.append(s)
    states.sort(key=lambda s: (s.measure.authority, s.measure.id))
    flags: dict[str, bool] = {}
    by: dict[str, list[MeasureState]] = {a: [] for a in ever}
    for s in states:
        flags[s.measure.authority] = flags.get(s.measure.authority, False) or s.in_force
        by.setdefault(s.measure.authority, []).append(s)
    positions = tuple(_position(a, tuple(by[a]), a in projected) for a in sorted(by))
    return Comparison(ents[0], tuple(states), tuple(sorted(flags.items())), positions)


def deals(cat: Catalog, links: Iterable[Link], releases: Iterable[Release]) -> tuple[Deal, ...]:
    """Every release of ``releases`` (by date) with the transitions of ``links`` linked to it."""
    trs = cat.transitions
    by_release: dict[str, list[Link]] = {}
    for ln in links:
        by_release.setdefault(ln.release, []).append(ln)
    out = []
    for r in releases:
        lns = sorted(by_release.get(r.id, ()), key=lambda ln: (trs[ln.transition].when, ln.transition))
        out.append(Deal(r, tuple(LinkedTransition(ln, trs[ln.transition]) for ln in lns)))
    return tuple(out)


def releases_for(cat: Catalog, links: Iterable[Link], transition_id: str) -> tuple[LinkedRelease, ...]:
    """The releases linked (by ``links``) to a transition, by date."""
    out = [LinkedRelease(ln, cat.releases[ln.release]) for ln in links if ln.transition == transition_id]
    out.sort(key=lambda x: (x.release.date, x.release.id))
    return tuple(out)


def transitions_for(cat: Catalog, links: Iterable[Link], release_id: str) -> tuple[LinkedTransition, ...]:
    """The transitions linked (by ``links``) to a release, by date."""
    trs = cat.transitions
    out = [LinkedTransition(ln, trs[ln.transition]) for ln in links if ln.release == release_id]
    out.sort(key=lambda x: (x.transition.when, x.transition.id))
    return tuple(out)


def _position(authority: str, states: tuple[MeasureState, ...], projection: bool) -> Position:
    """An authority's practical position from its measures' states against one target on one date.

    Blocked if one measure in force has no licence in effect; licensed if every
    measure in force is relieved; lifted if measures exist and none is in force;
    no measure if none exists yet.
    """
    live = [s for s in states if s.in_force]
    if live:
        blocked = [s for s in live if s.status is Status.IN_FORCE]
        if blocked:
            return Position(authority, "blocked", states, (), tuple(str(s.status) for s in states), projection)
        reliefs: list[Relief] = []
        for s in live:
            reliefs.extend(r for r in s.reliefs if r not in reliefs)
        return Position(authority, "licensed", states, tuple(reliefs), tuple(str(s.status) for s in states),
                        projection)
    if states:
        return Position(authority, "lifted", states, (), tuple(sorted({str(s.status) for s in states})), projection)
    return Position(authority, "no measure", (), (), (), projection)
