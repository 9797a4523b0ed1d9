"""The optional numpy accelerator: the one module that imports numpy (the ``fast`` extra).

Two whole-registry indexes of one knowledge view, as flat integer arrays:

* :class:`NumpyInForce` — the in-force runs sorted by (rank, start):
  ``in_force(X)`` is two vector comparisons;
* :class:`NumpyRuns` — the days each measure goes into or out of force, as one
  sorted key array: a bulk screen of measure ids on calendar dates is one
  ``searchsorted`` and a parity.

Both take measure ranks (a question's measure id looked up in a dictionary,
:func:`ranks_of`) and date ordinals, and read no interpreter internals. Which
path answers a question is decided by :func:`sanctrack._index.inforce.in_force_path`
and :func:`sanctrack._index.screen.screen_path`; both fall back to the pure-Python
paths when numpy is not installed or ``SANCTRACK_NO_NUMPY`` is set, and give
the same answers.

This module is pure: no files, no clock, no printing; numpy is imported on first use.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import itertools
import os
from array import array
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._model import MeasureState
from .runs import LIVE_OF_CODE

__all__ = ["NumpyInForce", "NumpyRuns", "TextColumn", "available", "day_ordinals", "is_array", "is_day_array",
           "is_text_array", "ordinals_of", "ranks_of", "text_list"]


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
    setting it to None forces the pure-Python paths (the knob the tests and the
    benchmark use).
    """
    return _memo("numpy", _load_numpy)


def __getattr__(name: str) -> Any:
    if name == "numpy":
        return _np()
    if name == "arrow":
        return _arrow()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class NumpyInForce:
    """The in-force runs of one knowledge view as flat arrays sorted by (rank, start) (numpy).

    Per run, 10 bytes: its start and end, and its index in its measure's run
    store. ``stores[r]`` is the run store of the measure of rank ``r``, whose runs
    are the positions from ``base[r]`` up to ``base[r + 1]``.

    ``memo`` keeps the answers handed out, by position, in a numpy object array
    and a flag array beside it (made on the first question: 9 bytes a run), so
    a repeated question gathers its hits in one C-level ``take`` with no Python
    int, call or dictionary probe per hit. The answers are the run stores' own
    (the same objects :meth:`Registry.state` returns); with the registry's other
    answers spread over the heap, a dictionary memo cost two more scattered reads
    a hit (its entry and its int key), ~3x slower at 1M transitions.
    """

    __slots__ = ("base", "ends", "idx", "memo", "starts", "stores")

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
        self.memo: Any = None  # (answers, made), on the first question

    def at(self, o: int) -> list[MeasureState]:
        np = _np()
        js = np.flatnonzero((self.starts <= o) & (self.ends > o))
        pair = self.memo
        if pair is None:  # (two threads may each make a pair: one is kept; either gives the same answers)
            n = len(self.starts)
            pair = self.memo = (np.full(n, None, dtype=object), np.zeros(n, dtype=bool))
        memo, made = pair
        new = js[~made[js]]
        if len(new):
            make = self._make
            for j in new.tolist():
                memo[j] = make(j)  # the answer first, then the flag: a gather never sees a flag without it
                made[j] = True
        answers: list[MeasureState] = memo.take(js).tolist()
        return answers

    def _make(self, j: int) -> MeasureState:
        answer: MeasureState = self.stores[bisect.bisect_right(self.base, j) - 1].answer(self.idx[j])
        return answer


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

    __slots__ = ("base", "id_table", "keys", "widest")
    SHIFT = 22

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
        #: the most flips of one measure
        self.widest = int(fc.max()) if len(fc) else 0
        #: the measure ids in rank order as a pyarrow string array (made on first use; :func:`ranks_of`)
        self.id_table: Any = None

    def screen(self, ranks: Any, ordinals: Any, *, segmented: bool) -> Any:
        """Per question: True if measure ``ranks[i]`` is in force on day ``ordinals[i]`` (a bool array).

        Not ``segmented``: one ``searchsorted`` over all the keys (best for a
        small batch, or few keys). ``segmented`` (a large batch over many
        keys): a search of each question's measure's own
        keys, ``keys[base[r]:base[r + 1]]``, with a branch-free binary search
        run on every question at once: a few vector passes (as many as the
        bits of the most flips of one measure), each reading one key per
        question, instead of about twenty dependent reads into an array that
        does not fit the caches (and no sort of the questions).
        """
        np = _np()
        ranks = np.asarray(ranks, dtype=np.int64)
        q = (ranks << self.SHIFT) | np.asarray(ordinals, dtype=np.int64)
        keys = self.keys
        if not segmented or not len(keys):
            return ((np.searchsorted(keys, q, side="right") - self.base[ranks]) & 1).astype(bool)
        lo = self.base[ranks]
        hi = self.base[ranks + 1]
        # pos: the measure's keys <= q found so far end at pos; try to move on by step, halving
        pos = lo.copy()
        step = 1 << max(0, self.widest.bit_length() - 1)
        ahead = np.empty_like(pos)
        ok = np.empty(len(q), dtype=bool)
        last = len(keys) - 1
        while step:
            np.add(pos, step, out=ahead)
            np.less_equal(ahead, hi, out=ok)
            np.minimum(ahead, last + 1, out=ahead)
            ahead -= 1
            ok &= keys[ahead] <= q
            pos += ok * step
            step >>= 1
        return ((pos - lo) & 1).astype(bool)


def available() -> bool:
    """True if numpy can be used (installed, and ``SANCTRACK_NO_NUMPY`` not set)."""
    return _np() is not None


def _load_arrow() -> Any:
    if _np() is None:
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pyarrow is optional
        return None
    return pa, pc


def _arrow() -> Any:
    """(pyarrow, pyarrow.compute) if installed and numpy is usable, else None (the module attribute
    ``arrow``; setting it to None forces the dictionary lookups)."""
    return _memo("arrow", _load_arrow)


def _memo(name: str, load: Callable[[], Any]) -> Any:
    """Module attribute ``name``, set to ``load()`` on first use (a test may set it, None forcing the pure paths)."""
    value = globals().get(name, _UNSET)
    if value is _UNSET:
        value = load()
        globals()[name] = value
    return value


def is_text_array(values: Any) -> bool:
    """True if ``values`` is a pyarrow string array (or chunked array) or a numpy string array."""
    t = type(values)
    if t.__module__.startswith("pyarrow"):
        return hasattr(values, "to_pylist") and str(getattr(values, "type", "")) in _ARROW_TEXT
    return t.__module__.startswith("numpy") and getattr(getattr(values, "dtype", None), "kind", "") in ("U", "S")


_ARROW_TEXT = ("string", "large_string", "string_view")


def text_list(values: Any) -> list[Any]:
    """A pyarrow or numpy string array as a list of ``str`` (numpy bytes stay ``bytes``)."""
    return list(values.to_pylist() if hasattr(values, "to_pylist") else values.tolist())


class TextColumn(Sequence[Any]):
    """A pyarrow or numpy string array read as a sequence of ``str`` (the queries of a :class:`Screening`)."""

    __slots__ = ("values",)

    def __init__(self, values: Any) -> None:
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return text_list(self.values[i])
        v = self.values[i]
        return v.as_py() if hasattr(v, "as_py") else v.item()

    def __iter__(self) -> Any:
        return iter(text_list(self.values))


def _arrow_ranks(runs: NumpyRuns, rank: Mapping[Any, int], queries: Any) -> Any:
    """Ranks by a pyarrow hash lookup in C (``index_in``), or None if the queries are not all strings."""
    pair = _arrow()
    if pair is None:
        return None
    pa, pc = pair
    np = _np()
    try:
        # a pyarrow array as it is; a list of str, or a numpy string array, converted in C
        col = queries if type(queries).__module__.startswith("pyarrow") else pa.array(queries, type=pa.string())
    except (pa.ArrowException, TypeError, ValueError):  # not all strings: a target among them
        return None
    table = runs.id_table
    if table is None:
        table = runs.id_table = pa.array(list(rank), type=pa.string())
    found = pc.index_in(col, value_set=table).fill_null(-1)
    return np.asarray(found.to_numpy(), dtype=np.int64)


def ranks_of(rank: Mapping[Any, int], queries: Sequence[Any], runs: NumpyRuns | None = None) -> Any:
    """Each query's rank (-1 for anything that is not a measure id), an ``int64`` array.

    With pyarrow installed and ``runs`` given, strings are looked up in C
    (``pyarrow.compute.index_in`` against the ids in rank order: ids read from a
    file are fresh string objects, each a hash and a compare); else by
    dictionary lookup.
    """
    np = _np()
    if runs is not None and (is_text_array(queries) or len(queries) >= CONVERT_FROM):
        found = _arrow_ranks(runs, rank, queries)
        if found is not None:
            return found
    if is_text_array(queries):
        queries = text_list(queries)
    get = rank.get
    try:
        return np.fromiter(map(get, queries, itertools.repeat(-1)), dtype=np.int64, count=len(queries))
    except TypeError:  # an unhashable query: not a measure id
        return np.fromiter((get(q, -1) if isinstance(q, str) else -1 for q in queries), dtype=np.int64,
                           count=len(queries))


def is_day_array(dates: Any) -> bool:
    """True if ``dates`` is a numpy ``datetime64`` array."""
    np = _np()
    return np is not None and isinstance(dates, np.ndarray) and dates.dtype.kind == "M"


def is_array(values: Any) -> bool:
    """True if ``values`` is a numpy array."""
    np = _np()
    return np is not None and isinstance(values, np.ndarray)


def ordinals_of(days: Any) -> Any:
    """Date ordinals of numpy ``datetime64`` values (an array or one scalar), truncated to the day."""
    return days.astype("datetime64[D]").astype("int64") + _EPOCH_ORDINAL


def day_ordinals(dates: Sequence[_dt.date]) -> Any:
    """The ordinals of ``date`` objects, an ``int64`` array (converted in C by pyarrow if installed)."""
    np = _np()
    pair = _arrow() if len(dates) >= CONVERT_FROM else None
    if pair is not None:
        pa = pair[0]
        days = pa.array(dates, type=pa.date32()).cast(pa.int32())
        if not days.null_count:
            return np.asarray(days.to_numpy(), dtype=np.int64) + _EPOCH_ORDINAL
    return np.fromiter(map(_dt.date.toordinal, dates), dtype=np.int64, count=len(dates))


_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
#: From this many questions, strings and dates are converted by pyarrow (if installed).
CONVERT_FROM = 1024


def _rank_start(r: tuple[Any, ...]) -> tuple[int, int]:
    return r[0], r[1]
