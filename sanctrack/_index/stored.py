"""Every measure's latest runs as a load-cache entry stores them, and their restore without a replay.

A cold load replays every measure (the legality check) and keeps the runs of
its latest epoch (:class:`~sanctrack._index.runs.Runs`). :func:`encode` writes
those runs into the cache entry beside the records, with what the timeline
learnt while preparing (its canonical order, its flags, its number of epochs);
:class:`StoredRuns` reads them back, so a warm load's first questions (the
first ``in_force``, the first ``state`` of a measure) read restored runs
instead of making every record and replaying every measure.

The section holds, per measure of the entry's measure table (in its order):

* ``flags`` — one byte: the timeline's prepared flags, and :data:`STORED` when
  its runs are stored (a measure whose runs cannot be stored exactly, such as
  one with more than 255 records, is replayed on first use as before);
* ``epochs`` — its number of knowledge epochs;
* ``counts`` — its number of runs (0 if not stored);
* ``starts`` and ``cells`` — every stored measure's run starts (``int32``) and
  cells (six bytes a run, see :mod:`~sanctrack._index.runs`), concatenated;
* ``orders`` — for a measure whose canonical order is not its table order, the
  table place of each record in canonical order;
* ``palettes`` — for a measure whose runs have reliefs, lapses, announcements
  or scope changes, its palette past ``(None, ())`` as JSON text (see
  :class:`_Palette`), read when the measure is first asked about.

Everything is checked for shape when the entry is read (a malformed section
makes the hit a miss); the values are believed, as the records are: the entry
is signature-verified and its key names the sanctrack that wrote it.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from itertools import accumulate
from typing import Any

from .._model import Instrument, Measure, Relief, Transition
from .catalog import Catalog
from .runs import LIVE_OF_CODE, Runs, day_of
from .timeline import PREPARED, AnswerContext, Timeline

__all__ = ["STORED", "StoredRuns", "encode"]

#: flag bit: the measure's latest runs are stored (the other bits are the timeline's prepared flags)
STORED = 0x80

#: the JSON scanner itself (``json.loads`` minus two Python frames and a whitespace match): text -> (value, end)
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _b64(a: array[int] | bytes) -> str:
    if isinstance(a, array) and sys.byteorder != "little":  # pragma: no cover - stored little-endian
        a = array(a.typecode, a)
        a.byteswap()
    return base64.b64encode(a if isinstance(a, bytes) else a.tobytes()).decode("ascii")


def _unb64(text: Any, code: str, n: int | None) -> array[int]:
    if type(text) is not str:
        raise ValueError("a malformed runs column")
    a = array(code, base64.b64decode(text, validate=True))
    if sys.byteorder != "little":  # pragma: no cover
        a.byteswap()
    if n is not None and len(a) != n:
        raise ValueError("a runs column of the wrong length")
    return a


class _Unstorable(Exception):
    """A palette value the section cannot restore exactly: the measure's runs are not stored."""


def _palette_out(runs: Runs, place: Mapping[int, int], instruments: Mapping[str, Instrument]) -> str | None:
    """A runs' palette past its first two entries, and its runs' bases, as the JSON text :class:`_Palette`
    reads (see its docstring); None for the base palette and no bases."""
    palette = runs.palette
    if type(palette) is not tuple:
        raise _Unstorable("a palette by place")
    bases: list[int] = []
    for i in range(len(runs)):
        b = runs.basis_place(i)
        if b is not None:
            bases += (i, b)
    if len(palette) == 2 and not bases:
        return None
    tags = []
    entries: list[Any] = []
    rows: list[int] = []
    row_of: dict[tuple[Any, ...], int] = {}
    inst_ids: list[str] = []
    for value in palette[2:]:
        if type(value) is _dt.date:
            tags.append("d")
            entries.append(value.toordinal())
        elif type(value) is not tuple or not value:
            raise _Unstorable(repr(value))
        elif all(type(r) is Relief for r in value):
            tags.append("r")
            refs = []
            for r in value:
                inst = r.instrument
                if inst is not None and instruments.get(inst.id) is not inst:
                    raise _Unstorable("a relief's instrument is not the registry's")
                if type(r.since) is not _dt.date or (r.until is not None and type(r.until) is not _dt.date):
                    raise _Unstorable(repr(r))
                k = -1
                if inst is not None:
                    if inst.id not in inst_ids:
                        inst_ids.append(inst.id)
                    k = inst_ids.index(inst.id)
                row = (place[id(r.transition)], k, r.since.toordinal(), 0 if r.until is None else r.until.toordinal())
                n = row_of.get(row)
                if n is None:
                    n = row_of[row] = len(row_of)
                    rows.extend(row)
                refs.append(n)
            entries.append(refs)
        elif all(type(t) is Transition for t in value):
            tags.append("p")
            entries.append([place[id(t)] for t in value])
        else:
            program, targets = value
            if (program is not None and type(program) is not str) or type(targets) is not tuple \
                    or any(type(x) is not str for x in targets):
                raise _Unstorable(repr(value))
            tags.append("s")
            entries.append([program, list(targets)])
    return json.dumps(["".join(tags), entries, rows, inst_ids, bases], ensure_ascii=False, separators=(",", ":"))


def encode(cat: Catalog, measure_ids: Sequence[str], table_order: Mapping[str, Sequence[Transition]]) -> dict[str, Any]:
    """The section of a cache entry for ``cat``'s latest runs.

    ``measure_ids`` are the entry's measures in table order; ``table_order``
    gives each measure's transitions in the entry's transition-table order
    (the same objects as its timeline's records).
    """
    flags = bytearray()
    epochs: list[int] = []
    counts: list[int] = []
    starts = array("i")
    cells = bytearray()
    orders: dict[str, str] = {}
    palettes: dict[str, str] = {}
    ctx = cat.context
    for p, mid in enumerate(measure_ids):
        tl = cat.timelines[mid]
        prepared, n = tl.prepared_state()
        records = tl.records
        table = table_order.get(mid, ())
        where = {id(t): i for i, t in enumerate(table)}
        order = [where[id(t)] for t in records]  # a KeyError: not the table's records (no entry is written)
        if order != list(range(len(order))):
            orders[str(p)] = json.dumps(order, separators=(",", ":"))
        flag = prepared
        count = 0
        if n:
            runs = tl.runs(n, ctx)
            if type(runs.cells) is bytes and type(runs.palette) is tuple:
                try:
                    place = {id(t): i for i, t in enumerate(records)}
                    text = _palette_out(runs, place, cat.instruments)
                except (_Unstorable, KeyError, ValueError, TypeError):
                    pass
                else:
                    if text is not None:
                        palettes[str(p)] = text
                    flag |= STORED
                    count = len(runs)
                    starts.extend(runs)
                    cells += runs.cells
        flags.append(flag)
        epochs.append(n)
        counts.append(count)
    return {"flags": _b64(bytes(flags)), "epochs": _b64(array("I", epochs)), "counts": _b64(array("I", counts)),
            "starts": _b64(starts), "cells": _b64(bytes(cells)), "orders": orders, "palettes": palettes}


class StoredRuns:
    """The runs section of a cache entry, read and checked for shape; restores a measure's runs on demand.

    The palettes and record orders stay JSON text (one string a measure, which the
    collector never walks) until their measure is first asked about.
    """

    __slots__ = ("_at", "_cells", "_epochs", "_flags", "_offsets", "_orders", "_palettes", "_starts")

    def __init__(self, section: Mapping[str, Any], measure_ids: Sequence[str]) -> None:
        n = len(measure_ids)
        self._flags = bytes(_unb64(section["flags"], "B", n))
        self._epochs = _unb64(section["epochs"], "I", n)
        counts = _unb64(section["counts"], "I", n)
        self._offsets = array("q", [0, *accumulate(counts)])
        total = self._offsets[-1]
        self._starts = _unb64(section["starts"], "i", total)
        self._cells = bytes(_unb64(section["cells"], "B", 6 * total))
        self._at = {mid: p for p, mid in enumerate(measure_ids)}
        self._orders = _texts(section["orders"], n)
        self._palettes = _texts(section["palettes"], n)
        if any(c and not f & STORED for c, f in zip(counts, self._flags)) or \
                any(not self._flags[p] & STORED for p in self._palettes):
            raise ValueError("runs for a measure without stored runs")

    def timeline(self, measure: Measure, tz: str, records: Any) -> Timeline:
        """The restored timeline of ``measure``: ``records`` (a lazy sequence in table order, with
        ``reordered``) put in canonical order, prepared as stored, its runs restored on first use."""
        p = self._at[measure.id]
        order = self._orders.get(p)
        if order is not None:
            got = json.loads(order)
            if type(got) is not list or sorted(got) != list(range(len(records))):
                raise ValueError("a malformed record order")
            records = records.reordered(got)
        flag = self._flags[p]
        return Timeline.restored(measure, tz, records, flag & ~STORED, self._epochs[p],
                                 self if flag & STORED else None)

    def timelines(self, measures: Mapping[str, Measure], tz_of: Mapping[str, str],
                  records_of: Mapping[str, Any]) -> dict[str, Timeline]:
        """:meth:`timeline` for every measure (by id, in the order of ``measures``), in one pass."""
        at, flags, epochs, orders = self._at, self._flags, self._epochs, self._orders
        if not all(f & PREPARED for f in flags):
            raise ValueError("a stored timeline that is not prepared")
        out = {}
        empty: tuple[Transition, ...] = ()
        for mid, m in measures.items():
            p = at[mid]
            if p in orders:
                out[mid] = self.timeline(m, tz_of.get(m.authority, "UTC"), records_of.get(mid, empty))
                continue
            flag = flags[p]
            out[mid] = Timeline(m, tz_of.get(m.authority, "UTC"), records_of.get(mid, empty), flag & ~STORED,
                                epochs[p], self if flag & STORED else None)
        return out

    def live_at(self, tl: Timeline, o: int) -> bool:
        """Whether ``tl``'s state on the day with ordinal ``o`` is in force, read from the stored runs
        (no runs, answers or records made)."""
        p = self._at[tl.measure.id]
        lo, hi = self._offsets[p], self._offsets[p + 1]
        i = bisect_right(self._starts, o, lo, hi)
        return i > lo and LIVE_OF_CODE[self._cells[6 * lo + i - lo - 1]] == 1

    def runs(self, tl: Timeline, ctx: AnswerContext) -> Runs | None:
        """``tl``'s latest runs as stored; None if they cannot be restored (the caller replays instead)."""
        p = self._at[tl.measure.id]
        lo, hi = self._offsets[p], self._offsets[p + 1]
        records = tl.deferred_records
        text = self._palettes.get(p)
        palette = bases = None
        if text is not None:
            try:  # its shape checked now: a malformed one means a replay, never a wrong or failed answer
                got, _ = _scan(text, 0)
                if type(got) is not list or len(got) != 5 or type(got[4]) is not list:
                    return None
                palette = _Palette(got, records, ctx.instruments)
                bases = dict(zip(got[4][0::2], got[4][1::2])) if got[4] else None
            except (ValueError, TypeError, LookupError, StopIteration):
                return None
        return Runs.restored(tl.measure, ctx.digest, self._starts[lo:hi], self._cells[6 * lo:6 * hi], palette,
                             records, ctx.knowledge, not tl.has_corrections, bases)


def _texts(section: Any, n: int) -> dict[int, str]:
    if type(section) is not dict:
        raise ValueError("a malformed runs section")
    out = {}
    for key, text in section.items():
        p = int(key)
        if not 0 <= p < n or type(text) is not str:
            raise ValueError("a malformed runs section")
        out[p] = text
    return out


class _Palette(dict):  # type: ignore[type-arg]
    """A restored measure's palette: place -> value (what :attr:`Runs.palette` holds by index).

    Read from the JSON data ``[tags, entries, relief rows, instrument ids, bases]``:
    one tag a place from 2 (``d`` an ``until`` day, ``r`` reliefs, ``p`` pending
    announcements, ``s`` a scope) and its entry (a day ordinal; relief rows;
    canonical record places; ``[program, targets]``); the distinct reliefs as
    four ints each (record place, instrument or -1, since and until ordinals, 0
    for none); and pairs (run, record place or -1) giving the record each run
    begun by no transition rests on (:attr:`Runs.bases`). Its shape is checked
    when the runs are restored (the values are believed, as the records' are:
    the entry is signed, and written by this engine); each entry is made when
    an answer first reads it, so an answer makes only the records it shows.
    """

    __slots__ = ("_entries", "_insts", "_made", "_records", "_rows", "_tags")

    def __init__(self, got: list[Any], records: Sequence[Transition], instruments: Mapping[str, Instrument]) -> None:
        super().__init__({0: None, 1: ()})
        tags, entries, rows, inst_ids, _ = got
        if type(tags) is not str or type(entries) is not list or len(tags) != len(entries) \
                or type(rows) is not list or len(rows) % 4 or type(inst_ids) is not list:
            raise ValueError("a malformed palette")
        self._tags = tags
        self._entries = entries
        self._rows = rows
        self._insts = [instruments[i] for i in inst_ids] if inst_ids else ()
        self._records = records
        self._made: list[Relief | None] | None = None  # one object a relief, as the replay shares them

    def __missing__(self, place: int) -> Any:
        tag, entry = self._tags[place - 2], self._entries[place - 2]
        value: Any
        if tag == "d":
            value = day_of(entry)
        elif tag == "s":
            value = (entry[0], tuple(entry[1]))
        elif tag == "p":
            records = self._records
            value = tuple(records[i] for i in entry)
        elif tag == "r":
            made, rows = self._made, self._rows
            if made is None:
                made = self._made = [None] * (len(rows) >> 2)
            out = []
            for k in entry:
                r = made[k]
                if r is None:
                    i, inst, since, until = rows[4 * k:4 * k + 4]
                    r = made[k] = Relief(self._records[i], None if inst < 0 else self._insts[inst], day_of(since),
                                         day_of(until) if until else None)
                out.append(r)
            value = tuple(out)
        else:
            raise ValueError(f"a palette entry tagged {tag!r}")
        self[place] = value
        return value
