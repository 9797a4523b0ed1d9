"""One measure: its records, its knowledge epochs, and its state runs (the one place they are replayed).

A :class:`Timeline` holds one measure's records in canonical order and its
knowledge epochs, and keeps the runs (:mod:`sanctrack._index.runs`) built for
them. :meth:`Timeline.runs` is the only caller of the state machine
(:func:`sanctrack._statemachine.replay`): everything the registry answers is
read from the runs it keeps. :func:`check_legality` replays every epoch of a
measure once, when a registry is built from unchecked records.

The values every answer carries (the registry's digest and knowledge date) and
the registry's instruments come in an :class:`AnswerContext`, with the lock
under which runs are built once.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import operator
import threading
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from .._errors import IllegalTransition, Problem
from .._model import Instrument, Measure, MeasureState, Supersession, Transition
from .._statemachine import Replay, replay
from .._time import local_date
from .runs import NothingKnown, Runs, answer, day_of

__all__ = ["AnswerContext", "Timeline", "check_legality", "corrected", "instant_key", "is_prefix",
           "known_effective", "known_records"]


@attrs.frozen(slots=True)
class AnswerContext:
    """What a timeline's answers carry and its replays need, the same for every measure of a registry."""

    #: the registry's digest (every answer carries it)
    digest: str
    #: the registry's knowledge date (its latest ``recorded``; None: no records)
    knowledge: _dt.date | None
    #: the registry's instruments by id (a replay checks the instruments its transitions cite)
    instruments: Mapping[str, Instrument]
    #: the lock under which any runs are built (once, whatever the threads); shared with the views
    lock: Any = attrs.field(factory=threading.RLock, eq=False)

_PREPARED, _EPOCH_CHECK, _CORRECTIONS, _EXTRAS = 1, 2, 4, 8  # a timeline's flags
PREPARED = _PREPARED


class StoredSource(Protocol):
    """Where a restored timeline's latest runs come from (:class:`sanctrack._index.stored.StoredRuns`)."""

    def runs(self, tl: Timeline, ctx: AnswerContext) -> Runs | None:
        """``tl``'s latest runs as stored; None if they cannot be restored (then they are replayed)."""

    def live_at(self, tl: Timeline, o: int) -> bool:
        """Whether ``tl``'s latest state on the day with ordinal ``o`` is in force, read where it is stored."""


class Timeline:
    """One measure: its records in canonical order, its knowledge epochs, its runs per epoch.

    ``ordinals`` are the distinct recorded dates (as ordinals) of its records:
    epoch ``k`` knows the records recorded on or before ``ordinals[k - 1]``.
    The runs of the latest epoch (everything known) are kept in ``latest``;
    any other epoch's, built on first use, in ``cache``.

    A timeline is made with its records in registry order and *prepared* on
    first use: the records put in canonical order (effective date, then
    ``effective_at``, then registry order), the epochs found. ``records``
    may be a function making them (a registry restored from the load cache
    makes a measure's records on first use). Preparing happens once, under a
    lock.
    """

    __slots__ = ("_flags", "_n", "_ordinals", "_records", "cache", "latest", "measure", "stored", "tz")

    def __init__(self, measure: Measure, tz: str,
                 records: Iterable[Transition] | Callable[[], list[Transition]],
                 flags: int = 0, n: int = 0, stored: StoredSource | None = None) -> None:
        self.measure = measure
        self.tz = tz
        self._records: Any = records
        self._ordinals: array[int] | None = None  # made on first use (a known= question, an earlier epoch's check)
        self._n = n
        self._flags = flags  # _PREPARED | _EPOCH_CHECK | _CORRECTIONS | _EXTRAS, once prepared (see restored)
        self.latest: Runs | None = None
        self.cache: dict[int, Runs] | None = None
        #: restores the latest epoch's runs without a replay (a registry from the load cache), else None
        self.stored = stored

    @classmethod
    def restored(cls, measure: Measure, tz: str, records: Sequence[Transition], flags: int, n: int,
                 stored: StoredSource | None) -> Timeline:
        """A timeline from the load cache: already prepared (``records`` in canonical order, with the
        ``flags`` and number of epochs ``n`` its preparing found), its latest runs restored by ``stored``.

        ``records`` may make each record on first use (a sequence that is not a tuple): the
        timeline's :attr:`records` makes them all, the restored runs only those their answers need.
        """
        if not flags & _PREPARED or n < 0:
            raise ValueError("a restored timeline is prepared")
        return cls(measure, tz, records, flags, n, stored)

    def prepared_state(self) -> tuple[int, int]:
        """``(flags, number of epochs)`` as preparing found them (what :meth:`restored` takes)."""
        if not self._flags:
            self._prepare()
        return self._flags, self._n

    def _prepare(self) -> int:
        with _PREPARE_LOCK:  # once: deferred records made twice would be equal but not the same objects
            if not self._flags:
                self._prepare_now()
        return self._flags

    def _prepare_now(self) -> None:
        src = self._records
        recs = list(src() if callable(src) else src)
        if len(recs) > 1:
            if any(map(_EFFECTIVE_AT, recs)):  # same-day order: untimed first, then by instant
                tz = self.tz
                recs.sort(key=lambda t: (t.when, instant_key(t, tz)))  # stable: ties keep registry order
            else:
                whens = list(map(_WHEN, recs))
                if not all(map(operator.le, whens, whens[1:])):
                    recs.sort(key=_WHEN)
        records = tuple(recs)
        recorded = list(map(_RECORDED, records))
        has_corrections = any(map(_CORRECTS, records))
        flags = _PREPARED
        if None in map(_EFFECTIVE, records) or any(map(_WINDOW, records)):
            flags |= _EXTRAS
        if has_corrections or not all(map(operator.le, recorded, recorded[1:])):
            flags |= _EPOCH_CHECK
        if has_corrections:
            flags |= _CORRECTIONS
        self._ordinals = None
        self._n = len(set(recorded))
        self._records = records
        self._flags = flags

    @property
    def _prepared(self) -> bool:
        return bool(self._flags)

    @property
    def records(self) -> tuple[Transition, ...]:
        if not self._flags:
            self._prepare()
        records = self._records
        if type(records) is not tuple:  # restored, each made on first use: now all of them
            with _PREPARE_LOCK:
                if type(self._records) is not tuple:
                    self._records = tuple(self._records)
                records = self._records
        return records  # type: ignore[no-any-return]

    @property
    def deferred_records(self) -> Sequence[Transition]:
        """The records in canonical order, as held: a restored timeline's may still make each on first use."""
        if not self._flags:
            self._prepare()
        records: Sequence[Transition] = self._records
        return records

    @property
    def ordinals(self) -> array[int]:
        o = self._ordinals if self._flags else None
        if o is None:
            o = array("i", map(_TO_ORDINAL, sorted(set(map(_RECORDED, self.records)))))
            self._ordinals = o
        return o

    def forget_ordinals(self) -> None:
        """Drop the epochs' ordinals (made again on first use)."""
        self._ordinals = None

    @property
    def n(self) -> int:
        if not self._flags:
            self._prepare()
        return self._n

    @property
    def needs_epoch_check(self) -> bool:
        return bool((self._flags or self._prepare()) & _EPOCH_CHECK)

    @property
    def has_corrections(self) -> bool:
        return bool((self._flags or self._prepare()) & _CORRECTIONS)

    @property
    def has_extras(self) -> bool:
        return bool((self._flags or self._prepare()) & _EXTRAS)

    @property
    def epochs(self) -> list[_dt.date]:
        """The distinct recorded dates, oldest first."""
        return [day_of(o) for o in self.ordinals]

    def epoch(self, known: _dt.date | None) -> int:
        """How many epochs are known on ``known`` (all of them for None)."""
        if known is None:
            return self.n
        return bisect.bisect_right(self.ordinals, known.toordinal())

    def cached(self, k: int) -> Runs | None:
        if k == self.n:
            return self.latest
        c = self.cache
        return c.get(k) if c is not None else None

    # -- the runs: the one place the state machine is replayed ---------------------

    def runs(self, k: int, ctx: AnswerContext) -> Runs:
        """The runs of epoch ``k`` (``0 <= k <= n``): kept, else built once under the context's lock."""
        runs = self.cached(k)
        if runs is not None:
            return runs
        with ctx.lock:
            runs = self.cached(k)
            if runs is None:
                if k == self.n:
                    stored = self.stored
                    got = None if stored is None else stored.runs(self, ctx)
                    runs = self.compute_runs(k, ctx) if got is None else got
                    self.latest = runs
                else:
                    runs = self.compute_runs(k, ctx)
                    if self.cache is None:
                        self.cache = {}
                    self.cache[k] = runs
        return runs

    def live_at(self, k: int, o: int, ctx: AnswerContext) -> bool:
        """Whether epoch ``k``'s state on the day with ordinal ``o`` is in force.

        Latest runs the load cache stored and nobody asked for yet are read where
        they are stored: no runs, answer or record is made for a measure out of force.
        """
        stored = self.stored
        if stored is not None and self.latest is None and k == self.n:
            return stored.live_at(self, o)
        return self.runs(k, ctx).live_at(o)

    def compute_runs(self, k: int, ctx: AnswerContext) -> Runs:
        """The runs of epoch ``k``, built now and not kept (raises :class:`IllegalTransition`)."""
        if k == 0:
            return NothingKnown(self.measure, ctx.digest, (), knowledge=ctx.knowledge)
        runs = Runs(self.measure, ctx.digest, self._replay(k, ctx, instants=False).runs, self.records,
                    knowledge=ctx.knowledge)
        if k < self.n:
            runs.horizon = day_of(self.ordinals[k - 1])
        return runs

    def _replay(self, k: int, ctx: AnswerContext, *, instants: bool) -> Replay:
        """Replay the records known in epoch ``k``.

        ``instants``: also the partial states of the days with timed (``effective_at``) steps.
        """
        m = self.measure
        known = known_records(self, k)
        if self.has_corrections:
            correctors = {t.corrects: t for t in known if t.corrects is not None}
            active: Sequence[Transition] = [t for t in known if t.id not in correctors]
        else:
            correctors = {}
            active = known
        effective = [t for t in active if t.effective is not None]
        pending: list[tuple[Transition, _dt.date, _dt.date | None]] = []
        windows = []
        if self.has_extras:
            for t in known:
                if t.effective is not None or t.announced is None:
                    continue
                c = correctors.get(t.id)
                pending.append((t, t.announced, None if c is None else c.when))
            windows = [t.effective_window for t in effective if t.effective_window is not None]
        follow: dict[str, str] = {}
        for old_id in correctors:
            cur = correctors[old_id]
            seen = {old_id}
            # follow the chain to the latest known correction (a cycle is a reported problem)
            while cur.id in correctors and cur.id not in seen:
                seen.add(cur.id)
                cur = correctors[cur.id]
            follow[old_id] = cur.id
        return replay(effective, program=m.program, targets=m.targets, instruments=ctx.instruments,
                      pending=pending, windows=windows,
                      instant_of=_timestamp if instants else None, follow=follow)

    def _intraday(self, k: int, runs: Runs, ctx: AnswerContext) -> dict[int, tuple[list[float], list[MeasureState]]]:
        """The states within the days that have timed (``effective_at``) steps: made on the first
        question at an instant, kept on ``runs`` (empty when the measure has no timed step)."""
        got = runs.intraday
        if got is not None:
            return got
        intraday: dict[int, tuple[list[float], list[MeasureState]]] = {}
        if k and any(map(_EFFECTIVE_AT, self.records)):
            m = self.measure
            for day, subs in self._replay(k, ctx, instants=True).intraday.items():
                o = day.toordinal()
                version, valid = runs.version_valid(o)
                tss = [ts for ts, _ in subs]
                day_state = runs.at(o)  # a partial state begun by no transition rests on what the day's does
                sts = [answer(m, r.status, r.reliefs, r.pending, version, r.transition, r.cause,
                              valid, r.uncertain, r.program, r.targets, ctx.digest, r.until, runs.knowledge, False,
                              False, day_state.basis if r.transition is None else None,
                              day_state.lapsed if r.transition is None else ())
                       for _, r in subs]
                intraday[o] = (tss, sts)
        runs.intraday = intraday
        return intraday

    def state(self, k: int, when: _dt.date | _dt.datetime, ctx: AnswerContext) -> tuple[MeasureState, int]:
        """The kept (unmarked) answer of epoch ``k`` on a date or at an aware instant, and its day's ordinal.

        An instant is answered on its calendar date in the authority's zone, then by ``effective_at`` that day.
        """
        runs = self.runs(k, ctx)
        if type(when) is _dt.date:
            o = when.toordinal()
            return runs.at(o), o
        o = local_date(when, self.tz).toordinal()  # type: ignore[arg-type]
        sub = self._intraday(k, runs, ctx).get(o)
        if sub is None:
            return runs.at(o), o
        tss, sts = sub
        assert isinstance(when, _dt.datetime)
        i = bisect.bisect_right(tss, when.timestamp()) - 1
        return (sts[i] if i >= 0 else runs.at(o - 1)), o


def check_legality(tl: Timeline, ctx: AnswerContext) -> Problem | None:
    """Replay the measure in every knowledge epoch; its first illegal step is the problem (None: legal).

    The latest epoch is replayed (and its runs kept). An earlier epoch whose
    effective records are a prefix of a later epoch's found legal is legal
    too (legality of a step depends only on the steps before it), so going
    back from the latest epoch only the others are replayed; their runs are
    built again later, on first use. If any epoch is illegal, every epoch is
    replayed in order so the first illegal one is the one reported.
    """
    n = tl.n
    if n == 0:
        return None
    epochs: Any = (n,)
    if tl.needs_epoch_check:
        try:
            tl.runs(n, ctx)  # the latest epoch: built and kept, unless it is illegal
        except IllegalTransition:
            epochs = range(1, n + 1)
        else:
            epochs = () if _earlier_epochs_legal(tl, ctx) else range(1, n + 1)
    problem = None
    for k in epochs:
        try:
            if k == n or tl.cached(k) is not None:
                tl.runs(k, ctx)
            else:
                tl.compute_runs(k, ctx)  # checked, not kept: built again on first use
        except IllegalTransition as exc:
            known = day_of(tl.ordinals[k - 1])
            when = "" if k == tl.n else f" (as known on {known})"
            problem = Problem(str(exc) + when, hint="check the order and dates of this measure's transitions",
                              record=exc.transition, field="action",
                              related=(exc.previous,) if exc.previous else ())
            break
    tl.forget_ordinals()  # the check's: made again by the first question that needs them
    return problem


def _earlier_epochs_legal(tl: Timeline, ctx: AnswerContext) -> bool:
    checked = [known_effective(tl, tl.n)]
    for k in range(tl.n - 1, 0, -1):
        seq = known_effective(tl, k)
        if any(is_prefix(seq, c) for c in checked):
            continue
        try:
            tl.compute_runs(k, ctx)  # checked, not kept: built again on first use
        except IllegalTransition:
            return False
        checked.append(seq)
    return True


def _timestamp(t: Transition) -> float:
    return t.effective_at.timestamp()  # type: ignore[union-attr]


# -- a timeline's records per epoch ---------------------------------------------------


def known_records(tl: Timeline, k: int) -> Sequence[Transition]:
    """The records of a timeline known in epoch ``k`` (``1 <= k <= tl.n``), in canonical order."""
    if k == tl.n:  # the latest epoch knows every record
        return tl.records
    horizon = day_of(tl.ordinals[k - 1])
    return [t for t in tl.records if t.recorded <= horizon]


def corrected(tl: Timeline, k: int) -> tuple[Sequence[Transition], tuple[Supersession, ...]]:
    """The records of epoch ``k`` that no known record corrects, and the supersessions (made on demand)."""
    if k == 0:
        return (), ()
    known = known_records(tl, k)
    if not tl.has_corrections:
        return known, ()
    correctors = {t.corrects: t for t in known if t.corrects is not None}
    return ([t for t in known if t.id not in correctors],
            tuple(Supersession(t, correctors[t.id]) for t in known if t.id in correctors))


def known_effective(tl: Timeline, k: int) -> list[Transition]:
    """The effective, uncorrected records of a timeline known in epoch ``k``, in canonical order."""
    known = known_records(tl, k)
    corrected = {t.corrects for t in known if t.corrects is not None}
    return [t for t in known if t.effective is not None and t.id not in corrected]


def is_prefix(part: list[Transition], whole: list[Transition]) -> bool:
    return len(part) <= len(whole) and all(a is b for a, b in zip(part, whole))


def instant_key(t: Transition, tz: str) -> float:
    """Same-day order: effective_at, a transition without one counting as the start of its day."""
    if t.effective_at is None:
        return float("-inf")
    return t.effective_at.timestamp()


_PREPARE_LOCK = threading.Lock()
_TO_ORDINAL = _dt.date.toordinal
_WHEN = operator.attrgetter("when")
_RECORDED = operator.attrgetter("recorded")
_EFFECTIVE = operator.attrgetter("effective")
_EFFECTIVE_AT = operator.attrgetter("effective_at")
_CORRECTS = operator.attrgetter("corrects")
_WINDOW = operator.attrgetter("effective_window")
