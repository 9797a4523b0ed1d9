"""Bulk screening: many ``(target or measure id, date[, known])`` questions at once.

Questions that name measures by id, on calendar dates, are answered column by
column without a :class:`~sanctrack.MeasureState` per question; anything else
(a target, an instant, a string date) question by question through the point
question (:func:`~sanctrack._index.point.state_of`). :func:`screen_path` picks
the path, and every threshold is beside it:

* ``numpy`` — a vectorised search over every measure's flip keys
  (:class:`~sanctrack._index.accel.NumpyRuns`, the view's ``flip_keys``);
* ``flips`` — in pure Python, a bisect of each measure's flip days (the days it
  goes into or out of force; the view's ``flips``) in C-level ``map`` passes;
  the count of flips up to a day is odd iff the measure is in force;
* ``measure flips`` — the same, with the flip days of the batch's own measures
  only (a small batch over a view asked about once);
* ``each`` — question by question.

:class:`Screening` is the columnar answer: a sequence of :class:`ScreenHit`
made on access.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

from .._filters import resolve
from .._model import IN_FORCE, MeasureState, ScreenHit
from .._time import known_arg, when_arg
from . import accel
from .catalog import Catalog
from .point import effective_known, state_of
from .timeline import Timeline
from .view import Views

__all__ = ["Screening", "screen", "screen_columns", "screen_path"]

#: From this many ``(query, date)`` pairs, a list of pairs is answered column by column.
COLUMNS_FROM = 64
#: The vectorised screen: from this many questions ...
NUMPY_FROM = 64
#: ... with dates as ``date`` objects, only from this many measures (with fewer, the pure bisects run in
#: cache and were measured faster than converting the dates for numpy; ``datetime64`` dates always qualify,
#: and so does a batch of :data:`ARROW_FROM` questions or more with pyarrow installed to convert them)
NUMPY_MEASURES = 32_768
#: With pyarrow installed, the vectorised screen qualifies at any number of measures from this many questions:
#: ids and dates are converted in C (1M pairs over 10,000 measures: 94 ms, against 126 ms for the pure bisects).
ARROW_FROM = 65_536
#: A view's whole-registry screening index is built for a batch of at least 1/BATCH_SHARE of its measures.
BATCH_SHARE = 4
#: The vectorised search goes measure by measure (a branch-free binary search over each question's own
#: keys) from this many questions over this many flip keys: one search over all keys misses the caches.
SEGMENT_FROM = 4096
SEGMENT_KEYS_FROM = 1 << 14


def screen_path(*, questions: int, measures: int, calendar_dates: bool, numpy_dates: bool, numpy: bool,
                flips_built: bool, keys_built: bool, arrow: bool = False) -> str:
    """The path for a column of ``questions`` measure-id-or-target questions: ``numpy``, ``flips``,
    ``measure flips`` or ``each``.

    * ``numpy`` when numpy is usable, the batch has :data:`NUMPY_FROM` questions or more, the view's
      keys are built or the batch is at least 1/:data:`BATCH_SHARE` of the measures, and there are
      :data:`NUMPY_MEASURES` measures or the dates are a numpy array or ``arrow`` (pyarrow is installed)
      and the batch has :data:`ARROW_FROM` questions or more;
    * else, on calendar dates (``date`` objects): ``flips`` if the view's flip days are built or the
      batch is worth them (1/:data:`BATCH_SHARE` of the measures), else ``measure flips``;
    * else ``each``.

    Fallback contract: ``numpy``, ``flips`` and ``measure flips`` answer measure ids only; a batch
    with a target in it (or a date they cannot read) falls back in that order, down to ``each``,
    which answers anything. Every path gives the same answers. Knobs: ``accel.numpy = None`` forces
    the pure paths; the constants above (module attributes) move the thresholds.
    """
    if (numpy and questions >= NUMPY_FROM and measures and (keys_built or BATCH_SHARE * questions >= measures)
            and (measures >= NUMPY_MEASURES or numpy_dates or (arrow and questions >= ARROW_FROM))):
        return "numpy"
    if calendar_dates:
        return "flips" if flips_built or BATCH_SHARE * questions >= measures else "measure flips"
    return "each"


def screen(cat: Catalog, views: Views, view_known: _dt.date | None, pairs: Iterable[Sequence[Any]] | Sequence[Any],
           dates: Any, known: Any) -> list[ScreenHit] | Screening:
    """:meth:`Registry.screen` for a registry whose view date is ``view_known``."""
    if dates is not None:
        return screen_columns(cat, views, view_known, pairs, dates, known)  # type: ignore[arg-type]
    items = pairs if isinstance(pairs, (list, tuple)) else list(pairs)
    if len(items) >= COLUMNS_FROM and set(map(len, items)) == {2}:  # (query, date) pairs: column by column
        queries = list(map(_FIRST, items))
        return list(screen_columns(cat, views, view_known, queries, list(map(_SECOND, items)), known))
    out = []
    cache: dict[Any, Any] = {}
    for item in items:
        query, on = item[0], item[1]
        kn = item[2] if len(item) > 2 else known
        y = effective_known(view_known, kn)
        c = _screen_one(cat, query, when_arg(on), y, cache)
        out.append(ScreenHit(query, on, known_arg(kn), _states(c)))
    return out


def _screen_one(cat: Catalog, query: Any, when: _dt.date | _dt.datetime, y: _dt.date | None,
                cache: dict[Any, Any]) -> Any:
    """One screening answer: None, a MeasureState or a tuple of them (see Screening)."""
    what = cache.get(query)
    if what is None:
        tl = cat.timelines.get(query)
        if tl is not None:
            what = tl
        else:
            targets = frozenset(e.id for e in resolve(cat, query))
            what = (targets, cat.target_timelines(targets))
        cache[query] = what
    if isinstance(what, Timeline):
        s = state_of(cat, what, when, y)
        return s if s.status in IN_FORCE else None
    targets, tls = what
    return tuple(s for s in (state_of(cat, tl, when, y) for tl in tls)
                 if s.status in IN_FORCE and not targets.isdisjoint(s.targets))


def screen_columns(cat: Catalog, views: Views, view_known: _dt.date | None, queries: Sequence[Any], dates: Any,
                   known: Any) -> Screening:
    """``screen(queries, dates)``: two parallel columns (or one date for every query)."""
    n = len(queries)
    if isinstance(dates, (str, _dt.date)):
        dates = [dates] * n
    elif len(dates) != n:
        raise ValueError(f"screen: {n} queries but {len(dates)} dates")
    y = effective_known(view_known, known)
    kd = known_arg(known)
    text = accel.is_text_array(queries)  # a pyarrow or numpy string array: read as str
    numpy = accel.available()
    day_array = accel.is_day_array(dates)
    calendar = not day_array and set(map(type, dates)) == {_dt.date}
    path = screen_path(questions=n, measures=len(cat.timelines), calendar_dates=calendar,
                       numpy_dates=accel.is_array(dates), numpy=numpy, flips_built=views.built("flips", y),
                       keys_built=views.built("flip_keys", y),
                       arrow=numpy and n >= ARROW_FROM and accel.arrow is not None)  # pyarrow imported if asked
    hits = None
    if path == "numpy":
        hits = _screen_numpy(cat, views, queries, dates, y, day_array, calendar)
        if hits is not None and text:
            return Screening(accel.TextColumn(queries), dates, kd, hits=hits, state=_hit_state(cat, y))
        if hits is None and calendar:
            path = "flips" if views.built("flips", y) or BATCH_SHARE * n >= len(cat.timelines) else "measure flips"
    if text:
        queries = accel.text_list(queries)
    if path in ("flips", "measure flips"):
        hits = _screen_flips(cat, views, queries, dates, y, whole_view=path == "flips")
    if hits is not None:
        return Screening(queries, dates, kd, hits=hits, state=_hit_state(cat, y))
    col: list[Any] = []
    append = col.append
    cache: dict[Any, Any] = {}
    for q, on in zip(queries, dates):
        append(_screen_one(cat, q, when_arg(on), y, cache))
    return Screening(queries, dates, kd, col)


def _hit_state(cat: Catalog, y: _dt.date | None) -> Callable[[str, Any], MeasureState]:
    """``state(measure id, date)`` as known on ``y``, for a screening's hits (dates: ``date`` or ``datetime64``)."""
    timelines = cat.timelines

    def state(mid: str, on: Any) -> MeasureState:
        if type(on) is not _dt.date:
            on = _dt.date.fromordinal(int(accel.ordinals_of(on)))
        return state_of(cat, timelines[mid], on, y)

    return state


def _screen_flips(cat: Catalog, views: Views, queries: Sequence[Any], dates: Sequence[_dt.date],
                  y: _dt.date | None, *, whole_view: bool) -> bytes | None:
    """Measure ids and calendar dates, in pure Python: per question, 1 if in force (else 0); None for a target.

    Each measure's flip days (:meth:`~sanctrack._index.runs.Runs.flip_days`) are
    bisected in C-level ``map`` passes: the count of flips up to a day is odd
    iff the measure is in force then.
    """
    if whole_view:
        flips = views.of(y).index("flips", lambda y: {
            mid: cat.runs(tl, tl.epoch(y)).flip_days() for mid, tl in cat.timelines.items()})
        try:
            # two passes, not one pipeline: the dictionary lookups and the bisects each miss the
            # cache at 100,000 measures, and apart they overlap their misses better (measured faster
            # at 1M); an itemgetter of every query is one C loop with no call per lookup (~30% faster)
            days = operator.itemgetter(*queries)(flips) if len(queries) > 1 else [flips[q] for q in queries]
        except (KeyError, TypeError):  # a target, not a measure id
            return None
    else:
        try:
            tls = list(map(cat.timelines.get, queries))
        except TypeError:  # not hashable: not a measure id
            return None
        if None in tls:
            return None
        of: dict[Timeline | None, tuple[_dt.date, ...]] = {
            tl: cat.runs(tl, tl.epoch(y)).flip_days() for tl in set(tls) if tl is not None}
        days = list(map(of.__getitem__, tls))
    try:  # the flip counts as bytes (fewer than 256 flips a measure), then their parities, in C
        return bytes(map(bisect.bisect_right, days, dates)).translate(_PARITY)
    except ValueError:
        return bytes(map(_ODD, map(bisect.bisect_right, days, dates)))


def _screen_numpy(cat: Catalog, views: Views, queries: Sequence[Any], dates: Any, y: _dt.date | None,
                  day_array: bool, calendar: bool) -> Any:
    """The vectorised screen: measure ids and calendar dates only (else None). Ranks (by a pyarrow hash
    lookup if installed, else by dictionary), then a key search."""
    if not (day_array or calendar):
        return None
    keys = views.of(y).index("flip_keys", lambda y: accel.NumpyRuns(cat.view_runs(y)))
    ranks = accel.ranks_of(cat.rank, queries, keys)
    if (ranks < 0).any():  # a target, not a measure id
        return None
    ords = accel.ordinals_of(dates) if day_array else accel.day_ordinals(dates)
    segmented = len(queries) >= SEGMENT_FROM and len(keys.keys) >= SEGMENT_KEYS_FROM
    return keys.screen(ranks, ords, segmented=segmented)


_ODD = (1).__and__
_PARITY = bytes(i & 1 for i in range(256))
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)


class Screening(Sequence[ScreenHit]):
    """The answers of a bulk :meth:`~sanctrack.Registry.screen`, one per question, column by column.

    Indexing or iterating yields :class:`ScreenHit` objects (made on access);
    :attr:`hits` gives the whole column of verdicts and :attr:`states` the
    states in force, without making any :class:`ScreenHit`. Compares equal
    to a list of the same hits.

    Measure-id questions are held as their verdicts alone (``hits``): the
    verdict is computed when the screen runs, and the :class:`MeasureState` of
    a hit is asked of the registry (``state(query, date)``) when first needed.
    """

    __slots__ = ("_col", "_hits", "_state", "dates", "known", "queries")

    def __init__(self, queries: Sequence[Any], dates: Sequence[Any], known: _dt.date | None,
                 col: list[Any] | None = None, *, hits: Sequence[Any] | None = None,
                 state: Callable[[Any, Any], MeasureState] | None = None) -> None:
        self.queries = queries
        self.dates = dates
        self.known = known
        # per question: None (no hit), a MeasureState (one hit) or a tuple of states
        self._col = col
        # or per question a verdict, and the state of a hit on demand
        self._hits = hits
        self._state = state

    def _entry(self, i: int) -> Any:
        if self._col is not None:
            return self._col[i]
        hits, state = self._hits, self._state
        assert hits is not None and state is not None
        if not hits[i]:
            return None
        return state(self.queries[i], self.dates[i])

    def __len__(self) -> int:
        if self._col is not None:
            return len(self._col)
        assert self._hits is not None
        return len(self._hits)

    @overload
    def __getitem__(self, i: int) -> ScreenHit: ...

    @overload
    def __getitem__(self, i: slice) -> list[ScreenHit]: ...

    def __getitem__(self, i: int | slice) -> ScreenHit | list[ScreenHit]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("Screening index out of range")
        return ScreenHit(self.queries[i], self.dates[i], self.known, _states(self._entry(i)))

    def __iter__(self) -> Iterator[ScreenHit]:
        known = self.known
        for n, (q, on) in enumerate(zip(self.queries, self.dates)):
            yield ScreenHit(q, on, known, _states(self._entry(n)))

    @property
    def hits(self) -> list[bool]:
        """Per question: True if something is in force."""
        if self._col is None:
            h: Any = self._hits
            return h.tolist() if hasattr(h, "tolist") else list(map(bool, h))
        return [bool(c) if type(c) is tuple else c is not None for c in self._col]

    @property
    def states(self) -> list[tuple[MeasureState, ...]]:
        """Per question: the states in force."""
        return [_states(self._entry(n)) for n in range(len(self))]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Screening, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Screening {len(self)} questions, {sum(self.hits)} hits>"


def _states(c: Any) -> tuple[MeasureState, ...]:
    if c is None:
        return ()
    if type(c) is tuple:
        return c
    return (c,)
