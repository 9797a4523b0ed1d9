"""Fast paths over a knowledge view's state runs: who is in force on a day, bulk screening.

:class:`~sanctrack._registry.Registry` keeps, per measure and knowledge epoch,
the measure's state runs (prebuilt :class:`MeasureState` answers and the
ordinals their runs start on). Those answer a point query with one bisect. The
questions that span every measure — ``in_force(X)`` and bulk screening — get
a *global* index per knowledge view, built on first use from those same runs:

* :class:`InForceIndex` (pure Python): the in-force runs, cut into blocks of
  time. A block holds every run alive somewhere in it, ordered by
  (authority, measure id), so a query scans one block, keeps the runs with
  ``start <= X < end`` and is already in answer order (a measure has one state
  per day). A long run is repeated in each block it spans; the number of
  blocks grows with the square root of the runs, which bounds both the copy
  and the scan.
* :class:`NumpyInForce` and :class:`NumpyRuns` (with the optional ``fast``
  extra, numpy): the same runs as flat arrays sorted by (rank, start);
  ``in_force`` is two vector comparisons, bulk screening one
  ``searchsorted``.

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
import math
import os
from array import array
from typing import Any, Iterator, Sequence, overload

from ._model import IN_FORCE, MeasureState, ScreenHit

__all__ = ["InForceIndex", "NumpyInForce", "NumpyRuns", "Screening", "numpy", "OPEN_END"]

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

    ``runs`` are ``(rank, start, end, state)``: the measure's rank in answer
    order, the run's half-open ``[start, end)`` as date ordinals (``end`` is
    :data:`OPEN_END` while it holds) and its state.
    """

    __slots__ = ("cuts", "blocks")

    def __init__(self, runs: Sequence[tuple[int, int, int, MeasureState]], blocks: int | None = None) -> None:
        n = len(runs)
        starts = sorted({r[1] for r in runs})
        if blocks is None:
            blocks = int(math.sqrt(n) / 32)
        nblocks = max(1, min(len(starts), blocks))
        # block b covers [cuts[b-1], cuts[b]) with cuts[-1] = -inf; cut at start quantiles
        cuts = sorted({starts[(len(starts) * b) // nblocks] for b in range(1, nblocks)})
        self.cuts = cuts
        members: list[list[tuple[int, int, int, MeasureState]]] = [[] for _ in range(len(cuts) + 1)]
        for r in runs:
            first = bisect.bisect_right(cuts, r[1])
            last = bisect.bisect_left(cuts, r[2])  # the block holding end - 1
            for b in range(first, last + 1):
                members[b].append(r)
        blocks = []
        for mem in members:
            mem.sort(key=_rank_start)
            blocks.append(([r[3] for r in mem], array("i", [r[1] for r in mem]), array("i", [r[2] for r in mem])))
        self.blocks = blocks

    def at(self, o: int) -> list[MeasureState]:
        """Every in-force state on the day with ordinal ``o``, in answer order."""
        states, starts, ends = self.blocks[bisect.bisect_right(self.cuts, o)]
        return [s for s, a, b in zip(states, starts, ends) if a <= o < b]

    def __len__(self) -> int:
        return sum(len(b[0]) for b in self.blocks)


def _rank_start(r: tuple[int, int, int, MeasureState]) -> tuple[int, int]:
    return r[0], r[1]


class NumpyInForce:
    """The in-force runs of one knowledge view as flat arrays sorted by (rank, start) (numpy)."""

    __slots__ = ("starts", "ends", "states")

    def __init__(self, runs: Sequence[tuple[int, int, int, MeasureState]]) -> None:
        np = _np()
        rs = sorted(runs, key=_rank_start)
        self.starts = np.fromiter((r[1] for r in rs), dtype=np.int32, count=len(rs))
        self.ends = np.fromiter((r[2] for r in rs), dtype=np.int32, count=len(rs))
        self.states = [r[3] for r in rs]

    def at(self, o: int) -> list[MeasureState]:
        np = _np()
        idx = np.flatnonzero((self.starts <= o) & (self.ends > o)).tolist()
        states = self.states
        return [states[i] for i in idx]


class NumpyRuns:
    """Every run of one knowledge view as one sorted key array, for bulk point queries (numpy).

    A run's key is ``rank << 22 | start``; the state of measure ``r`` on day
    ``o`` is the last run whose key is ``<= r << 22 | o``, if it is ``r``'s.
    """

    __slots__ = ("keys", "ranks", "live", "states")
    SHIFT = 22

    def __init__(self, runs: Sequence[tuple[int, int, MeasureState]]) -> None:
        np = _np()
        self.keys = np.fromiter(((r << self.SHIFT) | o for r, o, _ in runs), dtype=np.int64, count=len(runs))
        self.ranks = np.fromiter((r for r, _, _ in runs), dtype=np.int64, count=len(runs))
        self.live = np.fromiter((s.status in IN_FORCE for _, _, s in runs), dtype=bool, count=len(runs))
        self.states = np.empty(len(runs) + 1, dtype=object)
        self.states[:-1] = [s for _, _, s in runs]
        self.states[-1] = None

    def in_force(self, ranks: Any, ordinals: Any) -> list[MeasureState | None]:
        """The in-force state of measure ``ranks[i]`` on ``ordinals[i]`` (None if not in force)."""
        np = _np()
        ranks = np.asarray(ranks, dtype=np.int64)
        q = (ranks << self.SHIFT) | np.asarray(ordinals, dtype=np.int64)
        i = np.searchsorted(self.keys, q, side="right") - 1
        ok = i >= 0
        j = np.where(ok, i, 0)
        ok &= self.ranks[j] == ranks
        ok &= self.live[j]
        j = np.where(ok, j, len(self.states) - 1)
        return self.states[j].tolist()


class Screening(Sequence[ScreenHit]):
    """The answers of a bulk :meth:`~sanctrack.Registry.screen`, one per question, column by column.

    Indexing or iterating yields :class:`ScreenHit` objects (made on access);
    :attr:`hits` and :attr:`states` give whole columns without making any.
    Compares equal to a list of the same hits.
    """

    __slots__ = ("queries", "dates", "known", "_col")

    def __init__(self, queries: Sequence[Any], dates: Sequence[Any], known: _dt.date | None,
                 col: list[Any]) -> None:
        self.queries = queries
        self.dates = dates
        self.known = known
        # per question: None (no hit), a MeasureState (one hit) or a tuple of states
        self._col = col

    def __len__(self) -> int:
        return len(self._col)

    @overload
    def __getitem__(self, i: int) -> ScreenHit: ...

    @overload
    def __getitem__(self, i: slice) -> list[ScreenHit]: ...

    def __getitem__(self, i: int | slice) -> ScreenHit | list[ScreenHit]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return ScreenHit(self.queries[i], self.dates[i], self.known, _states(self._col[i]))

    def __iter__(self) -> Iterator[ScreenHit]:
        known = self.known
        for q, on, c in zip(self.queries, self.dates, self._col):
            yield ScreenHit(q, on, known, _states(c))

    @property
    def hits(self) -> list[bool]:
        """Per question: True if something is in force."""
        return [bool(c) if type(c) is tuple else c is not None for c in self._col]

    @property
    def states(self) -> list[tuple[MeasureState, ...]]:
        """Per question: the states in force."""
        return [_states(c) for c in self._col]

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
