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
  as one sorted key array; bulk screening is a search of each question's
  measure's keys and a parity. Without numpy, the registry bisects the same
  days, kept per measure (``Runs.flip_days``), in C-level ``map`` passes.
* :class:`AddressTable` (numpy): a measure's rank by the address of the
  registry's own id string, so a large batch finds its measures without
  hashing or reading a string.

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

__all__ = ["AddressTable", "InForceIndex", "NumpyInForce", "NumpyRuns", "Screening", "StringTable", "addresses",
           "group_by_address", "numpy", "OPEN_END"]

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
    are the positions from ``base[r]`` up to ``base[r + 1]``.

    ``memo`` keeps the answers handed out, by position, in a numpy object array
    and a flag array beside it (made on the first question: 9 bytes a run), so
    a repeated question gathers its hits in one C-level ``take`` with no Python
    int, call or dictionary probe per hit. The answers are the run stores' own
    (the same objects :meth:`Registry.state` returns); with the registry's other
    answers spread over the heap, a dictionary memo cost two more scattered reads
    a hit (its entry and its int key), ~3x slower at 1M transitions.
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
        return memo.take(js).tolist()

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

    On CPython a list's or tuple's item array, and a numpy object array's
    buffer, hold exactly those addresses: they are copied as bytes (under the
    GIL), without a Python int per object and without touching the objects
    (at 100,000 distinct strings, each touch is a cache miss; ~100x faster for
    a million). Elsewhere, ``map(id, objs)``.
    """
    np = _np()
    n = len(objs)
    if not n:
        return np.zeros(0, dtype=np.uint64)
    if _CPYTHON:
        at = _items_address(objs)
        held = objs
        if at is None:  # another sequence: its items in an object array first (which holds them meanwhile)
            held = np.fromiter(objs, dtype=object, count=n)
            at = _items_address(held)
        if at is not None:
            import ctypes

            return np.frombuffer(bytes((ctypes.c_uint64 * n).from_address(at)), dtype=np.uint64)
    return np.fromiter(map(id, objs), dtype=np.uint64, count=n)


def _items_address(objs: Any) -> int | None:
    """Where an exact list's or tuple's (or a C-contiguous numpy object array's) item pointers start, else None."""
    t = type(objs)
    if t is list or t is tuple:
        if not _layout_verified():
            return None
        import ctypes

        if t is tuple:  # the items follow the header
            return id(objs) + _VAR_HEAD
        return ctypes.c_void_p.from_address(id(objs) + _VAR_HEAD).value
    np = _np()
    if t is np.ndarray and objs.dtype == object and objs.ndim == 1 and objs.flags.c_contiguous and objs.itemsize == 8:
        return int(objs.ctypes.data)
    return None


_CPYTHON = sys.implementation.name == "cpython"
#: the size of a variable-size object's header on 64-bit CPython: refcount, type, size
_VAR_HEAD = 24
_LAYOUT: list[bool] = []


def _layout_verified() -> bool:
    """True if lists and tuples have the 64-bit CPython layout read by :func:`_items_address`.

    Checked once: the header sizes first (so nothing is dereferenced on an
    unknown layout, e.g. a free-threaded build), then the addresses read back
    from a list and a tuple against their ``id()``s.
    """
    if not _LAYOUT:
        ok = False
        import ctypes
        import sysconfig

        if (_CPYTHON and ctypes.sizeof(ctypes.c_void_p) == 8 and not sysconfig.get_config_var("Py_GIL_DISABLED")
                and object.__basicsize__ == 16 and tuple.__basicsize__ == _VAR_HEAD
                and list.__basicsize__ == _VAR_HEAD + 16 and tuple.__itemsize__ == 8):
            probe = [object(), "x", 3.5]
            items = ctypes.c_void_p.from_address(id(probe) + _VAR_HEAD).value
            inline = tuple(probe)
            ok = (items is not None
                  and list((ctypes.c_uint64 * 3).from_address(items)) == [id(o) for o in probe]
                  and list((ctypes.c_uint64 * 3).from_address(id(inline) + _VAR_HEAD)) == [id(o) for o in inline])
        _LAYOUT.append(ok)
    return _LAYOUT[0]


class AddressTable:
    """Object identity -> a value, for the lookups of a million questions at once (numpy).

    Holds ``keys`` (so their addresses stay theirs) in an open-addressing hash
    table over their addresses, as two numpy arrays. :meth:`lookup` takes
    addresses (:func:`addresses`) and returns each one's value, or -1 for an
    object that is not one of the keys, in a few vector passes and without
    reading any object: a batch that names a registry's measures through the
    registry's own id strings is looked up with no string hashed or compared.
    """

    __slots__ = ("keys", "slots", "values", "shift", "mask", "longest")
    #: Fibonacci hashing: the address (16-byte aligned) times 2**64 / golden ratio, top bits
    MULTIPLIER = 0x9E3779B97F4A7C15

    def __init__(self, keys: Sequence[Any], values: Sequence[int]) -> None:
        self.keys = tuple(keys)
        self._fill(addresses(self.keys), values)

    @classmethod
    def of_words(cls, words: Any, values: Sequence[int]) -> "AddressTable":
        """The same table over distinct nonzero ``uint64`` words instead of addresses (no object held)."""
        table = cls.__new__(cls)
        table.keys = ()
        table._fill(words, values)
        return table

    def _fill(self, a: Any, values: Sequence[int]) -> None:
        np = _np()
        n = len(a)
        bits = max(4, (2 * n - 1).bit_length())  # at most half full
        self.shift = np.uint64(64 - bits)
        self.mask = (1 << bits) - 1
        slots = np.zeros(1 << bits, dtype=np.uint64)  # 0: empty (no object lives at 0)
        vals = np.full(1 << bits, -1, dtype=np.int32 if n < 2**31 else np.int64)
        want = np.asarray(values, dtype=np.int64)
        h = self._hash(a)
        todo = np.arange(n)
        self.longest = 0  # the longest probe a key needed
        probe = 0
        while len(todo):
            at = h[todo]
            free = todo[slots[at] == 0]
            # of the keys that want one free slot, the first takes it; the rest probe on
            _, first = np.unique(h[free], return_index=True)
            put = free[first]
            slots[h[put]] = a[put]
            vals[h[put]] = want[put]
            if len(put):
                self.longest = probe
            placed = np.zeros(n, dtype=bool)
            placed[put] = True
            todo = todo[~placed[todo]]
            h[todo] = (h[todo] + 1) & self.mask
            probe += 1
        self.slots, self.values = slots, vals

    def _hash(self, a: Any) -> Any:
        np = _np()
        with np.errstate(over="ignore"):
            return (((a >> np.uint64(4)) * np.uint64(self.MULTIPLIER)) >> self.shift).astype(np.intp)

    def lookup(self, addrs: Any) -> Any:
        """Per address: the value of the key living there, or -1 (an ``int64`` array)."""
        np = _np()
        at = self._hash(addrs)
        found = self.slots[at]
        out = self.values[at].astype(np.int64)
        miss = found != addrs
        out[miss] = -1
        left = np.flatnonzero(miss & (found != 0))  # a collision: probe on
        while len(left):
            at_l = (at[left] + 1) & self.mask
            at[left] = at_l
            found = self.slots[at_l]
            hit = found == addrs[left]
            out[left[hit]] = self.values[at_l[hit]]
            left = left[~hit & (found != 0)]
        return out


class StringTable:
    """Strings -> a value by their characters, for a million questions at once (numpy).

    For the questions that name a measure through a string that is another
    object than the registry's id (read from a file, say): a dictionary lookup
    each reads the string, the dictionary's slot and the registry's id, three
    cache misses at 100,000 measures. Here a batch is copied into a fixed-width
    byte array (ASCII), each row is hashed in a few vector passes, the hash is
    looked up in an :class:`AddressTable` over the keys' hashes, and every
    candidate is verified against the key's bytes and length, so an answer is
    never a hash collision's. What is not found here gets -1, and the caller
    asks the dictionary: an item that is not a ``str`` (or numpy's ``str_``) or
    has a character outside ASCII, and a key that shares its hash with another key
    (both are left out of the table). A table with a key outside ASCII
    answers nothing.
    """

    __slots__ = ("table", "strings", "lengths", "values", "width")
    #: rows converted and hashed at a time (bounds the temporary arrays to a few MB)
    CHUNK = 1 << 16

    def __init__(self, keys: Sequence[str], values: Sequence[int]) -> None:
        np = _np()
        keys = list(keys)
        n = len(keys)
        self.lengths = np.fromiter(map(len, keys), dtype=np.int64, count=n)
        self.width = 8 * max(1, -(-int(self.lengths.max(initial=0)) // 8))  # whole uint64 words
        self.values = np.asarray(values, dtype=np.int64)
        try:
            self.strings = np.array(keys, dtype=f"S{self.width}")
        except UnicodeEncodeError:  # a key outside ASCII: this table answers nothing (the dictionary does)
            self.strings = np.zeros(0, dtype=f"S{self.width}")
            self.table = AddressTable.of_words(np.zeros(0, dtype=np.uint64), [])
            return
        h = _row_hash(self.strings)
        _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
        keep = np.flatnonzero(counts[inverse] == 1)  # a hash shared by two keys: neither is in the table
        self.table = AddressTable.of_words(h[keep], keep)

    def lookup(self, strs: Sequence[Any]) -> Any:
        """Per item: the value of the key equal to it, or -1 (see the class) as an ``int64`` array."""
        np = _np()
        n = len(strs)
        out = np.full(n, -1, dtype=np.int64)
        if not len(self.strings):
            return out
        width = self.width
        kinds = {str, np.str_}  # a numpy string array's items are np.str_
        for lo in range(0, n, self.CHUNK):
            chunk = strs[lo:lo + self.CHUNK]
            if type(chunk) is not list:
                chunk = list(chunk)
            taken = None  # the positions in the chunk of the items asked here (None: all of them)
            if not set(map(type, chunk)) <= kinds:
                taken = [i for i, x in enumerate(chunk) if type(x) in kinds]
                chunk = list(map(chunk.__getitem__, taken))
            try:
                q = np.array(chunk, dtype=f"S{width}")  # a longer string is cut short here: its length says so
            except UnicodeEncodeError:
                ascii_ = [i for i, x in enumerate(chunk) if x.isascii()]
                taken = ascii_ if taken is None else list(map(taken.__getitem__, ascii_))
                chunk = list(map(chunk.__getitem__, ascii_))
                q = np.array(chunk, dtype=f"S{width}")
            at = self.table.lookup(_row_hash(q))
            hit = np.flatnonzero(at >= 0)
            at = at[hit]
            lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
            same = (self.strings[at] == q[hit]) & (self.lengths[at] == lengths[hit])
            found = hit[same] if taken is None else np.asarray(taken, dtype=np.int64)[hit[same]]
            out[lo + found] = self.values[at[same]]
        return out


#: the 64-bit finaliser of SplitMix64 (Steele, Lea, Flood 2014), and a per-word salt from it
_MIX1, _MIX2, _GOLDEN = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0x9E3779B97F4A7C15


def _row_hash(rows: Any) -> Any:
    """A nonzero 64-bit hash of each row of a fixed-width byte array whose width is whole words."""
    np = _np()
    n = len(rows)
    words = rows.view(np.uint64).reshape(n, rows.itemsize // 8)
    h = np.zeros(n, dtype=np.uint64)
    x = np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(words.shape[1]):
            np.add(words[:, j], np.uint64((_GOLDEN * (j + 1)) & 0xFFFFFFFFFFFFFFFF), out=x)
            x ^= x >> np.uint64(30)
            x *= np.uint64(_MIX1)
            x ^= x >> np.uint64(27)
            x *= np.uint64(_MIX2)
            x ^= x >> np.uint64(31)
            h ^= x
            h *= np.uint64(_GOLDEN)
    h |= np.uint64(1)  # 0 marks an empty slot
    return h


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

    __slots__ = ("keys", "base", "widest")
    SHIFT = 22
    #: a batch this large, over this many keys, searches each measure's own keys (see :meth:`screen`)
    SEGMENT_FROM = 4096
    SEGMENT_KEYS_FROM = 1 << 16

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

    def screen(self, ranks: Any, ordinals: Any) -> Any:
        """Per question: True if measure ``ranks[i]`` is in force on day ``ordinals[i]`` (a bool array).

        A small batch, or few keys, is one ``searchsorted`` over all the keys.
        A large batch over many keys searches each question's measure's own
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
        if len(q) < self.SEGMENT_FROM or len(keys) < max(1, self.SEGMENT_KEYS_FROM):
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
