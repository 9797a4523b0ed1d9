"""The registry and its as-of query engine.

A :class:`Registry` is an immutable set of records plus lazily built indexes.
For every measure, the records are grouped into *knowledge epochs* (the
distinct ``recorded`` dates of its transitions). Replaying the records known
in an epoch through the state machine gives the measure's *state runs*; a
point query is a bisect over the start dates of those runs (O(log k)), never a
replay. The runs are kept in a compact store (:mod:`sanctrack._runs`), and a
run's :class:`MeasureState` is made the first time it is asked for.

:meth:`Registry.build` checks everything: it replays every measure in every
knowledge epoch that needs it (the legality check) and keeps the latest
epoch's runs. A registry built from a signature-verified cache entry (records
that passed those checks when they were loaded) does no replay: each measure
is prepared (records in canonical order, epochs) and replayed on first use.
The runs of earlier epochs are always built on first use. All of it happens
under a lock, once, for ``as_known_on`` views and ``known=`` queries alike.

This module holds construction, the checks, the point path (:meth:`state`)
and the lookups; the class takes its other queries from mixins:
:mod:`sanctrack._ranges` (``in_force``, ``changes``, ``diff`` and the global
indexes), :mod:`sanctrack._lineage` (``history``, ``explain``, ``compare``,
the deals), :mod:`sanctrack._screen` (``screen``) and :mod:`sanctrack._marks`
(the facts/projection marks of answers and ``knowledge``).

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import gc
import datetime as _dt
import itertools
import operator
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import _canonical
from ._canonical import registry_digest
from ._errors import IllegalTransition, Problem, RegistryError, UnknownMeasure, UnknownRecord, UnknownTarget
from ._model import (
    Authority,
    Entity,
    Instrument,
    Link,
    Measure,
    MeasureState,
    RegistryInfo,
    Release,
    Source,
    Transition,
)
from ._runs import Runs as _Runs
from ._runs import NothingKnown as _NothingKnown
from ._runs import answer as _answer
from ._runs import day_of as _day_of
from ._statemachine import Replay, replay
from ._filters import closest
from ._lineage import LineageMixin
from ._marks import MarksMixin
from ._ranges import RangeMixin
from ._screen import ScreeningMixin
from ._time import known_arg as _known
from ._time import local_date, zone
from ._time import when_arg as _when
from ._timelines import Data as _Data
from ._timelines import Timeline as _Timeline
from ._timelines import is_prefix as _is_prefix
from ._timelines import known_effective as _known_effective
from ._timelines import known_records as _known_records
from ._timelines import normalise_name
from ._validate import check_records, did_you_mean

__all__ = ["Registry", "normalise_name"]


class Registry(RangeMixin, LineageMixin, ScreeningMixin, MarksMixin):
    """A set of sanction measures, their transitions and releases, answering as-of queries.

    Build one with :meth:`Registry.build` (in code) or :func:`sanctrack.load`
    (from YAML). A registry is immutable; :meth:`as_known_on` returns a view
    restricted to what was recorded by a date.
    """

    __slots__ = ("_d", "_known")

    # -- construction ----------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        info: RegistryInfo | None = None,
        authorities: Iterable[Authority] = (),
        entities: Iterable[Entity] = (),
        instruments: Iterable[Instrument] = (),
        sources: Iterable[Source] = (),
        measures: Iterable[Measure] = (),
        transitions: Iterable[Transition] = (),
        releases: Iterable[Release] = (),
        links: Iterable[Link] = (),
        _verified_digest: str | None = None,
        _deferred: "tuple[int, Mapping[str, Callable[[], list[Transition]]]] | None" = None,
    ) -> "Registry":
        """Build a registry from records, checking everything.

        Transitions of one measure keep the order given here as their
        *registry order* (the tie-break for same-day transitions); the order
        of anything else does not matter. Raises :class:`RegistryError` listing
        every problem (unknown references, duplicate ids, illegal sequences as
        :class:`IllegalTransition` problems …); nothing is built if there is one.

        ``_verified_digest`` is private to the load cache: the records of a
        signature-verified cache entry, written only after records with that
        digest passed every check. The digest is taken as given (the entry's
        signature covers it and the records); the checks and the eager replay
        are not repeated, and each measure's runs are built on first use,
        exactly as they would be otherwise. ``_deferred`` (with it, also
        private to the cache) is ``(count, {measure id: make})``: the
        transitions of each measure, in registry order, made on first use.
        """
        collecting = gc.isenabled()
        gc.disable()  # building allocates hundreds of thousands of objects and no cycles: no collector passes
        try:
            return cls._build(info, authorities, entities, instruments, sources, measures, transitions, releases,
                              links, _verified_digest, _deferred)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _build(cls, info: RegistryInfo | None, authorities: Iterable[Authority], entities: Iterable[Entity],
               instruments: Iterable[Instrument], sources: Iterable[Source], measures: Iterable[Measure],
               transitions: Iterable[Transition], releases: Iterable[Release], links: Iterable[Link],
               _verified_digest: str | None,
               _deferred: "tuple[int, Mapping[str, Callable[[], list[Transition]]]] | None") -> "Registry":
        if _deferred is not None and _verified_digest is None:
            raise ValueError("deferred transitions come only from a verified cache entry")
        au, en, ins, so = tuple(authorities), tuple(entities), tuple(instruments), tuple(sources)
        me, tr, re_, li = tuple(measures), tuple(transitions), tuple(releases), tuple(links)
        if _verified_digest is None:
            problems = check_records(authorities=au, entities=en, instruments=ins, sources=so,
                                     measures=me, transitions=tr, releases=re_, links=li)
        else:
            problems = []
        d = _Data()
        d.info = info or RegistryInfo(name="registry")
        d.authorities = {a.code: a for a in au}
        d.entities = {e.id: e for e in en}
        d.instruments = {i.id: i for i in ins}
        d.sources = {s.id: s for s in so}
        d.measures = {m.id: m for m in sorted(me, key=_ID)}
        d.n_transitions = len(tr)
        d.releases = {r.id: r for r in sorted(re_, key=lambda r: (r.date, r.id))}
        d.links = li

        grouped: Mapping[str, Any]
        latest: _dt.date | None
        if _deferred is not None:
            d.n_transitions, grouped = _deferred[0], _deferred[1]
            if len(_deferred) > 2:
                latest = _deferred[2]  # type: ignore[misc]
            else:
                latest = max((t.recorded for make in grouped.values() for t in make()), default=None)
        else:
            latest = max(map(_RECORDED, tr), default=None)
            # records come grouped by measure (a file a measure): one step a run of them, in registry order
            grouped = {}
            for mid, run in itertools.groupby(tr, key=_MEASURE):
                g = grouped.get(mid)
                if g is None:
                    grouped[mid] = list(run)
                else:
                    g.extend(run)
        # the registry's knowledge date: its latest ``recorded`` (an answer for a later date is a projection)
        for rec in (*re_, *li):
            if latest is None or rec.recorded > latest:
                latest = rec.recorded
        d.knowledge = latest
        d.kord = latest.toordinal() if latest is not None else _NEVER
        d.projected = {}  # id(answer) -> (answer, the same answer marked a projection): at most one a measure
        d.marked = {}  # (id(answer), knowledge date, projection) -> (answer, marked): bounded (_MARKED_MEMO)
        tz_of: dict[str, str] = {}
        for code, a in d.authorities.items():
            try:
                zone(a.timezone)
                tz_of[code] = a.timezone
            except ValueError:
                tz_of[code] = "UTC"
        d.timelines = {mid: _Timeline(m, tz_of.get(m.authority, "UTC"), grouped.get(mid, _NO_RECORDS))
                       for mid, m in d.measures.items()}

        reg = cls._view(d, None)
        if _verified_digest is None:
            d.digest = registry_digest(info=d.info, authorities=d.authorities, entities=d.entities,
                                       instruments=d.instruments, sources=d.sources, measures=d.measures,
                                       records_of=lambda mid: d.timelines[mid].records, releases=d.releases,
                                       links=d.links)
            problems.extend(reg._check_legality())
        else:  # a signature-verified cache entry: its digest was computed when its records passed every check
            d.digest = _verified_digest
        if problems:
            raise RegistryError(problems)
        return reg

    @classmethod
    def _view(cls, d: _Data, known: _dt.date | None) -> "Registry":
        reg = object.__new__(cls)
        reg._d = d
        reg._known = known
        return reg

    def _check_legality(self) -> list[Problem]:
        """Replay every measure in every knowledge epoch; the first illegal step of each is a problem.

        The latest epoch is replayed (and its runs kept). An earlier epoch whose
        effective records are a prefix of a later epoch's found legal is legal
        too (legality of a step depends only on the steps before it), so going
        back from the latest epoch only the others are replayed; their runs are
        built again later, on first use. If any epoch is illegal, every epoch is
        replayed in order so the first illegal one is the one reported.
        """
        problems: list[Problem] = []
        for tl in self._d.timelines.values():
            n = tl.n
            if n == 0:
                continue
            epochs: Iterable[int] = (n,)
            if tl.needs_epoch_check:
                try:
                    self._runs(tl, n)  # the latest epoch: built and kept, unless it is illegal
                except IllegalTransition:
                    epochs = range(1, n + 1)
                else:
                    epochs = () if self._earlier_epochs_legal(tl) else range(1, n + 1)
            for k in epochs:
                if k == 0:
                    continue
                try:
                    if k == n or tl.cached(k) is not None:
                        self._runs(tl, k)
                    else:
                        self._compute_runs(tl, k)  # checked, not kept: built again on first use
                except IllegalTransition as exc:
                    known = _day_of(tl.ordinals[k - 1])
                    when = "" if k == tl.n else f" (as known on {known})"
                    problems.append(Problem(str(exc) + when,
                                            hint="check the order and dates of this measure's transitions",
                                            record=exc.transition, field="action",
                                            related=(exc.previous,) if exc.previous else ()))
                    break
            tl.forget_ordinals()  # the check's: made again by the first question that needs them
        return problems

    def _earlier_epochs_legal(self, tl: _Timeline) -> bool:
        checked = [_known_effective(tl, tl.n)]
        for k in range(tl.n - 1, 0, -1):
            seq = _known_effective(tl, k)
            if any(_is_prefix(seq, c) for c in checked):
                continue
            try:
                self._compute_runs(tl, k)  # checked, not kept: built again on first use
            except IllegalTransition:
                return False
            checked.append(seq)
        return True

    # -- the index ---------------------------------------------------------

    def _runs(self, tl: _Timeline, k: int) -> _Runs:
        runs = tl.cached(k)
        if runs is not None:
            return runs
        with self._d.lock:
            runs = tl.cached(k)
            if runs is None:
                runs = self._compute_runs(tl, k)
                if k == tl.n:
                    tl.latest = runs
                    self._d.latest[tl.measure.id] = runs
                else:
                    if tl.cache is None:
                        tl.cache = {}
                    tl.cache[k] = runs
        return runs

    def _compute_runs(self, tl: _Timeline, k: int) -> _Runs:
        if k == 0:
            return _NothingKnown(tl.measure, self._d.digest, (), knowledge=self._d.knowledge)
        runs = _Runs(tl.measure, self._d.digest, self._replay(tl, k, instants=False).runs, tl.records,
                     knowledge=self._d.knowledge)
        if k < tl.n:
            runs.horizon = _day_of(tl.ordinals[k - 1])
        return runs

    def _replay(self, tl: _Timeline, k: int, *, instants: bool) -> Replay:
        """Replay the measure's records known in epoch ``k``.

        ``instants``: also the partial states of the days with timed (``effective_at``) steps.
        """
        d = self._d
        m = tl.measure
        known = _known_records(tl, k)
        if tl.has_corrections:
            correctors = {t.corrects: t for t in known if t.corrects is not None}
            active: Sequence[Transition] = [t for t in known if t.id not in correctors]
        else:
            correctors = {}
            active = known
        effective = [t for t in active if t.effective is not None]
        pending: list[tuple[Transition, _dt.date, _dt.date | None]] = []
        windows = []
        if tl.has_extras:
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
        return replay(effective, program=m.program, targets=m.targets, instruments=d.instruments,
                      pending=pending, windows=windows,  # type: ignore[arg-type]
                      instant_of=_timestamp if instants else None, follow=follow)

    def _intraday(self, tl: _Timeline, k: int, runs: _Runs) -> dict[int, tuple[list[float], list[MeasureState]]]:
        """The states within the days that have timed (``effective_at``) steps: made on the first
        question at an instant, kept on ``runs`` (empty when the measure has no timed step)."""
        got = runs.intraday
        if got is not None:
            return got
        intraday: dict[int, tuple[list[float], list[MeasureState]]] = {}
        if k and any(map(_EFFECTIVE_AT, tl.records)):
            m = tl.measure
            digest = self._d.digest
            for day, subs in self._replay(tl, k, instants=True).intraday.items():
                o = day.toordinal()
                version, valid = runs.version_valid(o)
                tss = [ts for ts, _ in subs]
                day_state = runs.at(o)  # a partial state begun by no transition rests on what the day's does
                sts = [_answer(m, r.status, r.reliefs, r.pending, version, r.transition, r.cause,
                               valid, r.uncertain, r.program, r.targets, digest, r.until, runs.knowledge, False,
                               False, day_state.basis if r.transition is None else None,
                               day_state.lapsed if r.transition is None else ())
                       for _, r in subs]
                intraday[o] = (tss, sts)
        runs.intraday = intraday
        return intraday

    def _at_instant(self, tl: _Timeline, k: int, runs: _Runs, when: _dt.datetime) -> MeasureState:
        """The state at an aware instant: its calendar date in the authority's zone, then effective_at that day."""
        day = local_date(when, tl.tz)
        o = day.toordinal()
        sub = self._intraday(tl, k, runs).get(o)
        if sub is None:
            return runs.at(o)
        tss, sts = sub
        i = bisect.bisect_right(tss, when.timestamp()) - 1
        return sts[i] if i >= 0 else runs.at(o - 1)

    def _timeline(self, measure_id: str) -> _Timeline:
        try:
            return self._d.timelines[measure_id]
        except (KeyError, TypeError):
            hint = did_you_mean(str(measure_id), self._d.timelines) if isinstance(measure_id, str) else None
            raise UnknownMeasure(str(measure_id), hint) from None

    def _k(self, tl: _Timeline, known: Any) -> int:
        return tl.epoch(self._effective_known(known))

    # -- basic facts ---------------------------------------------------------

    @property
    def digest(self) -> str:
        """``sha256:…`` of the canonical content (not of files, order or formatting).

        A view made by :meth:`as_known_on` has the digest of the registry it
        views; together with its :attr:`known` date it reproduces every answer.
        """
        return self._d.digest

    @property
    def known(self) -> _dt.date | None:
        """The knowledge date of this view (None: everything recorded counts)."""
        return self._known

    def _whole(self) -> "Registry":
        """The registry this view views (itself if not a view): every record, whatever it knew."""
        return self if self._known is None else Registry._view(self._d, None)

    @property
    def info(self) -> RegistryInfo:
        return self._d.info

    def _visible(self, recorded: _dt.date) -> bool:
        return self._known is None or recorded <= self._known

    @property
    def authorities(self) -> tuple[Authority, ...]:
        return tuple(self._d.authorities.values())

    @property
    def entities(self) -> tuple[Entity, ...]:
        return tuple(self._d.entities.values())

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        return tuple(self._d.instruments.values())

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(self._d.sources.values())

    @property
    def measures(self) -> tuple[Measure, ...]:
        """Every measure with at least one record known in this view, by id."""
        if self._known is None:
            return tuple(self._d.measures.values())
        return tuple(tl.measure for tl in self._d.timelines.values() if tl.epoch(self._known) > 0)

    @property
    def transitions(self) -> tuple[Transition, ...]:
        """Every transition recorded in this view (superseded ones too), by measure then canonical order."""
        return tuple(t for tl in self._d.timelines.values() for t in tl.records if self._visible(t.recorded))

    @property
    def releases(self) -> tuple[Release, ...]:
        return tuple(r for r in self._d.releases.values() if self._visible(r.recorded))

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(ln for ln in self._d.links if self._link_visible(ln))

    def _link_visible(self, ln: Link) -> bool:
        d = self._d
        return (self._visible(ln.recorded) and self._visible(d.releases[ln.release].recorded)
                and self._visible(d.transitions[ln.transition].recorded))

    def measure(self, measure_id: str) -> Measure:
        return self._timeline(measure_id).measure

    def transition(self, transition_id: str) -> Transition:
        t = self._d.transitions.get(transition_id)
        if t is None or not self._visible(t.recorded):
            raise UnknownRecord("transition", transition_id, did_you_mean(transition_id, self._d.transitions))
        return t

    def release(self, release_id: str) -> Release:
        r = self._d.releases.get(release_id)
        if r is None or not self._visible(r.recorded):
            raise UnknownRecord("release", release_id, did_you_mean(release_id, self._d.releases))
        return r

    def source(self, source_id: str) -> Source:
        s = self._d.sources.get(source_id)
        if s is None:
            raise UnknownRecord("source", source_id, did_you_mean(source_id, self._d.sources))
        return s

    def instrument(self, instrument_id: str) -> Instrument:
        i = self._d.instruments.get(instrument_id)
        if i is None:
            raise UnknownRecord("instrument", instrument_id, did_you_mean(instrument_id, self._d.instruments))
        return i

    def authority(self, code: str) -> Authority:
        a = self._d.authorities.get(code)
        if a is None:
            raise UnknownRecord("authority", code, did_you_mean(code, self._d.authorities))
        return a

    def resolve(self, target: str) -> tuple[Entity, ...]:
        """The entities a target reference means: an id, a name or alias, or an identifier.

        Names compare case-, space- and punctuation-insensitively. Raises
        :class:`UnknownTarget` if nothing matches.
        """
        d = self._d
        if not isinstance(target, str):
            raise UnknownTarget(repr(target))
        if target in d.entities:
            return (d.entities[target],)
        ids = d.name_index.get(normalise_name(target))
        if not ids:
            keys = [e.name for e in d.entities.values()] + [a for e in d.entities.values() for a in e.aliases]
            raise UnknownTarget(target, closest(target, [*keys, *d.entities]))
        return tuple(d.entities[i] for i in sorted(ids))

    def entity(self, target: str) -> Entity:
        """The one entity a reference means (the first by id if several share a name)."""
        return self.resolve(target)[0]

    # -- as-of queries ---------------------------------------------------------

    def as_known_on(self, known: Any) -> "Registry":
        """A view of this registry restricted to records recorded on or before ``known``.

        Corrections count only if they too were recorded by then. Views are
        cheap: their indexes are built lazily and shared with ``known=`` queries.
        """
        y = _known(known)
        if y is None:  # no knowledge date: everything this view knows counts
            return Registry._view(self._d, self._known)
        if self._known is not None and self._known < y:
            y = self._known
        return Registry._view(self._d, y)

    def state(self, measure_id: str, on: Any, *, known: Any = None) -> MeasureState:
        """The state of a measure on a date (or at an aware instant).

        ``known=Y`` answers as the registry stood on Y, without building a view.
        Before the measure's first transition the state's ``status`` is None.

        >>> import sanctrack
        >>> reg = sanctrack.load()
        >>> reg.state("us-ofac-belavia-sdn", "2025-09-20").reliefs[0].label
        'GL 11'
        >>> str(reg.state("us-ofac-belavia-sdn", "2025-11-10", known="2025-10-01").status)
        'relieved'

        Every answer carries its knowledge date (``known``, else the registry's
        latest ``recorded``) and says whether it is a projection (a date after
        it); a lapse after the knowledge date is *scheduled*, not a past event:

        >>> s = reg.state("eu-belavia-listing", "2027-03-01")
        >>> str(s.status), str(s.knowledge), s.projection, s.scheduled
        ('expired', '2026-12-05', True, True)
        """
        if known is None and self._known is None:
            # the common question (everything known, a calendar date) goes straight from the measure id
            # to its point tuple, and a kept answer is read from it: a bisect of its start days and an
            # index, with neither the run store nor its day array read (at 1M transitions, cache misses
            # fewer); else to the measure's runs, past its timeline
            d = self._d
            try:
                p = d.points.get(measure_id)
                runs = d.latest.get(measure_id) if p is None else None
            except TypeError:  # not hashable: not a measure id (said below)
                p = runs = None
            if p is not None or runs is not None:
                if type(on) is _dt.date:
                    o = on.toordinal()
                else:
                    when = _when(on)
                    o = when.toordinal() if type(when) is _dt.date else 0  # 0: an instant (below)
                if o:
                    if p is not None:
                        n = len(p) >> 1
                        s = p[n + bisect.bisect_right(p, o, 0, n)]
                        if s is not None:
                            # a kept answer is marked as of its run's start: after the knowledge date
                            # a fact's twin marked a projection is answered instead
                            return s if o <= d.kord or s.projection else self._projected(s)
                        runs = d.latest[measure_id]
                    s = runs.at(o)
                    a = runs.answers
                    if type(a) is tuple:
                        d.points[measure_id] = a
                    return s if o <= d.kord or s.projection else self._projected(s)
        tl = self._timeline(measure_id)
        y: _dt.date | None
        if known is None and self._known is None:
            runs = tl.latest
            if runs is None:
                runs = self._runs(tl, tl.n)
            k = -1  # the latest epoch (resolved below only for an instant)
            y = None
        else:
            if type(known) is _dt.date and (self._known is None or known <= self._known):
                k = bisect.bisect_right(tl.ordinals, known.toordinal())
                y = known
            else:
                y = self._effective_known(known)
                k = tl.epoch(y)
            if k == tl.n:
                runs = tl.latest
            else:
                c = tl.cache
                runs = c.get(k) if c is not None else None
            if runs is None:
                runs = self._runs(tl, k)
        when = _when(on)
        if type(when) is _dt.date:
            o = when.toordinal()
            return self._mark(runs.at(o), o, y)
        s = self._at_instant(tl, tl.n if k < 0 else k, runs, when)  # type: ignore[arg-type]
        return self._mark(s, local_date(when, tl.tz).toordinal(), y)  # type: ignore[arg-type]

    def _state_y(self, tl: _Timeline, when: _dt.date | _dt.datetime, y: _dt.date | None) -> MeasureState:
        """:meth:`state` for a parsed date or instant and an effective knowledge date."""
        k = tl.epoch(y)
        runs = tl.latest if k == tl.n else None
        if runs is None:
            runs = self._runs(tl, k)
        if type(when) is _dt.date:
            o = when.toordinal()
            return self._mark(runs.at(o), o, y)
        s = self._at_instant(tl, k, runs, when)  # type: ignore[arg-type]
        return self._mark(s, local_date(when, tl.tz).toordinal(), y)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        view = f", known={self._known}" if self._known is not None else ""
        return (f"<Registry {self._d.info.name!r}: {len(self._d.measures)} measures, "
                f"{self._d.n_transitions} transitions, {len(self._d.releases)} releases{view}>")


# -- helpers -------------------------------------------------------------------


_ID = operator.attrgetter("id")
_MEASURE = operator.attrgetter("measure")
_NO_RECORDS: list[Transition] = []
_TO_ORDINAL = _dt.date.toordinal
_EFFECTIVE = operator.attrgetter("effective")
_EFFECTIVE_AT = operator.attrgetter("effective_at")
_RECORDED = operator.attrgetter("recorded")
_NEVER = _dt.date.max.toordinal() + 1  # the knowledge ordinal of a registry with no records: nothing is projected


def _timestamp(t: Transition) -> float:
    return t.effective_at.timestamp()  # type: ignore[union-attr]


def _canonical_doc(d: _Data) -> dict[str, Any]:
    """The canonical plain document of a registry (what its digest hashes; the JSON export's body)."""
    return _canonical._canonical_doc(d.info, d.authorities, d.entities, d.instruments, d.sources, d.measures,
                                     lambda mid: d.timelines[mid].records, d.releases, d.links)
