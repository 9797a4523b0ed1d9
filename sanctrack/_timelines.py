"""Per-measure timelines and what a registry shares with its views.

A :class:`Timeline` holds one measure's records in canonical order and its
knowledge epochs, and keeps the runs (:mod:`sanctrack._runs`) built for them.
:class:`Data` is everything a :class:`~sanctrack.Registry` and its
``as_known_on`` views share: the timelines, the global indexes per knowledge
view, and the lock under which anything is built once.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import operator
import re
import threading
from array import array
from typing import Any, Callable, Sequence

from ._model import Measure, Supersession, Transition
from ._runs import Runs, day_of

__all__ = ["Data", "Timeline", "corrected", "instant_key", "is_prefix", "known_effective", "known_records",
           "normalise_name"]

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a name.

    >>> normalise_name("OJSC  Belavia-Belarusian Airlines.")
    'ojsc belavia belarusian airlines'
    """
    return _NON_WORD.sub(" ", text.casefold()).strip()


_PREPARED, _EPOCH_CHECK, _CORRECTIONS, _EXTRAS = 1, 2, 4, 8  # a timeline's flags


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

    __slots__ = ("measure", "tz", "_records", "_ordinals", "_n", "latest", "cache", "_flags")

    def __init__(self, measure: Measure, tz: str,
                 records: "Sequence[Transition] | Callable[[], list[Transition]]") -> None:
        self.measure = measure
        self.tz = tz
        self._records: Any = records
        self._flags = 0  # _PREPARED | _EPOCH_CHECK | _CORRECTIONS | _EXTRAS, once prepared
        self.latest: Runs | None = None
        self.cache: dict[int, Runs] | None = None

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
        return [day_of(o) for o in self.ordinals]

    def epoch(self, known: _dt.date | None) -> int:
        """How many epochs are known on ``known`` (all of them for None)."""
        if known is None:
            return self.n
        return bisect.bisect_right(self.ordinals, known.toordinal())

    def cached(self, k: int) -> "Runs | None":
        if k == self.n:
            return self.latest
        c = self.cache
        return c.get(k) if c is not None else None


class Data:
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
        self.ranked: list[Timeline] | None = None
        self.rank: dict[str, int] = {}
        #: the rank of each measure by the address of its id string (numpy screening; see _rank_table)
        self.rank_table: Any = None
        #: the rank of each measure by the characters of its id (numpy screening; see _string_table)
        self.string_table: Any = None
        #: entity id -> timelines that ever target it (measure or amended targets), in answer order
        self.target_index: dict[str, tuple[Timeline, ...]] | None = None
        #: measure id -> its latest epoch's runs, once built (the point path's shortcut past the timeline)
        self.latest: dict[str, Runs] = {}
        #: measure id -> its latest runs' point tuple (start days, then answers; see Runs.answer), as
        #: the point path last saw it: a kept answer is read from it with no other object read
        self.points: dict[str, tuple[Any, ...]] = {}
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
