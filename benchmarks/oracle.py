"""The naive replay peer of the benchmark: every answer by replaying a measure's records.

No knowledge epochs, no state runs, no bisect, no global index, no cache: the
records known on Y are selected, corrections applied, the state machine
replayed, and the run holding day X turned into the MeasureState a query must
return. ``benchmarks/bench.py`` times it as the "naive replay" peer.

It is not a test oracle: it replays with the engine's own
``sanctrack._statemachine.replay``, so it shares every rule with what it would
check. The tests' one oracle is :func:`sanctrack.strategies.reference_state`,
which reads the rules independently.
"""

from __future__ import annotations

import datetime as dt

import sanctrack as s
from sanctrack._statemachine import replay
from sanctrack._time import Validity

__all__ = ["Oracle", "oracle_state", "canonical", "latest_recorded"]


def canonical(records):
    """A measure's records in canonical order: effective/announced date, instant, registry order."""
    order = {id(t): n for n, t in enumerate(records)}
    return sorted(records, key=lambda t: (t.when, t.effective_at.timestamp() if t.effective_at else float("-inf"),
                                          order[id(t)]))


_LATEST: dict[int, tuple[object, dt.date | None]] = {}


def latest_recorded(reg):
    """The registry's latest ``recorded`` date over its transitions, releases and links (kept per registry)."""
    got = _LATEST.get(id(reg))
    if got is None or got[0] is not reg:
        days = [t.recorded for t in reg.transitions] + [r.recorded for r in reg.releases] + \
               [ln.recorded for ln in reg.links]
        got = _LATEST[id(reg)] = (reg, max(days, default=None))
    return got[1]


def _marks(reg, day, known):
    """(knowledge date, projection) of an answer for ``day`` asked as known on ``known``."""
    k = known if known is not None else latest_recorded(reg)
    return k, k is not None and day > k


def _provenance(run, previous, active):
    """(basis, lapsed) of a run: the act its status rests on, and what lapsed on its first day."""
    if run.transition is not None:
        return run.transition, ()
    if run.status == "relieved" and run.reliefs:
        basis = sorted(run.reliefs, key=lambda r: r.since)[-1].transition
    else:
        basis = None
        for t in active:  # canonical order: the last one before the run that sets a status
            if t.effective is not None and t.effective <= run.start and t.action not in ("relieve", "amend"):
                basis = t
    lapsed = [r.transition for r in (previous.reliefs if previous is not None else ())
              if r.until == run.start and r not in run.reliefs]
    if run.status == "expired" and basis is not None and basis not in lapsed:
        lapsed.append(basis)
    return basis, tuple(lapsed)


def oracle_state(reg, records, instruments, measure, day, known=None):
    """The state of ``measure`` on ``day`` as known on ``known``, by replaying its records now."""
    recs = [t for t in canonical(records) if known is None or t.recorded <= known]
    digest = reg.digest
    knowledge, projection = _marks(reg, day, known)
    if not recs:
        return s.MeasureState(measure, None, (), (), 0, None, "unknown", Validity(None, None), False,
                              measure.program, measure.targets, digest, None, knowledge, projection)
    fixes = {t.corrects: t for t in recs if t.corrects is not None}
    active = [t for t in recs if t.id not in fixes]
    effective = [t for t in active if t.effective is not None]
    pending = [(t, t.announced, fixes[t.id].when if t.id in fixes else None)
               for t in recs if t.effective is None and t.announced is not None]
    windows = [t.effective_window for t in effective if t.effective_window is not None]
    follow = {}
    for old in fixes:  # a reference to a corrected record means its latest known correction
        cur = fixes[old]
        while cur.id in fixes:
            cur = fixes[cur.id]
        follow[old] = cur.id
    runs = replay(effective, program=measure.program, targets=measure.targets, instruments=instruments,
                  pending=pending, windows=windows, instant_of=lambda t: t.effective_at.timestamp(),
                  follow=follow).runs
    last = None
    for n, r in enumerate(runs):
        if r.start <= day:
            last = n
    if last is None:
        return s.MeasureState(measure, None, (), (), 0, None, "none",
                              Validity(None, runs[0].start if runs else None), False,
                              measure.program, measure.targets, digest, None, knowledge, projection)
    r = runs[last]
    end = runs[last + 1].start if last + 1 < len(runs) else None
    scheduled = projection and r.cause == "lapse" and r.start > knowledge
    basis, lapsed = _provenance(r, runs[last - 1] if last else None, effective)
    return s.MeasureState(measure, r.status, r.reliefs, r.pending, last + 1, r.transition, r.cause,
                          Validity(r.start, end), r.uncertain, r.program, r.targets, digest, r.until,
                          knowledge, projection, scheduled, basis, lapsed)


class Oracle:
    """Every answer of a registry, the slow way."""

    def __init__(self, synth, reg):
        self.reg = reg
        self.measures = {m.id: m for m in synth.measures}
        self.instruments = {i.id: i for i in synth.instruments}
        self.records = {m: [] for m in self.measures}
        for t in synth.transitions:
            self.records[t.measure].append(t)
        self.entities = {e.id: e for e in synth.entities}

    def state(self, mid, day, known=None):
        return oracle_state(self.reg, self.records[mid], self.instruments, self.measures[mid], day, known)

    def in_force(self, day, known=None, target_ids=None):
        out = []
        for mid in self.measures:
            st_ = self.state(mid, day, known)
            if st_.in_force and (target_ids is None or target_ids & set(st_.targets)):
                out.append(st_)
        return sorted(out, key=lambda x: (x.measure.authority, x.measure.id))

    def screen(self, query, day, known=None):
        if query in self.measures:
            st_ = self.state(query, day, known)
            return (st_,) if st_.in_force else ()
        return tuple(self.in_force(day, known, frozenset(e.id for e in self.reg.resolve(query))))

    def boundaries(self, mid):
        days = set()
        for t in self.records[mid]:
            for d_ in (t.effective, t.until, t.announced, t.recorded, *(t.effective_window or ())):
                if d_ is not None:
                    days.update((d_, d_ - dt.timedelta(days=1)))
        return sorted(days)

    def known_dates(self):
        days = {None}
        for recs in self.records.values():
            for t in recs:
                days.update((t.recorded, t.recorded - dt.timedelta(days=1)))
        return days
