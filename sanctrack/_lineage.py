"""What lies behind an answer: :meth:`history`, :meth:`explain`, :meth:`compare` and the deals.

:class:`LineageMixin` gives :class:`~sanctrack.Registry` the queries that
trace a state to its records: a measure's versions and what they superseded,
the transitions, instruments and sources behind a state, one target across
authorities, and the links between transitions and prisoner releases.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from ._model import (
    Comparison,
    MeasureState,
    Position,
    Relief,
    Status,
    Deal,
    Explanation,
    History,
    Link,
    LinkedRelease,
    LinkedTransition,
    Step,
    Transition,
)
from ._runs import marked as _marked
from ._time import local_date
from ._time import when_arg as _when
from ._timelines import corrected as _corrected

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["LineageMixin"]


class LineageMixin:
    """:meth:`history`, :meth:`explain`, :meth:`compare`, :meth:`deals` and the links, for :class:`~sanctrack.Registry`."""

    __slots__ = ()

    def history(self: Registry, measure_id: str, *, known: Any = None) -> History:
        """Every version (state run) of a measure, oldest first, and what was superseded.

        >>> import sanctrack
        >>> h = sanctrack.load().history("us-ofac-belavia-sdn")
        >>> [(str(v.status), str(v.valid)) for v in h][-2:]
        [('relieved', '[2025-09-11, 2025-11-04)'), ('lifted', '[2025-11-04, open)')]
        >>> [x.record.id for x in h.superseded]
        ['us-ofac-belavia-sdn.announce-2025-09-11']
        """
        tl = self._timeline(measure_id)
        y = self._effective_known(known)
        k = tl.epoch(y)
        versions = self._runs(tl, k).states()
        if y is not None:  # each version marked as of its start, with this knowledge date
            versions = tuple(_marked(v, y, v.valid.start > y) for v in versions)  # type: ignore[operator]
        return History(tl.measure, versions, _corrected(tl, k)[1])

    def explain(self: Registry, measure_id: str, on: Any, *, known: Any = None) -> Explanation:
        """The state on a date and the chain of transitions, instruments and sources behind it.

        >>> import sanctrack
        >>> ex = sanctrack.load().explain("us-ofac-bpc-sdn", "2025-12-20")
        >>> [(str(st.transition.action), st.instrument.label if st.instrument else None) for st in ex.steps]
        [('impose', 'SDN designations 2021-12-02'), ('relieve', 'GL 5'), ('relieve', 'GL 13')]
        """
        tl = self._timeline(measure_id)
        state = self.state(measure_id, on, known=known)
        when = _when(on)
        day = when if type(when) is _dt.date else local_date(when, tl.tz)  # type: ignore[arg-type]
        d = self._d
        steps = []
        active, superseded = _corrected(tl, self._k(tl, known))
        for t in active:
            if t.effective is None or t.effective > day:
                continue
            steps.append(self._step(t))
        sup = tuple(s for s in superseded if s.record.when <= day)
        msrc = tuple(d.sources[s] for s in tl.measure.sources if s in d.sources)
        return Explanation(state, tuple(steps), msrc, sup)

    def _step(self: Registry, t: Transition, superseded_by: str | None = None) -> Step:
        d = self._d
        inst = d.instruments.get(t.instrument) if t.instrument else None
        return Step(t, inst, tuple(d.sources[s] for s in t.sources if s in d.sources), superseded_by)

    def compare(self: Registry, target: str, on: Any, *, known: Any = None) -> Comparison:
        """One target across authorities on a date: each authority's practical position, and its measures' states.

        >>> import sanctrack
        >>> c = sanctrack.load().compare("Belaruskali", "2026-05-01")
        >>> c.by_authority, c.divergent
        ((('EU', True), ('LT', True), ('UK', True), ('US-OFAC', False)), True)
        >>> c = sanctrack.load().compare("Belaruskali", "2025-12-20")
        >>> [(p.authority, p.position, [r.label for r in p.reliefs]) for p in c.positions]
        [('EU', 'blocked', []), ('LT', 'blocked', []), ('UK', 'blocked', []), ('US-OFAC', 'licensed', ['GL 13'])]

        Every authority that has a measure against the target at any time has a
        position, ``no measure`` before its first one exists. The verdict is
        divergent when the positions differ: licensed against blocked counts.
        """
        ents = self.resolve(target)
        ids = frozenset(e.id for e in ents)
        y = self._effective_known(known)
        states = []
        ever: set[str] = set()  # authorities with a measure against the target at any time (in this view)
        projected: set[str] = set()  # authorities whose answers are projections (a date after the knowledge date)
        for tl in self._target_timelines(ids):
            if tl.epoch(y) == 0:
                continue
            ever.add(tl.measure.authority)
            s = self.state(tl.measure.id, on, known=known)
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

    def deals(self: Registry) -> tuple[Deal, ...]:
        """Every release (by date) with the transitions linked to it.

        >>> import sanctrack
        >>> d = [d for d in sanctrack.load().deals() if d.release.id == "release-2025-12-13"][0]
        >>> d.release.count, sorted({str(x.link.basis) for x in d.links})
        (123, ['stated'])
        """
        d = self._d
        by_release: dict[str, list[Link]] = {}
        for ln in self.links:
            by_release.setdefault(ln.release, []).append(ln)
        out = []
        for r in self.releases:
            lns = sorted(by_release.get(r.id, ()), key=lambda ln: (d.transitions[ln.transition].when, ln.transition))
            out.append(Deal(r, tuple(LinkedTransition(ln, d.transitions[ln.transition]) for ln in lns)))
        return tuple(out)

    def releases_for(self: Registry, transition_id: str) -> tuple[LinkedRelease, ...]:
        """The releases linked to a transition, by date."""
        self.transition(transition_id)
        d = self._d
        out = [LinkedRelease(ln, d.releases[ln.release]) for ln in self.links if ln.transition == transition_id]
        out.sort(key=lambda x: (x.release.date, x.release.id))
        return tuple(out)

    def transitions_for(self: Registry, release_id: str) -> tuple[LinkedTransition, ...]:
        """The transitions linked to a release, by date."""
        self.release(release_id)
        d = self._d
        out = [LinkedTransition(ln, d.transitions[ln.transition]) for ln in self.links if ln.release == release_id]
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
