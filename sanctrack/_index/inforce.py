"""Who is in force on a day: :func:`in_force`, its one path choice (:func:`in_force_path`) and the block index.

The answer is every measure whose state on the day is ``in_force`` or
``relieved``, in answer order (authority, then measure id). It comes by one of
four paths, chosen by :func:`in_force_path` (every threshold is beside it):

* ``targets`` — a ``target=`` filter: only the measures that ever target it,
  each by its point question;
* ``each`` — every measure by its point question (a one-off knowledge date,
  or an aware instant, which each measure answers in its authority's zone);
* ``blocks`` — the view's :class:`InForceIndex` (pure Python);
* ``numpy`` — the view's :class:`~sanctrack._index.accel.NumpyInForce`.

All four give the same answers (``tests/test_fastpaths.py`` checks each one
against an independent replay).

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import operator
from array import array
from collections.abc import Sequence
from itertools import repeat
from typing import Any

from .._model import IN_FORCE, MeasureState
from .._unchecked import collection_paused
from . import accel
from .catalog import Catalog
from .point import mark, mark_all, state_of
from .view import Views

__all__ = ["OPEN_END", "InForceIndex", "in_force", "in_force_path"]

#: The end ordinal used for a run that has not ended (beyond ``date.max``).
OPEN_END = _dt.date.max.toordinal() + 1
#: The pure index cuts time into ``sqrt(runs) / RUNS_PER_BLOCK_SQRT`` blocks (at least one).
RUNS_PER_BLOCK_SQRT = 32


def in_force_path(*, targets: bool, calendar_date: bool, worth_index: bool, numpy: bool) -> str:
    """The path that answers an ``in_force`` question: ``targets``, ``each``, ``blocks`` or ``numpy``.

    * a ``target=`` filter -> ``targets`` (its few measures, each by its point question);
    * an aware instant, or a knowledge date asked about for the first time
      (``worth_index`` false: its view's index is not built and was not asked
      for before) -> ``each``: measure by measure, no index built;
    * else the view's index: ``numpy`` when numpy is usable, else ``blocks``.

    Fallback contract: every path gives the same list (same states, same order,
    same marks); ``numpy`` is never chosen without numpy, and the numpy-free
    paths need nothing optional. The knobs: ``accel.numpy = None`` forces the
    pure paths; asking a knowledge date twice builds its index.
    """
    if targets:
        return "targets"
    if not calendar_date or not worth_index:
        return "each"
    return "numpy" if numpy else "blocks"


def in_force(cat: Catalog, views: Views, y: _dt.date | None, when: _dt.date | _dt.datetime,
             targets: frozenset[str] | None) -> list[MeasureState]:
    """Every state in force on ``when`` as known on ``y``, in answer order (only measures against ``targets``)."""
    calendar = type(when) is _dt.date
    whole = targets is None and calendar
    # asked twice (or an index built): worth an index. The ask is kept under the pure index's name,
    # so that whether numpy serves is decided (and numpy imported) only once an index will be used
    worth = whole and (views.built("in_force_arrays", y) or views.worth("in_force_blocks", y))
    numpy = worth and accel.available()  # numpy (~80 ms to import) only where an index is read or built
    name = "in_force_arrays" if numpy else "in_force_blocks"
    path = in_force_path(targets=targets is not None, calendar_date=calendar, worth_index=worth, numpy=numpy)
    if path == "targets":
        assert targets is not None
        out = []
        for tl in cat.target_timelines(targets):
            s = state_of(cat, tl, when, y)
            if s.status in IN_FORCE and not targets.isdisjoint(s.targets):
                out.append(s)
        return out
    if path == "each":
        # every measure's runs may be made here (the first question after a load): that allocates
        # hundreds of thousands of acyclic objects, which the cyclic collector would walk over and over
        with collection_paused():
            if type(when) is not _dt.date:  # each measure answers an instant in its authority's zone
                return [s for s in (state_of(cat, tl, when, y) for tl in cat.ranked) if s.status in IN_FORCE]
            o = when.toordinal()
            ctx = cat.context
            out = []
            for tl in cat.ranked:
                k = tl.epoch(y)
                if tl.live_at(k, o, ctx):  # an answer is made only for a measure in force
                    out.append(mark(cat, tl.runs(k, ctx).at(o), o, y))
            return out
    o = when.toordinal()
    index = views.of(y).index(name, lambda y: build_index(cat, y, numpy=path == "numpy"))
    return mark_all(cat, index.at(o), o, y)


def build_index(cat: Catalog, y: _dt.date | None, *, numpy: bool) -> Any:
    """The in-force index of knowledge date ``y``: numpy arrays, else time blocks (every measure's runs built)."""
    runs = []
    stores = cat.view_runs(y)
    for r, rs in enumerate(stores):
        for i, a, b in rs.in_force_runs():
            runs.append((r, a, OPEN_END if b is None else b, rs, i))
    return accel.NumpyInForce(runs, stores) if numpy else InForceIndex(runs)


def matches(s: MeasureState, authority: str | None, targets: frozenset[str] | None,
            kind: str | None, program: str | None) -> bool:
    """True if ``s`` passes the filters (``program``: the program in effect; ``targets``: any in common)."""
    m = s.measure
    if authority is not None and m.authority != authority:
        return False
    if kind is not None and m.kind != kind:
        return False
    if program is not None and s.program != program:
        return False
    return targets is None or not targets.isdisjoint(s.targets)


class InForceIndex:
    """The in-force runs of one knowledge view, cut into blocks of time (pure Python).

    ``runs`` are ``(rank, start, end, runs, i)``: the measure's rank in answer
    order, the run's half-open ``[start, end)`` as date ordinals (``end`` is
    :data:`OPEN_END` while it holds), and the measure's run store and the run's
    index in it (its answer is made on first use).
    """

    __slots__ = ("blocks", "cuts")

    def __init__(self, runs: Sequence[tuple[int, int, int, Any, int]], blocks: int | None = None) -> None:
        n = len(runs)
        starts = sorted({r[1] for r in runs})
        if blocks is None:
            blocks = int(math.sqrt(n) / RUNS_PER_BLOCK_SQRT)
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
        out: list[tuple[list[Any], array[int], array[int], array[int], dict[int, Any]]] = []
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


def _answers(js: list[int], memo: dict[int, Any], make: Any) -> list[MeasureState]:
    """The answers of runs ``js``: from ``memo`` (a C-level gather), made first (``make(j)``) where missing.

    ``memo`` holds, per indexed run asked about, the answer its store made (the same
    object), so a repeated question is one pass over the hits with no call per hit.
    """
    out: list[Any] = list(map(memo.get, js))
    if any(map(operator.is_, out, repeat(None))):
        for n, j in enumerate(js):
            if out[n] is None:
                out[n] = memo[j] = make(j)
    return out
