"""Bulk screening: many ``(target or measure id, date[, known])`` questions at once.

:class:`ScreeningMixin` gives :class:`~sanctrack.Registry` its :meth:`screen`.
Questions that name measures by id, on calendar dates, are answered column by
column without a :class:`~sanctrack.MeasureState` per question: in pure Python
by bisecting each measure's flip days (the days it goes into or out of force)
in C-level ``map`` passes, and with the ``fast`` extra (numpy) by a vectorised
search over every measure's flip keys (:class:`sanctrack._fast.NumpyRuns`).
Anything else (a target, an instant, a string date) is answered question by
question through the registry's point path.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import itertools
import operator
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from . import _fast
from ._model import IN_FORCE, MeasureState, ScreenHit
from ._time import known_arg as _known
from ._time import when_arg as _when
from ._timelines import Timeline as _Timeline

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["ScreeningMixin"]


class ScreeningMixin:
    """:meth:`screen` and its paths, for :class:`~sanctrack.Registry` (which provides the rest)."""

    __slots__ = ()

    def screen(self: Registry, pairs: Iterable[Sequence[Any]] | Sequence[Any], dates: Any = None, /, *,
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

        >>> import sanctrack
        >>> reg = sanctrack.load()
        >>> hits = reg.screen([("us-ofac-belavia-sdn", "2025-10-01"), ("us-ofac-belavia-sdn", "2025-12-01")])
        >>> [(h.hit, [str(s.status) for s in h.states]) for h in hits]
        [(True, ['relieved']), (False, [])]
        >>> [s.measure.id for s in reg.screen([("Belavia", "2025-12-01")])[0].states]  # doctest: +NORMALIZE_WHITESPACE
        ['eu-belarus-airspace-ban', 'eu-belavia-listing', 'uk-belavia-flying-restriction',
         'uk-belavia-operating-permit', 'us-bis-belarus-aircraft-licence-req']
        >>> reg.screen(["us-ofac-belavia-sdn", "eu-bpc-listing"], "2025-12-20").hits
        [False, True]
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

    def _screen_one(self: Registry, query: Any, when: _dt.date | _dt.datetime, y: _dt.date | None,
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

    def _screen_columns(self: Registry, queries: Sequence[Any], dates: Any, known: Any) -> "_fast.Screening":
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

    def _hit_state(self: Registry, y: _dt.date | None) -> Any:
        """``state(measure id, date)`` in view ``y``, for a screening's hits (dates: ``date`` or ``datetime64``)."""
        timelines = self._d.timelines

        def state(mid: str, on: Any) -> MeasureState:
            if type(on) is not _dt.date:
                on = _dt.date.fromordinal(int(_ordinals_of(on)))
            return self._state_y(timelines[mid], on, y)

        return state

    def _screen_measures(self: Registry, queries: Sequence[Any], dates: Any, y: _dt.date | None) -> bytes | None:
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

    def _flips_of(self: Registry, y: _dt.date | None) -> dict[str, tuple[_dt.date, ...]]:
        """Measure id -> the days it goes into or out of force in view ``y`` (every measure's runs built)."""
        return self._global(self._d.flips_cache, y, lambda y: {
            mid: self._runs(tl, tl.epoch(y)).flip_days() for mid, tl in self._d.timelines.items()})

    def _screen_numpy(self: Registry, queries: Sequence[Any], dates: Any, y: _dt.date | None) -> Any:
        """The vectorised screen: measure ids and calendar dates only (else None: use the loop)."""
        np = _fast.numpy
        self._ranked()
        rank = self._d.rank.get

        def ranks_of(objs: Sequence[Any]) -> Any:  # by dictionary lookup, -1 for a target
            return np.fromiter(map(rank, objs, itertools.repeat(-1)), dtype=np.int64, count=len(objs))

        def ranks_by_content(objs: list[Any]) -> Any:  # by the id's characters, then the dictionary for the rest
            if len(objs) < _DEDUP_FROM:  # too few to pay for the vector passes
                return ranks_of(objs)
            ranks = self._string_table().lookup(objs)
            rest = np.flatnonzero(ranks < 0)
            if len(rest):
                ranks[rest] = ranks_of(list(map(objs.__getitem__, rest.tolist())))
            return ranks

        n = len(queries)
        if n >= _DEDUP_FROM and len(self._d.rank) >= _DEDUP_MEASURES:
            # with this many measures each dictionary lookup misses the cache (the string's hash, the
            # slot it leads to): questions that name a measure through the registry's own id string are
            # looked up by its address, in a numpy hash table, with no string read; the rest (equal
            # strings that are other objects, targets) once per distinct object, by their characters
            # in another numpy table (_fast.StringTable), and what that leaves through the dictionary
            if type(queries) not in (list, tuple) and not (type(queries) is np.ndarray and queries.dtype == object):
                queries = list(queries)  # held, so that each address stays its object's
            ranks = self._rank_table().lookup(_fast.addresses(queries))
            rest = np.flatnonzero(ranks < 0)
            if len(rest):
                if len(rest) == n and type(queries) is list:  # none of them the registry's own id strings
                    others = queries
                else:
                    others = list(map(queries.__getitem__, rest.tolist()))
                firsts, group = _fast.group_by_address(others) if len(others) >= _DEDUP_FROM else ((), None)
                if 2 * len(firsts) >= len(others) or group is None:  # mostly distinct objects: each once
                    ranks[rest] = ranks_by_content(others)
                else:
                    ranks[rest] = ranks_by_content(list(map(others.__getitem__, firsts.tolist())))[group]
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
