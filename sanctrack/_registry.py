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

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import gc
from array import array
import datetime as _dt
import itertools
import operator
import re
import threading
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import _fast
from . import _canonical
from ._canonical import registry_digest
from ._errors import IllegalTransition, Problem, RegistryError, UnknownMeasure, UnknownRecord, UnknownTarget
from ._model import (
    IN_FORCE,
    Authority,
    Comparison,
    Deal,
    Entity,
    Explanation,
    History,
    Instrument,
    Link,
    LinkedRelease,
    LinkedTransition,
    Measure,
    MeasureState,
    RegistryInfo,
    Release,
    ScreenHit,
    Source,
    StateChange,
    Step,
    Supersession,
    Transition,
)
from ._runs import Runs as _Runs
from ._runs import NothingKnown as _NothingKnown
from ._runs import answer as _answer
from ._runs import day_of as _day_of
from ._statemachine import Replay, replay
from ._time import local_date, parse_date, parse_when, zone
from ._validate import check_records, did_you_mean

__all__ = ["Registry", "normalise_name"]

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a name.

    >>> normalise_name("OJSC  Belavia-Belarusian Airlines.")
    'ojsc belavia belarusian airlines'
    """
    return _NON_WORD.sub(" ", text.casefold()).strip()


@lru_cache(maxsize=4096)
def _parse_when_text(text: str) -> _dt.date | _dt.datetime:
    return parse_when(text)


def _when(value: Any) -> _dt.date | _dt.datetime:
    t = type(value)
    if t is _dt.date:
        return value
    if t is str:
        return _parse_when_text(value)
    return parse_when(value)


def _known(value: Any) -> _dt.date | None:
    if value is None:
        return None
    if type(value) is _dt.date:
        return value
    if isinstance(value, str):
        return _parse_date_text(value)
    return parse_date(value)


@lru_cache(maxsize=1024)
def _parse_date_text(text: str) -> _dt.date:
    return parse_date(text)


def _day(value: Any) -> _dt.date:
    """A query date for range queries (changes, diff): a calendar date."""
    if type(value) is _dt.date:
        return value
    return parse_date(value)


_PREPARED, _EPOCH_CHECK, _CORRECTIONS, _EXTRAS = 1, 2, 4, 8  # a timeline's flags


class _Timeline:
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

    __slots__ = ("measure", "tz", "_records", "_ordinals", "_n", "latest", "cache", "_flags")

    def __init__(self, measure: Measure, tz: str,
                 records: "Sequence[Transition] | Callable[[], list[Transition]]") -> None:
        self.measure = measure
        self.tz = tz
        self._records: Any = records
        self._flags = 0  # _PREPARED | _EPOCH_CHECK | _CORRECTIONS | _EXTRAS, once prepared
        self.latest: _Runs | None = None
        self.cache: dict[int, _Runs] | None = None

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
                recs.sort(key=lambda t: (t.when, _instant_key(t, tz)))  # stable: ties keep registry order
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
        self._ordinals = None  # made on first use (a known= question, an earlier epoch's check)
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
        return self._records  # type: ignore[return-value]

    @property
    def ordinals(self) -> "array[int]":
        o = self._ordinals if self._flags else None
        if o is None:
            o = self._ordinals = array("i", map(_TO_ORDINAL, sorted(set(map(_RECORDED, self.records)))))
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
        return [_day_of(o) for o in self.ordinals]

    def epoch(self, known: _dt.date | None) -> int:
        """How many epochs are known on ``known`` (all of them for None)."""
        if known is None:
            return self.n
        return bisect.bisect_right(self.ordinals, known.toordinal())

    def cached(self, k: int) -> "_Runs | None":
        if k == self.n:
            return self.latest
        c = self.cache
        return c.get(k) if c is not None else None


class _Data:
    """Everything a registry and its views share."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        #: per knowledge date: the effective records in effective-date order (see changes)
        self.changes_cache: dict[_dt.date | None, list[Transition]] = {}
        #: per knowledge date: the global in-force index (see :mod:`sanctrack._fast`)
        self.inforce_cache: dict[_dt.date | None, Any] = {}
        #: per knowledge date: every run as numpy arrays, for bulk screening
        self.runs_cache: dict[_dt.date | None, Any] = {}
        #: per knowledge date: measure id -> the days it goes into or out of force (pure-Python screening)
        self.flips_cache: dict[_dt.date | None, Any] = {}
        #: (cache, knowledge date) pairs asked for once: a global index is built on the second ask
        self.global_asked: set[tuple[int, _dt.date | None]] = set()
        #: timelines in answer order (authority, measure id), and each measure's rank in it
        self.ranked: list[_Timeline] | None = None
        self.rank: dict[str, int] = {}
        #: the rank of each measure by the address of its id string (numpy screening; see _rank_table)
        self.rank_table: Any = None
        #: entity id -> timelines that ever target it (measure or amended targets), in answer order
        self.target_index: dict[str, tuple[_Timeline, ...]] | None = None
        self._transitions: dict[str, Transition] | None = None
        self._name_index: dict[str, frozenset[str]] | None = None

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """Attribute ``name``, made by ``make()`` under the lock if it is still None (once, whatever the threads)."""
        value = getattr(self, name)
        if value is None:
            with self.lock:
                value = getattr(self, name)
                if value is None:
                    value = make()
                    setattr(self, name, value)
        return value

    @property
    def transitions(self) -> dict[str, Transition]:
        """Every transition by id (built on first use: most queries never need it)."""
        index = self._transitions
        if index is None:
            index = self.once("_transitions", lambda: {t.id: t for tl in self.timelines.values() for t in tl.records})
        return index

    @property
    def name_index(self) -> dict[str, frozenset[str]]:
        """Normalised entity name, alias, identifier or id -> entity ids (built on first use)."""
        index = self._name_index
        if index is None:

            def make() -> dict[str, frozenset[str]]:
                acc: dict[str, set[str]] = {}
                for e in self.entities.values():
                    for text in (e.id, e.name, *e.aliases, *e.identifiers):
                        acc.setdefault(normalise_name(text), set()).add(e.id)
                return {k: frozenset(v) for k, v in acc.items()}

            index = self.once("_name_index", make)
        return index


#: Views whose global indexes are kept (the full registry's and a few knowledge dates).
_GLOBAL_CACHE_SIZE = 8


class Registry:
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
        if _deferred is not None:
            d.n_transitions, grouped = _deferred
        else:
            # records come grouped by measure (a file a measure): one step a run of them, in registry order
            grouped = {}
            for mid, run in itertools.groupby(tr, key=_MEASURE):
                g = grouped.get(mid)
                if g is None:
                    grouped[mid] = list(run)
                else:
                    g.extend(run)
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
                else:
                    if tl.cache is None:
                        tl.cache = {}
                    tl.cache[k] = runs
        return runs

    def _compute_runs(self, tl: _Timeline, k: int) -> _Runs:
        if k == 0:
            return _NothingKnown(tl.measure, self._d.digest, ())
        return _Runs(tl.measure, self._d.digest, self._replay(tl, k, instants=False).runs, tl.records)

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
                sts = [_answer(m, r.status, r.reliefs, r.pending, version, r.transition, r.cause,
                               valid, r.uncertain, r.program, r.targets, digest, r.until) for _, r in subs]
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
            raise UnknownTarget(target, did_you_mean(target, keys))
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
        """
        tl = self._timeline(measure_id)
        if known is None and self._known is None:
            runs = tl.latest
            if runs is None:
                runs = self._runs(tl, tl.n)
            k = -1  # the latest epoch (resolved below only for an instant)
        else:
            if type(known) is _dt.date and (self._known is None or known <= self._known):
                k = bisect.bisect_right(tl.ordinals, known.toordinal())
            else:
                k = tl.epoch(self._known) if known is None else self._k(tl, known)
            if k == tl.n:
                runs = tl.latest
            else:
                c = tl.cache
                runs = c.get(k) if c is not None else None
            if runs is None:
                runs = self._runs(tl, k)
        when = _when(on)
        if type(when) is _dt.date:
            return runs.at(when.toordinal())
        return self._at_instant(tl, tl.n if k < 0 else k, runs, when)  # type: ignore[arg-type]

    def _state_y(self, tl: _Timeline, when: _dt.date | _dt.datetime, y: _dt.date | None) -> MeasureState:
        """:meth:`state` for a parsed date or instant and an effective knowledge date."""
        k = tl.epoch(y)
        runs = tl.latest if k == tl.n else None
        if runs is None:
            runs = self._runs(tl, k)
        if type(when) is _dt.date:
            return runs.at(when.toordinal())
        return self._at_instant(tl, k, runs, when)  # type: ignore[arg-type]

    def in_force(self, on: Any, *, authority: str | None = None, target: str | None = None,
                 kind: str | None = None, program: str | None = None, known: Any = None) -> list[MeasureState]:
        """Every measure in force (``in_force`` or ``relieved``) on a date, filtered.

        ``target`` is an entity id, name, alias or identifier; ``program`` matches
        the program in effect on that date. Sorted by authority, then measure id.

        >>> import sanctrack
        >>> [s.measure.id for s in sanctrack.load().in_force("2025-12-20", target="BPC")]
        ['eu-bpc-listing', 'us-ofac-bpc-sdn']
        """
        targets = frozenset(e.id for e in self.resolve(target)) if target is not None else None
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
            states = self._inforce_index(y).at(when.toordinal())
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

    def _ranked(self) -> list[_Timeline]:
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

    def _rank_table(self) -> "_fast.AddressTable":
        """Each measure's rank by the address of its id string (the ``rank`` keys), built on first use."""
        d = self._d
        table = d.rank_table
        if table is None:
            self._ranked()
            table = d.once("rank_table", lambda: _fast.AddressTable(list(d.rank), list(d.rank.values())))
        return table

    def _target_timelines(self, targets: frozenset[str]) -> list[_Timeline]:
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

    def _view_runs(self, y: _dt.date | None) -> list[_Runs]:
        """The runs of every measure in knowledge view ``y``, in answer order."""
        return [self._runs(tl, tl.epoch(y)) for tl in self._ranked()]

    def _use_global(self, cache: dict[_dt.date | None, Any], y: _dt.date | None) -> bool:
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

    def _global(self, cache: dict[_dt.date | None, Any], y: _dt.date | None, make: Any) -> Any:
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

    def _inforce_index(self, y: _dt.date | None) -> Any:
        """The in-force runs of view ``y``: numpy arrays with the ``fast`` extra, else time blocks."""
        return self._global(self._d.inforce_cache, y, self._make_inforce)

    def _make_inforce(self, y: _dt.date | None) -> Any:
        runs = []
        end_of = _fast.OPEN_END
        stores = self._view_runs(y)
        for r, rs in enumerate(stores):
            for i, a, b in rs.in_force_runs():
                runs.append((r, a, end_of if b is None else b, rs, i))
        return _fast.NumpyInForce(runs, stores) if _fast.numpy is not None else _fast.InForceIndex(runs)

    def _numpy_runs(self, y: _dt.date | None) -> Any:
        """Every run of view ``y`` as sorted numpy keys (bulk screening with the ``fast`` extra)."""
        return self._global(self._d.runs_cache, y, lambda y: _fast.NumpyRuns(self._view_runs(y)))

    def history(self, measure_id: str, *, known: Any = None) -> History:
        """Every version (state run) of a measure, oldest first, and what was superseded.

        >>> import sanctrack
        >>> h = sanctrack.load().history("us-ofac-belavia-sdn")
        >>> [(str(v.status), str(v.valid)) for v in h][-2:]
        [('relieved', '[2025-09-11, 2025-11-04)'), ('lifted', '[2025-11-04, open)')]
        >>> [x.record.id for x in h.superseded]
        ['us-ofac-belavia-sdn.announce-2025-09-11']
        """
        tl = self._timeline(measure_id)
        k = self._k(tl, known)
        return History(tl.measure, self._runs(tl, k).states(), _corrected(tl, k)[1])

    def changes(self, start: Any, end: Any, *, known: Any = None, authority: str | None = None,
                target: str | None = None, kind: str | None = None,
                program: str | None = None) -> list[Transition]:
        """Transitions effective in ``[start, end)``, in date then registry order (superseded ones left out).

        >>> import sanctrack
        >>> [t.id for t in sanctrack.load().changes("2025-11-04", "2025-11-05", authority="US-OFAC")]
        ['us-ofac-belavia-sdn.lift', 'us-ofac-ew301pj-blocked-property.lift', 'us-ofac-gov-aircraft-ew001pa-pb-ph.gl12']
        """
        a, b = _day(start), _day(end)
        y = self._effective_known(known)
        trs = self._changes_index(y)
        lo = bisect.bisect_left(trs, a, key=_EFFECTIVE)
        hi = bisect.bisect_left(trs, b, key=_EFFECTIVE)
        picked = trs[lo:hi]
        if authority is None and target is None and kind is None and program is None:
            return list(picked)
        targets = frozenset(e.id for e in self.resolve(target)) if target is not None else None
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

    def _effective_known(self, known: Any) -> _dt.date | None:
        y = _known(known)
        if self._known is not None and (y is None or self._known < y):
            y = self._known
        return y

    def _changes_index(self, y: _dt.date | None) -> list[Transition]:
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

    def diff(self, a: Any, b: Any, *, known: Any = None, authority: str | None = None,
             target: str | None = None, kind: str | None = None, program: str | None = None) -> list[StateChange]:
        """Measures whose state differs between ``a`` and ``b`` (status, reliefs, pending, program, targets, until).

        >>> import sanctrack
        >>> [(c.measure.id, str(c.after.status)) for c in sanctrack.load().diff("2025-12-14", "2025-12-16")
        ...  if c.measure.authority == "US-OFAC"]
        [('us-ofac-agrorozkvit-sdn', 'relieved'), ('us-ofac-belaruskali-sdn', 'relieved'), ('us-ofac-bpc-sdn', 'relieved')]
        """
        targets = frozenset(e.id for e in self.resolve(target)) if target is not None else None
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

    def explain(self, measure_id: str, on: Any, *, known: Any = None) -> Explanation:
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

    def _step(self, t: Transition, superseded_by: str | None = None) -> Step:
        d = self._d
        inst = d.instruments.get(t.instrument) if t.instrument else None
        return Step(t, inst, tuple(d.sources[s] for s in t.sources if s in d.sources), superseded_by)

    def compare(self, target: str, on: Any, *, known: Any = None) -> Comparison:
        """One target across authorities on a date: every measure against it, and who has one in force.

        >>> import sanctrack
        >>> c = sanctrack.load().compare("Belaruskali", "2026-05-01")
        >>> c.by_authority, c.divergent
        ((('EU', True), ('LT', True), ('UK', True), ('US-OFAC', False)), True)
        """
        ents = self.resolve(target)
        ids = frozenset(e.id for e in ents)
        states = []
        for mid in self._d.timelines:
            s = self.state(mid, on, known=known)
            if s.exists and ids & set(s.targets):
                states.append(s)
        states.sort(key=lambda s: (s.measure.authority, s.measure.id))
        flags: dict[str, bool] = {}
        for s in states:
            flags[s.measure.authority] = flags.get(s.measure.authority, False) or s.in_force
        return Comparison(ents[0], tuple(states), tuple(sorted(flags.items())))

    def deals(self) -> tuple[Deal, ...]:
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

    def releases_for(self, transition_id: str) -> tuple[LinkedRelease, ...]:
        """The releases linked to a transition, by date."""
        self.transition(transition_id)
        d = self._d
        out = [LinkedRelease(ln, d.releases[ln.release]) for ln in self.links if ln.transition == transition_id]
        out.sort(key=lambda x: (x.release.date, x.release.id))
        return tuple(out)

    def transitions_for(self, release_id: str) -> tuple[LinkedTransition, ...]:
        """The transitions linked to a release, by date."""
        self.release(release_id)
        d = self._d
        out = [LinkedTransition(ln, d.transitions[ln.transition]) for ln in self.links if ln.release == release_id]
        out.sort(key=lambda x: (x.transition.when, x.transition.id))
        return tuple(out)

    def screen(self, pairs: Iterable[Sequence[Any]] | Sequence[Any], dates: Any = None, /, *,
               known: Any = None) -> Any:
        """Answer many ``(target or measure id, date[, known])`` questions at once.

        A measure id is answered with its state if in force; anything else is
        resolved as a target and answered with every measure in force against it.

        ``screen(pairs)`` takes ``(query, date)`` or ``(query, date, known)``
        items and returns a list of :class:`ScreenHit`. ``screen(queries, dates)``
        takes two parallel sequences (or one date for every query) and returns
        the same answers column by column, as a :class:`~sanctrack._fast.Screening`
        (a sequence of :class:`ScreenHit` made on access, with ``hits`` and
        ``states`` columns); with the ``fast`` extra (numpy) and calendar dates
        it is vectorised. ``known=`` applies to every question that does not
        carry its own.
        """
        if dates is not None:
            return self._screen_columns(pairs, dates, known)  # type: ignore[arg-type]
        items = pairs if isinstance(pairs, (list, tuple)) else list(pairs)
        if len(items) >= 64 and set(map(len, items)) == {2}:  # (query, date) pairs: answered column by column
            queries = list(map(_FIRST, items))
            return list(self._screen_columns(queries, list(map(_SECOND, items)), known))
        out = []
        cache: dict[Any, Any] = {}
        for item in items:
            query, on = item[0], item[1]
            kn = item[2] if len(item) > 2 else known
            y = self._effective_known(kn)
            c = self._screen_one(query, _when(on), y, cache)
            out.append(ScreenHit(query, on, _known(kn), _fast._states(c)))
        return out

    def _screen_one(self, query: Any, when: _dt.date | _dt.datetime, y: _dt.date | None,
                    cache: dict[Any, Any]) -> Any:
        """One screening answer: None, a MeasureState or a tuple of them (see Screening)."""
        what = cache.get(query)
        if what is None:
            tl = self._d.timelines.get(query)
            if tl is not None:
                what = tl
            else:
                targets = frozenset(e.id for e in self.resolve(query))
                what = (targets, self._target_timelines(targets))
            cache[query] = what
        if type(what) is _Timeline:
            s = self._state_y(what, when, y)
            return s if s.status in IN_FORCE else None
        targets, tls = what
        return tuple(s for s in (self._state_y(tl, when, y) for tl in tls)
                     if s.status in IN_FORCE and not targets.isdisjoint(s.targets))

    def _screen_columns(self, queries: Sequence[Any], dates: Any, known: Any) -> "_fast.Screening":
        n = len(queries)
        if isinstance(dates, (str, _dt.date)):
            dates = [dates] * n
        elif len(dates) != n:
            raise ValueError(f"screen: {n} queries but {len(dates)} dates")
        y = self._effective_known(known)
        kd = _known(known)
        d = self._d
        np = _fast.numpy
        hits = None
        # vectorised when the view's arrays exist or the batch is worth building them (a fraction of the
        # measures); for dates as ``date`` objects, only with many measures: with fewer, the pure-Python
        # bisects run in cache and were measured faster than converting the dates for numpy
        if (np is not None and n >= 64 and d.timelines and (y in d.runs_cache or 4 * n >= len(d.timelines))
                and (len(d.timelines) >= _NUMPY_MEASURES or isinstance(dates, np.ndarray))):
            hits = self._screen_numpy(queries, dates, y)
        if hits is None:
            hits = self._screen_measures(queries, dates, y)
        if hits is not None:
            return _fast.Screening(queries, dates, kd, hits=hits, state=self._hit_state(y))
        col: list[Any] = []
        append = col.append
        cache: dict[Any, Any] = {}
        for q, on in zip(queries, dates):
            append(self._screen_one(q, _when(on), y, cache))
        return _fast.Screening(queries, dates, kd, col)

    def _hit_state(self, y: _dt.date | None) -> Any:
        """``state(measure id, date)`` in view ``y``, for a screening's hits (dates: ``date`` or ``datetime64``)."""
        timelines = self._d.timelines

        def state(mid: str, on: Any) -> MeasureState:
            if type(on) is not _dt.date:
                on = _dt.date.fromordinal(int(_ordinals_of(on)))
            return self._state_y(timelines[mid], on, y)

        return state

    def _screen_measures(self, queries: Sequence[Any], dates: Any, y: _dt.date | None) -> bytes | None:
        """Measure ids and calendar dates, in pure Python: per question, 1 if in force (else 0).

        Each measure's flip days (:meth:`~sanctrack._runs.Runs.flip_days`) are
        bisected in C-level ``map`` passes: the count of flips up to a day is odd
        iff the measure is in force then. None if any question is a target (or
        any date is not a :class:`datetime.date`).
        """
        if set(map(type, dates)) != {_dt.date}:
            return None
        d = self._d
        if y in d.flips_cache or 4 * len(queries) >= len(d.timelines):
            flips = self._flips_of(y)
            try:
                # two passes, not one pipeline: the dictionary lookups and the bisects each miss the
                # cache at 100,000 measures, and apart they overlap their misses better (measured faster
                # at 1M); an itemgetter of every query is one C loop with no call per lookup (~30% faster)
                days = operator.itemgetter(*queries)(flips) if len(queries) > 1 else [flips[q] for q in queries]
            except KeyError:  # a target, not a measure id
                return None
        else:
            tls = list(map(d.timelines.get, queries))
            if None in tls:
                return None
            of = {tl: self._runs(tl, tl.epoch(y)).flip_days() for tl in set(tls)}
            days = list(map(of.__getitem__, tls))
        try:  # the flip counts as bytes (fewer than 256 flips a measure), then their parities, in C
            return bytes(map(bisect.bisect_right, days, dates)).translate(_PARITY)
        except ValueError:
            return bytes(map(_ODD, map(bisect.bisect_right, days, dates)))

    def _flips_of(self, y: _dt.date | None) -> dict[str, tuple[_dt.date, ...]]:
        """Measure id -> the days it goes into or out of force in view ``y`` (every measure's runs built)."""
        return self._global(self._d.flips_cache, y, lambda y: {
            mid: self._runs(tl, tl.epoch(y)).flip_days() for mid, tl in self._d.timelines.items()})

    def _screen_numpy(self, queries: Sequence[Any], dates: Any, y: _dt.date | None) -> Any:
        """The vectorised screen: measure ids and calendar dates only (else None: use the loop)."""
        np = _fast.numpy
        self._ranked()
        rank = self._d.rank.get

        def ranks_of(objs: Sequence[Any]) -> Any:  # by dictionary lookup, -1 for a target
            return np.fromiter(map(rank, objs, itertools.repeat(-1)), dtype=np.int64, count=len(objs))

        n = len(queries)
        if n >= _DEDUP_FROM and len(self._d.rank) >= _DEDUP_MEASURES:
            # with this many measures each dictionary lookup misses the cache (the string's hash, the
            # slot it leads to): questions that name a measure through the registry's own id string are
            # looked up by its address, in a numpy hash table, with no string read; the rest (equal
            # strings that are other objects, targets) once per distinct object
            if type(queries) not in (list, tuple) and not (type(queries) is np.ndarray and queries.dtype == object):
                queries = list(queries)  # held, so that each address stays its object's
            ranks = self._rank_table().lookup(_fast.addresses(queries))
            rest = np.flatnonzero(ranks < 0)
            if len(rest):
                others = list(map(queries.__getitem__, rest.tolist()))
                firsts, group = _fast.group_by_address(others) if len(others) >= _DEDUP_FROM else ((), None)
                if 2 * len(firsts) >= len(others) or group is None:  # mostly distinct objects: each once
                    ranks[rest] = ranks_of(others)
                else:
                    ranks[rest] = ranks_of(list(map(others.__getitem__, firsts.tolist())))[group]
        else:
            ranks = ranks_of(queries)
        if (ranks < 0).any():  # a target, not a measure id
            return None
        if isinstance(dates, np.ndarray) and dates.dtype.kind == "M":
            ords = _ordinals_of(dates)
        elif set(map(type, dates)) == {_dt.date}:
            ords = np.fromiter(map(_dt.date.toordinal, dates), dtype=np.int64, count=len(dates))
        else:
            return None
        return self._numpy_runs(y).screen(ranks, ords)

    def __repr__(self) -> str:
        view = f", known={self._known}" if self._known is not None else ""
        return (f"<Registry {self._d.info.name!r}: {len(self._d.measures)} measures, "
                f"{self._d.n_transitions} transitions, {len(self._d.releases)} releases{view}>")


# -- helpers -------------------------------------------------------------------


def _known_records(tl: _Timeline, k: int) -> Sequence[Transition]:
    """The records of a timeline known in epoch ``k`` (``1 <= k <= tl.n``), in canonical order."""
    if k == tl.n:  # the latest epoch knows every record
        return tl.records
    horizon = _day_of(tl.ordinals[k - 1])
    return [t for t in tl.records if t.recorded <= horizon]


def _corrected(tl: _Timeline, k: int) -> tuple[Sequence[Transition], tuple[Supersession, ...]]:
    """The records of epoch ``k`` that no known record corrects, and the supersessions (made on demand)."""
    if k == 0:
        return (), ()
    known = _known_records(tl, k)
    if not tl.has_corrections:
        return known, ()
    correctors = {t.corrects: t for t in known if t.corrects is not None}
    return ([t for t in known if t.id not in correctors],
            tuple(Supersession(t, correctors[t.id]) for t in known if t.id in correctors))


def _known_effective(tl: _Timeline, k: int) -> list[Transition]:
    """The effective, uncorrected records of a timeline known in epoch ``k``, in canonical order."""
    known = _known_records(tl, k)
    corrected = {t.corrects for t in known if t.corrects is not None}
    return [t for t in known if t.effective is not None and t.id not in corrected]


def _is_prefix(part: list[Transition], whole: list[Transition]) -> bool:
    return len(part) <= len(whole) and all(a is b for a, b in zip(part, whole))


_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


def _ordinals_of(days: Any) -> Any:
    """Date ordinals of numpy ``datetime64`` values (an array or one scalar), truncated to the day."""
    return days.astype("datetime64[D]").astype("int64") + _EPOCH_ORDINAL
_ODD = (1).__and__
_PARITY = bytes(i & 1 for i in range(256))
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)
#: From this many questions, and this many measures (their ids and the dict no longer in the
#: CPU caches), the vectorised screen looks each distinct query object up once.
_DEDUP_FROM = 4096
_DEDUP_MEASURES = 32_768
#: With dates as ``date`` objects, the vectorised screen from this many measures (see _screen_columns).
_NUMPY_MEASURES = 32_768
_WHEN = operator.attrgetter("when")
_ID = operator.attrgetter("id")
_MEASURE = operator.attrgetter("measure")
_NO_RECORDS: list[Transition] = []
_PREPARE_LOCK = threading.Lock()
_TO_ORDINAL = _dt.date.toordinal
_RECORDED = operator.attrgetter("recorded")
_EFFECTIVE = operator.attrgetter("effective")
_EFFECTIVE_AT = operator.attrgetter("effective_at")
_CORRECTS = operator.attrgetter("corrects")
_WINDOW = operator.attrgetter("effective_window")


def _timestamp(t: Transition) -> float:
    return t.effective_at.timestamp()  # type: ignore[union-attr]


def _instant_key(t: Transition, tz: str) -> float:
    """Same-day order: effective_at, a transition without one counting as the start of its day."""
    if t.effective_at is None:
        return float("-inf")
    return t.effective_at.timestamp()


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


def _canonical_doc(d: _Data) -> dict[str, Any]:
    """The canonical plain document of a registry (what its digest hashes; the JSON export's body)."""
    return _canonical._canonical_doc(d.info, d.authorities, d.entities, d.instruments, d.sources, d.measures,
                                     lambda mid: d.timelines[mid].records, d.releases, d.links)
