"""The compact store of one measure's state runs, and its answers made on first use.

A replay (:mod:`sanctrack._statemachine`, run by :mod:`sanctrack._index.timeline`) turns a measure's transitions into
*state runs*: the state from a start day until the next run's start. The
registry keeps them per measure and knowledge epoch in a :class:`Runs`:

* ``starts`` — the runs' start days as date ordinals, an ``array('i')`` (one
  bisect answers a point query);
* ``cells`` — six bytes per run: its code (status, cause and the uncertainty
  flag), then five small indexes: the transition that began it (into the
  measure's ``records``; 0 for none), and its reliefs, scheduled ``until``,
  pending announcements and scope (program and targets, when they differ from
  the measure's) in the ``palette``, a tuple of the distinct values the
  measure's runs hold (shared by every measure whose runs hold none). A
  measure with more than 255 records or palette entries has an int array
  instead;
* ``flips`` — made on first use by bulk screening: the days on which the
  measure goes into or out of force (the state changes between in force and
  not). A bisect of a day in them counts the flips up to that day: odd means
  in force, with no answer made and no run looked up.

That is about 10 bytes per run, and a few palette entries per measure. The
:class:`~sanctrack.MeasureState` answer of a run (about 200 bytes with its
:class:`~sanctrack.Validity`) is made the first time it is asked for and kept,
so the memory of answers grows with the runs actually asked about, never
beyond one answer per run. Answers are made through the attrs constructors
(:class:`MeasureState` has no validators: 0.84 against 0.76 µs an answer for
setting its slots directly, and no measurable difference on ``known=``
queries at 100,000 transitions; not worth a validator-skipping constructor).

This module is pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as _dt
from array import array
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Self

from .._model import IN_FORCE, Measure, MeasureState, Relief, Status, Transition
from .._statemachine import Run
from .._time import Validity

__all__ = ["LIVE_OF_CODE", "STATUSES", "NothingKnown", "Runs", "answer", "cause_code", "day_of", "marked", "validity"]

#: Status by code (``code % 6``); index 0 is "the measure does not exist yet".
STATUSES: tuple[Status | None, ...] = (None, Status.IN_FORCE, Status.RELIEVED, Status.SUSPENDED,
                                       Status.LIFTED, Status.EXPIRED)
_STATUS_CODE: dict[Status | None, int] = {s: n for n, s in enumerate(STATUSES)}

#: Causes by code, interned (a run's code is ``(cause * 6 + status) * 2 + uncertain``).
_CAUSES: list[str] = ["none", "unknown", "lapse", "announcement", "window",
                      "impose", "amend", "relieve", "revoke_relief", "extend", "suspend", "resume", "lift",
                      "reimpose"]
_CAUSE_CODE: dict[str, int] = {c: n for n, c in enumerate(_CAUSES)}

#: One date object per ordinal, shared by every answer (a few thousand distinct days).
_DAYS: dict[int, _dt.date] = {}


def day_of(o: int) -> _dt.date:
    d = _DAYS.get(o)
    if d is None:
        d = _DAYS.setdefault(o, _dt.date.fromordinal(o))
    return d


#: Per run code: 1 if its status is in force (``codes.translate(LIVE_OF_CODE)``).
LIVE_OF_CODE = bytes(1 if STATUSES[(c >> 1) % 6] in IN_FORCE else 0 for c in range(256))


def cause_code(cause: str) -> int:
    n = _CAUSE_CODE.get(cause)
    if n is None:  # not one of the machine's causes: a new one is interned (bounded: codes fit a byte)
        if len(_CAUSES) >= 21:
            raise ValueError(f"too many distinct causes ({cause!r})")
        _CAUSES.append(cause)
        n = _CAUSE_CODE[cause] = len(_CAUSES) - 1
    return n


def _code(status: Status | None, cause: str, uncertain: bool) -> int:
    return (cause_code(cause) * 6 + _STATUS_CODE[status]) * 2 + (1 if uncertain else 0)


# -- answers ---------------------------------------------------------------------------


def validity(start: _dt.date | None, end: _dt.date | None) -> Validity:
    return Validity(start, end)


def answer(measure: Measure, status: Status | None, reliefs: tuple[Relief, ...], pending: tuple[Transition, ...],
           version: int, transition: Transition | None, cause: str, valid: Validity, uncertain: bool,
           program: str | None, targets: tuple[str, ...], digest: str, until: _dt.date | None,
           knowledge: _dt.date | None = None, projection: bool = False, scheduled: bool = False,
           basis: Transition | None = None, lapsed: tuple[Transition, ...] = ()) -> MeasureState:
    """A :class:`MeasureState` (``basis`` defaults to ``transition``)."""
    return MeasureState(measure, status, reliefs, pending, version, transition, cause, valid, uncertain, program,
                        targets, digest, until, knowledge, projection, scheduled,
                        transition if basis is None else basis, lapsed)


def marked(s: MeasureState, knowledge: _dt.date | None, projection: bool) -> MeasureState:
    """``s`` as an answer with knowledge date ``knowledge``, a projection or not (``s`` itself if it is one).

    ``scheduled`` follows: a projection whose state began after the knowledge
    date by a lapse (an ``until`` reached) is a scheduled lapse, not a past event.
    """
    start = s.valid.start
    scheduled = (projection and s.cause == "lapse" and knowledge is not None and start is not None
                 and start > knowledge)
    if s.knowledge == knowledge and s.projection is projection and s.scheduled is scheduled:
        return s
    return answer(s.measure, s.status, s.reliefs, s.pending, s.version, s.transition, s.cause, s.valid,
                  s.uncertain, s.program, s.targets, s.digest, s.until, knowledge, bool(projection), scheduled,
                  s.basis, s.lapsed)


class Runs(array):  # type: ignore[type-arg]
    """The state runs of one measure in one knowledge epoch (see the module docstring).

    The store *is* its ``starts`` array (an ``array('i')`` subclass), so a point
    query reads one object less. Equality and hashing are by identity.
    """

    __slots__ = (
        "answers",
        "cells",
        "digest",
        "flips",
        "horizon",
        "intraday",
        "knowledge",
        "measure",
        "palette",
        "bases",
        "records",
        "uncorrected",
    )
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__  # type: ignore[assignment]

    #: the cause of the state before the first run (see :class:`NothingKnown`)
    before_cause = "none"

    measure: Measure
    knowledge: _dt.date | None
    horizon: _dt.date | None
    digest: str
    records: Sequence[Transition]
    intraday: dict[int, tuple[list[float], list[MeasureState]]] | None
    answers: tuple[MeasureState | None, ...] | list[MeasureState | None] | None
    flips: tuple[_dt.date, ...] | None
    cells: bytes | array[int]
    #: true when no record of the measure corrects another (known without reading every record)
    uncorrected: bool
    #: run -> the canonical place of the record its status rests on (-1: none), for runs begun by no
    #: transition, as stored (None: found by scanning the records, see _provenance)
    bases: Mapping[int, int] | None
    palette: tuple[Any, ...] | Mapping[int, Any]  # a mapping by place for restored runs (see _index.stored)

    def __new__(cls, measure: Measure, digest: str, runs: Sequence[Run],
                records: Sequence[Transition] = (), knowledge: _dt.date | None = None) -> Self:
        # 4 bytes a run, inline: a bisect reads no scattered int objects (3x faster on cold memory)
        starts = array("i", [r.start.toordinal() for r in runs])
        cells, palette = _cells(measure, runs, records)
        return cls._assembled(measure, digest, starts, cells, palette, records, knowledge, False, None)

    @classmethod
    def restored(cls, measure: Measure, digest: str, starts: array[int], cells: bytes,
                 palette: Mapping[int, Any] | None, records: Sequence[Transition], knowledge: _dt.date | None,
                 uncorrected: bool, bases: Mapping[int, int] | None = None) -> Runs:
        """The runs of a measure's latest epoch as :mod:`~sanctrack._index.stored` kept them: the same
        store a replay builds (``starts``, six-byte ``cells``, ``palette`` by place; None for the base
        palette). ``uncorrected``: no record of the measure corrects another; ``bases``: see :attr:`bases`."""
        return cls._assembled(measure, digest, starts, cells, _BASE if palette is None else palette, records,
                              knowledge, uncorrected, bases)

    @classmethod
    def _assembled(cls, measure: Measure, digest: str, starts: array[int], cells: bytes | array[int],
                   palette: tuple[Any, ...] | Mapping[int, Any], records: Sequence[Transition],
                   knowledge: _dt.date | None, uncorrected: bool, bases: Mapping[int, int] | None) -> Self:
        self: Self = array.__new__(cls, "i", starts)  # type: ignore[assignment]
        self.measure = measure
        #: the knowledge date its answers are made with (each run's answer is marked as of its start day)
        self.knowledge = knowledge
        #: the latest ``recorded`` date of the records its epoch knows (None: all of ``records``)
        self.horizon = None
        self.digest = digest
        self.records = records
        self.intraday = None
        self.answers = None
        self.flips = None
        self.cells = cells
        self.palette = palette
        self.uncorrected = uncorrected
        self.bases = bases
        return self

    @property
    def starts(self) -> Runs:
        """The runs' start days as date ordinals (the store itself)."""
        return self

    def __repr__(self) -> str:
        return f"<Runs of {self.measure.id}: {len(self)} runs>"

    def answer(self, i: int) -> MeasureState:
        """The answer of run ``i`` (``-1``: before the first run), made on first use and kept.

        ``answers`` holds the runs' start days and then the answers: with ``n``
        runs, ``answers[:n]`` are the start-day ordinals (as int objects) and
        ``answers[n + 1 + i]`` is run ``i``'s answer. For a measure of up to 32
        runs it is a tuple, made anew when an answer is added: a *point tuple*,
        whose first ``n`` items a bisect searches and whose answer sits in the
        same object, so a point question reads that tuple, its days and the
        answer, and not this store (:meth:`Registry.state` keeps the latest
        runs' point tuple by measure id). Past 32 runs it is a list.
        """
        n = len(self)
        a = self.answers
        s = None if a is None else a[n + 1 + i]
        if s is None:
            s = self._make(i)
            a = self.answers  # as it is now
            if a is None:
                # the days as int objects of their own, made together (so they sit together in memory):
                # sharing one int per day through a dictionary cost a scattered read per day (3.5 µs a
                # measure at 1M transitions), more than the point tuple saves
                days = tuple(self)
                a = days + (None,) * (n + 1) if n <= 32 else [*days, *(None,) * (n + 1)]
            j = n + 1 + i
            if isinstance(a, tuple):
                self.answers = a[:j] + (s,) + a[j + 1:]
            else:
                a[j] = s
                self.answers = a
        return s

    def at(self, o: int) -> MeasureState:
        """The state on the day with ordinal ``o``."""
        i = bisect_right(self, o)
        a = self.answers
        if a is not None:
            s = a[len(self) + i]
            if s is not None:
                return s
        return self.answer(i - 1)

    def live_at(self, o: int) -> bool:
        """Whether the state on the day with ordinal ``o`` is in force (without making its answer)."""
        i = bisect_right(self, o)
        return i > 0 and LIVE_OF_CODE[self.cells[i - 1]] == 1

    def version_valid(self, o: int) -> tuple[int, Validity]:
        """The version and validity of the state on the day with ordinal ``o`` (without making the answer)."""
        starts = self
        i = bisect_right(starts, o)
        start = day_of(starts[i - 1]) if i > 0 else None
        end = day_of(starts[i]) if i < len(starts) else None
        return i, validity(start, end)

    def states(self) -> tuple[MeasureState, ...]:
        """Every run's answer, oldest first."""
        return tuple(self.answer(i) for i in range(len(self)))

    def _make(self, i: int) -> MeasureState:
        m = self.measure
        starts = self
        n = len(starts)
        if i < 0:
            first = day_of(starts[0]) if n else None
            return answer(m, None, (), (), 0, None, self.before_cause, validity(None, first), False,
                          m.program, m.targets, self.digest, None, self.knowledge)
        c = self.cells
        code = c[i]
        b = n + 5 * i
        t, rel, until, pend, scope = c[b:b + 5]
        p = self.palette
        program, targets = p[scope] if scope else (m.program, m.targets)
        end = day_of(starts[i + 1]) if i + 1 < n else None
        start = day_of(starts[i])
        cause = _CAUSES[(code >> 1) // 6]
        k = self.knowledge
        projection = k is not None and start > k  # a run that begins after the knowledge date is projected
        status = STATUSES[(code >> 1) % 6]
        basis, lapsed = self._provenance(i, status, p[rel]) if not t else (None, ())
        return answer(m, status, p[rel], p[pend], i + 1, self.records[t - 1] if t else None,
                      cause, validity(start, end), bool(code & 1),
                      program, targets, self.digest, p[until], k, projection, projection and cause == "lapse",
                      basis, lapsed)

    def _provenance(self, i: int, status: Status | None,
                    reliefs: tuple[Relief, ...]) -> tuple[Transition | None, tuple[Transition, ...]]:
        """For run ``i``, begun by no transition (a lapse, a window, an announcement): the act its status
        rests on and the records whose ``until`` was reached on its first day.

        ``relieved``: the latest relief still in effect. Otherwise the latest earlier transition that
        is neither a relief nor an amendment (the impose, reimpose, resume, extend, suspend or lift
        the status comes from; for ``expired``, the act whose ``until`` ran out).
        """
        n = len(self)
        c = self.cells
        recs = self.records
        basis: Transition | None = None
        if status is Status.RELIEVED and reliefs:
            basis = max(reliefs, key=lambda r: r.since).transition
        elif self.bases is not None and i in self.bases:  # as stored when the runs were
            b = self.bases[i]
            basis = recs[b] if b >= 0 else None
        else:  # the records this epoch knows, in canonical order, up to the run's first day
            start_day = day_of(self[i])
            horizon = self.horizon
            known: Sequence[Transition]
            corrected: Collection[str | None]
            if horizon is None and self.uncorrected:  # every record known, none corrected: scan from the end
                known, corrected = recs, ()
            else:
                known = [t for t in recs if horizon is None or t.recorded <= horizon]
                corrected = {t.corrects for t in known if t.corrects is not None}
            for t in reversed(known):
                if (t.effective is not None and t.effective <= start_day and t.id not in corrected
                        and t.action not in _NOT_STATUS_ACTS):
                    basis = t
                    break
        if i == 0:
            return basis, ()
        start = day_of(self[i])
        p = self.palette
        before = p[c[n + 5 * (i - 1) + 1]]
        lapsed = [r.transition for r in before if r.until == start and r not in reliefs]
        if status is Status.EXPIRED and basis is not None and basis not in lapsed:
            lapsed.append(basis)
        return basis, tuple(lapsed)

    def basis_place(self, i: int) -> int | None:
        """For run ``i`` begun by no transition, whose status no relief gives: the place in ``records`` of
        the record its status rests on (-1: none); None for any other run (what :attr:`bases` keeps)."""
        n = len(self)
        c = self.cells
        code = c[i]
        status = STATUSES[(code >> 1) % 6]
        if c[n + 5 * i] or (status is Status.RELIEVED and self.palette[c[n + 5 * i + 1]]):
            return None
        basis, _ = self._provenance(i, status, self.palette[c[n + 5 * i + 1]])
        if basis is None:
            return -1
        return next(k for k, t in enumerate(self.records) if t is basis)

    @property
    def codes(self) -> bytes:
        """One byte per run: its status, cause and uncertainty (see :func:`cause_code`)."""
        c = self.cells[:len(self)]
        return c if isinstance(c, bytes) else bytes(c.tolist())

    def live(self) -> bytes:
        """One byte per run: 1 if its state is in force."""
        return self.codes.translate(LIVE_OF_CODE)

    def flip_days(self) -> tuple[_dt.date, ...]:
        """The days the measure goes into or out of force, oldest first (made on first use, kept).

        Before the first run nothing is in force, so the state on a day is in
        force iff an odd number of these days are on or before it.
        """
        f = self.flips
        if f is None:
            days = []
            cur = 0
            for o, v in zip(self, self.live()):
                if v != cur:
                    days.append(day_of(o))
                    cur = v
            f = self.flips = tuple(days)
        return f

    def in_force_runs(self) -> list[tuple[int, int, int | None]]:
        """``(run index, start, end)`` of the in-force runs (``end`` None while the run holds)."""
        starts = self
        live = self.live()
        last = len(starts) - 1
        return [(i, o, starts[i + 1] if i < last else None) for i, o in enumerate(starts) if live[i]]


class NothingKnown(Runs):
    """The runs of a measure in epoch 0, before anything about it was recorded: none, and the
    state before them has the cause ``unknown``."""

    __slots__ = ()
    before_cause = "unknown"


#: actions that do not set a measure's status by themselves (see Runs._provenance)
_NOT_STATUS_ACTS = frozenset({"relieve", "amend"})

#: the palette of a measure whose runs have no reliefs, lapses, announcements or scope changes
_BASE: tuple[Any, ...] = (None, ())


def _cells(measure: Measure, runs: Sequence[Run],
           records: Sequence[Transition]) -> tuple[bytes | array[int], tuple[Any, ...]]:
    """The cells and palette of a replay's runs (see the module docstring)."""
    codes = bytearray()
    refs: list[int] = []  # 5 a run: transition, reliefs, until, pending, scope
    palette: list[Any] = [None, ()]
    where: dict[Any, int] = {}  # date, or id() of a kept tuple -> its place in the palette
    at = {id(t): n for n, t in enumerate(records, 1)} if runs else {}
    program, targets = measure.program, measure.targets
    last_rel: Any = ()
    last_pend: Any = ()
    last_scope: Any = None
    rel_i = pend_i = scope_i = 1
    for r in runs:
        codes.append(_code(r.status, r.cause, r.uncertain))
        t = r.transition
        rel = r.reliefs
        if rel != last_rel:  # equal tuples of the same Relief objects are one palette entry
            last_rel = rel
            rel_i = _place(rel, id(rel), palette, where) if rel else 1
        pend = r.pending
        if pend != last_pend:
            last_pend = pend
            pend_i = _place(pend, id(pend), palette, where) if pend else 1
        until = r.until
        if r.program != program or r.targets != targets:
            scope = (r.program, r.targets)
            if scope != last_scope:
                last_scope = scope
                scope_i = _place(scope, id(scope), palette, where)
            s_i = scope_i
        else:
            s_i = 0
        refs += (0 if t is None else at[id(t)], rel_i, 0 if until is None else _place(until, until, palette, where),
                 pend_i, s_i)
    # a run's code, then five small indexes into records and the palette: 6 bytes a run
    # (an int array instead if a measure has more than 255 records or palette entries)
    wide = len(records) > 255 or len(palette) > 256
    cells: bytes | array[int] = array("i", [*codes, *refs]) if wide else bytes(codes) + bytes(refs)
    return cells, _BASE if len(palette) == 2 else tuple(palette)


def _place(obj: Any, key: Any, palette: list[Any], where: dict[Any, int]) -> int:
    """``obj``'s index in the palette, appended on first sight (``key``: its identity or value)."""
    i = where.get(key)
    if i is None:
        i = where[key] = len(palette)
        palette.append(obj)
    return i
