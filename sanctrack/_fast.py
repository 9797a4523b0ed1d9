"""Fast paths over a knowledge view's state runs: who is in force on a day, bulk screening.

:class:`~sanctrack._registry.Registry` keeps, per measure and knowledge epoch,
the measure's state runs in a compact store (:mod:`sanctrack._runs`: the
ordinals the runs start on, a byte per run, answers made on first use). Those
answer a point query with one bisect. The
questions that span every measure — ``in_force(X)`` and bulk screening — get
a *global* index per knowledge view, built on first use from those same runs:

* :class:`InForceIndex` (pure Python): the in-force runs, cut into blocks of
  time. A block holds every run alive somewhere in it, ordered by
  (authority, measure id), so a query scans one block, keeps the runs with
  ``start <= X < end`` and is already in answer order (a measure has one state
  per day). A long run is repeated in each block it spans; the number of
  blocks grows with the square root of the runs, which bounds both the copy
  and the scan.
* :class:`NumpyInForce` (with the optional ``fast`` extra, numpy): the same
  runs as flat arrays sorted by (rank, start); ``in_force`` is two vector
  comparisons.
* :class:`NumpyRuns` (numpy): the days each measure goes into or out of force,
  as one sorted key array; bulk screening is one ``searchsorted`` and a
  parity. Without numpy, the registry bisects the same days, kept per measure
  (``Runs.flip_days``), in C-level ``map`` passes.

Both give exactly the answers of the per-measure bisect (the property tests in
``tests/test_fastpaths.py`` check them against a naive replay). Aware-instant
queries never come here: they need the authority's zone, measure by measure.

:class:`Screening` is the columnar answer of a bulk screen: a sequence of
:class:`ScreenHit` made on access.

This module is pure: no files, no clock, no printing; numpy is imported lazily.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import itertools
import math
import operator
import os
import sys
from array import array
from itertools import repeat
from typing import Any, Callable, Iterator, Sequence, overload

from ._model import MeasureState, ScreenHit
from ._runs import LIVE_OF_CODE

__all__ = ["InForceIndex", "NumpyInForce", "NumpyRuns", "Screening", "addresses", "group_by_address", "numpy",
           "OPEN_END"]

#: The end ordinal used for a run that has not ended (beyond ``date.max``).
OPEN_END = _dt.date.max.toordinal() + 1


def _load_numpy() -> Any:
    if os.environ.get("SANCTRACK_NO_NUMPY"):
        return None
    try:
        import numpy as np
    except ImportError:  # the optional ``fast`` extra is not installed
        return None
    return np


_UNSET: Any = object()


def _np() -> Any:
    """numpy if the ``fast`` extra is installed (and SANCTRACK_NO_NUMPY is not set), else None.

    Imported on first use, not when sanctrack is imported (it costs every CLI call
    ~0.2 s otherwise). The module attribute ``numpy`` holds the answer once asked;
    tests may set it to None to force the pure-Python paths.
    """
    value = globals().get("numpy", _UNSET)
    if value is _UNSET:
        value = _load_numpy()
        globals()["numpy"] = value
    return value


def __getattr__(name: str) -> Any:
    if name == "numpy":
        return _np()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class InForceIndex:
    """The in-force runs of one knowledge view, cut into blocks of time (pure Python).

    ``runs`` are ``(rank, start, end, runs, i)``: the measure's rank in answer
    order, the run's half-open ``[start, end)`` as date ordinals (``end`` is
    :data:`OPEN_END` while it holds), and the measure's run store and the run's
    index in it (its answer is made on first use).
    """

    __slots__ = ("cuts", "blocks")

    def __init__(self, runs: Sequence[tuple[int, int, int, Any, int]], blocks: int | None = None) -> None:
        n = len(runs)
        starts = sorted({r[1] for r in runs})
        if blocks is None:
            blocks = int(math.sqrt(n) / 32)
        nblocks = max(1, min(len(starts), blocks))
        # block b covers [cuts[b-1], cuts[b]) with cuts[-1] = -inf; cut at start quantiles
        cuts = sorted({starts[(len(starts) * b) // nblocks] for b in range(1, nblocks)})
        self.cuts = cuts
        members: list[list[tuple[int, int, int, Any, int]]] = [[] for _ in range(len(cuts) + 1)]
        for r in runs:
            first = bisect.bisect_right(cuts, r[1])
            last = bisect.bisect_left(cuts, r[2])  # the block holding end - 1
            for b in range(first, last + 1):
                members[b].append(r)
        out = []
        for mem in members:
            mem.sort(key=_rank_start)
            out.append(([r[3] for r in mem], array("i", [r[4] for r in mem]),
                        array("i", [r[1] for r in mem]), array("i", [r[2] for r in mem]), {}))
        self.blocks = out

    def at(self, o: int) -> list[MeasureState]:
        """Every in-force state on the day with ordinal ``o``, in answer order."""
        owners, idx, starts, ends, memo = self.blocks[bisect.bisect_right(self.cuts, o)]
        js = [j for j, (a, b) in enumerate(zip(starts, ends)) if a <= o < b]
        return _answers(js, memo, lambda j: owners[j].answer(idx[j]))

    def __len__(self) -> int:
        return sum(len(b[0]) for b in self.blocks)


def _rank_start(r: tuple[Any, ...]) -> tuple[int, int]:
    return r[0], r[1]


class NumpyInForce:
    """The in-force runs of one knowledge view as flat arrays sorted by (rank, start) (numpy).

    Per run, 10 bytes: its start and end, and its index in its measure's run
    store. ``stores[r]`` is the run store of the measure of rank ``r``, whose runs
    are the positions from ``base[r]`` up to ``base[r + 1]``. ``memo`` keeps the
    answers made, by position, so a repeated question gathers them with no call
    per hit.
    """

    __slots__ = ("starts", "ends", "base", "stores", "idx", "memo")

    def __init__(self, runs: Sequence[tuple[int, int, int, Any, int]], stores: Sequence[Any]) -> None:
        np = _np()
        rs = sorted(runs, key=_rank_start)
        self.starts = np.fromiter((r[1] for r in rs), dtype=np.int32, count=len(rs))
        self.ends = np.fromiter((r[2] for r in rs), dtype=np.int32, count=len(rs))
        counts = [0] * (len(stores) + 1)
        for r in rs:
            counts[r[0] + 1] += 1
        self.base = array("i", itertools.accumulate(counts))
        self.stores = stores
        idx = [r[4] for r in rs]
        self.idx = array("H" if max(idx, default=0) < 1 << 16 else "i", idx)
        self.memo: dict[int, MeasureState] = {}

    def at(self, o: int) -> list[MeasureState]:
        np = _np()
        js = np.flatnonzero((self.starts <= o) & (self.ends > o)).tolist()
        return _answers(js, self.memo, self._make)

    def _make(self, j: int) -> MeasureState:
        return self.stores[bisect.bisect_right(self.base, j) - 1].answer(self.idx[j])


def _answers(js: list[int], memo: dict[int, Any], make: Any) -> list[MeasureState]:
    """The answers of runs ``js``: from ``memo`` (a C-level gather), made first (``make(j)``) where missing.

    ``memo`` holds, per indexed run asked about, the answer its store made (the same
    object), so a repeated question is one pass over the hits with no call per hit.
    """
    out = list(map(memo.get, js))
    if any(map(operator.is_, out, repeat(None))):
        for n, j in enumerate(js):
            if out[n] is None:
                out[n] = memo[j] = make(j)
    return out


def addresses(objs: Sequence[Any]) -> Any:
    """The objects' ``id()``s (their addresses on CPython), as a numpy ``uint64`` array.

    On CPython a numpy object array's buffer holds exactly those addresses, so
    it is read through ctypes (the array keeps every object alive meanwhile)
    rather than making a Python int per object (~1.4x faster for a million).
    Elsewhere, ``map(id, objs)``.
    """
    np = _np()
    n = len(objs)
    if _CPYTHON and n:
        import ctypes

        held = np.fromiter(objs, dtype=object, count=n)
        if held.dtype.itemsize == ctypes.sizeof(ctypes.c_void_p) == 8 and held.flags.c_contiguous:
            raw = (ctypes.c_uint64 * n).from_address(held.ctypes.data)
            return np.frombuffer(raw, dtype=np.uint64).copy()
    return np.fromiter(map(id, objs), dtype=np.uint64, count=n)


def group_by_address(objs: Sequence[Any]) -> tuple[Any, Any]:
    """Group a sequence's items by identity: ``(firsts, group)``.

    ``firsts[g]`` is the index of one item of group ``g`` and ``group[i]`` is
    item ``i``'s group, so ``objs[firsts[group[i]]] is objs[i]``. One sort of
    the addresses (no hashing, no read of the objects).
    """
    np = _np()
    p = addresses(objs)
    n = len(p)
    order = np.argsort(p)
    ps = p[order]
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(ps[1:], ps[:-1], out=new[1:])
    group = np.empty(n, dtype=np.intp)
    group[order] = np.cumsum(new) - 1
    return order[new], group


_CPYTHON = sys.implementation.name == "cpython"


class NumpyRuns:
    """Where every measure of one knowledge view goes into or out of force, as one sorted key array (numpy).

    ``stores`` are the measures' run stores in rank order. A *flip* is a run
    whose in-force verdict differs from the run before it (the first in-force
    run is one: nothing is in force before a measure's first run). Its key is
    ``rank << 22 | start``; ``base[r]`` is the index of rank ``r``'s first
    key. The number of keys ``<= r << 22 | o`` minus ``base[r]`` is the number
    of measure ``r``'s flips on or before day ``o``: odd means in force. A
    screen is therefore one ``searchsorted`` and a parity, with no run looked
    up; the states themselves are made only for the hits asked about.
    """

    __slots__ = ("keys", "base")
    SHIFT = 22
    #: a batch is searched in key order from this many questions, if the keys outgrow the caches
    SORT_FROM = 4096
    SORT_KEYS_FROM = 1 << 16

    def __init__(self, stores: Sequence[Any]) -> None:
        np = _np()
        counts = np.fromiter(map(len, stores), dtype=np.int64, count=len(stores))
        starts = np.frombuffer(b"".join(s.starts.tobytes() for s in stores), dtype=np.int32).astype(np.int64)
        live = np.frombuffer(b"".join(s.codes for s in stores).translate(LIVE_OF_CODE), dtype=np.uint8)
        # the verdict of the run before (0 before each measure's first run)
        before = np.empty_like(live)
        if len(live):
            before[0] = 0
            before[1:] = live[:-1]
            first = np.cumsum(counts) - counts
            before[first[counts > 0]] = 0
        flip = live != before
        ranks = np.repeat(np.arange(len(stores), dtype=np.int64), counts)
        self.keys = ((ranks << self.SHIFT) | starts)[flip]
        fc = np.bincount(ranks[flip], minlength=len(stores)) if len(stores) else np.zeros(0, dtype=np.int64)
        self.base = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(fc)))

    def screen(self, ranks: Any, ordinals: Any) -> Any:
        """Per question: True if measure ``ranks[i]`` is in force on day ``ordinals[i]`` (a bool array)."""
        np = _np()
        ranks = np.asarray(ranks, dtype=np.int64)
        q = (ranks << self.SHIFT) | np.asarray(ordinals, dtype=np.int64)
        if len(q) < self.SORT_FROM or len(self.keys) < self.SORT_KEYS_FROM:
            return ((np.searchsorted(self.keys, q, side="right") - self.base[ranks]) & 1).astype(bool)
        # in key order, the search walks the keys front to back instead of jumping
        # across them (several times fewer cache misses for a million questions)
        order = np.argsort(q)
        q = q[order]
        odd = ((np.searchsorted(self.keys, q, side="right") - self.base[q >> self.SHIFT]) & 1).astype(bool)
        hits = np.empty_like(odd)
        hits[order] = odd
        return hits


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

    __slots__ = ("queries", "dates", "known", "_col", "_hits", "_state")

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
        if not self._hits[i]:
            return None
        return self._state(self.queries[i], self.dates[i])  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self._col) if self._col is not None else len(self._hits)

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
            h = self._hits
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
