"""``sanctrack screen PAIRS.{csv,parquet} -o OUT``: a file of questions through ``Registry.screen``.

The input has a ``target`` column (an entity id, name, alias or identifier, or a
measure id), a ``date`` column (``YYYY-MM-DD``, or ``date32`` in Parquet) and an
optional ``known`` column (the knowledge date; empty or null: as the registry
stands now); any other column is carried through. It is read in chunks
(``--chunk`` rows, 100,000 by default), so memory stays bounded whatever the
file's size, and each chunk is answered by :meth:`Registry.screen` (one call per
distinct ``known`` in the chunk).

The output is in the input's format (CSV in, CSV out; Parquet in, Parquet out),
one row per (question, measure in force), and one row with ``hit`` false and an
empty ``measure`` (null in Parquet) for a question with nothing in force, so every question is
there: ``row`` (the question's number in the input, from 1), the input's
columns, ``hit``, ``measure``, ``authority``, ``status``, ``licences``
(``;``-separated in CSV, a list in Parquet), ``digest``.

A bad row stops the run with its location (``file:line`` in CSV, ``file: row N``
in Parquet), the value and the expected shape; the output is written under a
temporary name and renamed into place at the end, so it is whole or absent. A
progress line goes to stderr when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import functools
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from ._errors import InputError, UnknownMeasure, UnknownTarget

__all__ = ["add_arguments", "run", "screen_file", "ANSWER_COLUMNS"]

#: The columns added to each input row (after ``row`` and the input's own columns).
ANSWER_COLUMNS = ("hit", "measure", "authority", "status", "licences", "digest")
_FORMATS = (".csv", ".parquet")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SHAPE = "expected a calendar date YYYY-MM-DD"


def add_arguments(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("pairs", metavar="PAIRS", help="a .csv or .parquet file with target, date[, known] columns")
    sp.add_argument("-o", "--output", metavar="OUT", required=True, help="the answers, in the input's format")
    sp.add_argument("--chunk", metavar="ROWS", type=int, default=100_000, help="rows per chunk (default 100000)")


def run(args: argparse.Namespace, out: TextIO, reg: Any, err: TextIO) -> int:
    """The ``screen`` command: check the arguments, screen the file, say what was written."""
    if getattr(args, "known", None) is not None:
        raise InputError("--known does not apply to screen: give each question its date in a 'known' column")
    if args.chunk < 1:
        raise InputError(f"--chunk {args.chunk}: expected a positive number of rows")
    progress = _Progress(err) if err.isatty() else None
    n, hits = screen_file(reg, args.pairs, args.output, chunk=args.chunk, progress=progress)
    out.write(f"screened {n:,} questions, {hits:,} with a measure in force: wrote {args.output}\n")
    return 0


def screen_file(reg: Any, src: str | os.PathLike[str], dest: str | os.PathLike[str], *, chunk: int = 100_000,
                progress: Callable[[int, float | None], None] | None = None) -> tuple[int, int]:
    """Screen the questions of ``src`` into ``dest`` (same format); return (questions, questions with a hit)."""
    src, dest = Path(src), Path(dest)
    kind = src.suffix.lower()
    if kind not in _FORMATS:
        raise InputError(f"{src}: expected a .csv or .parquet file of questions")
    if dest.suffix.lower() != kind:
        raise InputError(f"{dest}: the answers are written in the input's format: expected a {kind} file")
    if not src.is_file():
        raise InputError(f"{src}: no such file")
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"cannot write {str(dest)!r}: directory {str(parent)!r} does not exist")
    screener = _Screener(reg)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    try:
        if kind == ".csv":
            counts = _csv(screener, src, tmp, chunk, progress)
        else:
            counts = _parquet(screener, src, tmp, chunk, progress)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counts



def _line_of(src: Path, lines: list[int], i: int) -> str:
    """``file:line`` of the chunk's row ``i``."""
    return f"{src}:{lines[i]}"


def _row_of(where: Callable[[int], str], values: list[Any], value: Any) -> str:
    """Where the first row holding ``value`` is (for an error about that value)."""
    return where(values.index(value))

class _Screener:
    """Validates each chunk's questions (located errors) and answers them through ``Registry.screen``."""

    def __init__(self, reg: Any) -> None:
        self.reg = reg
        self.known_queries: set[str] = set()
        self.dates: dict[str, _dt.date] = {}

    def date(self, text: Any, where: Callable[[], str], column: str, optional: bool = False) -> _dt.date | None:
        if isinstance(text, _dt.date) and not isinstance(text, _dt.datetime):
            return text
        if text is None or text == "":
            if optional:
                return None
            raise InputError(f"{where()}: empty {column}: {_SHAPE}")
        d = self.dates.get(text) if isinstance(text, str) else None
        if d is None:
            if not isinstance(text, str) or not _DATE.match(text):
                raise InputError(f"{where()}: {column} {text!r}: {_SHAPE}")
            try:
                d = _dt.date.fromisoformat(text)
            except ValueError:
                raise InputError(f"{where()}: {column} {text!r} is not a day of the calendar: {_SHAPE}") from None
            self.dates[text] = d
        return d

    def query(self, q: Any, where: Callable[[], str]) -> str:
        if q in self.known_queries:
            return str(q)
        if not isinstance(q, str) or not q.strip():
            raise InputError(f"{where()}: empty target: expected an entity id, name, alias or identifier, "
                             "or a measure id")
        try:
            self.reg.measure(q)
        except UnknownMeasure:
            try:
                self.reg.resolve(q)
            except UnknownTarget as exc:
                raise InputError(f"{where()}: target {q!r} is neither a measure nor a known target: {exc}") from None
        self.known_queries.add(q)
        return q

    def column(self, values: list[Any], where: Callable[[int], str], column: str, optional: bool = False
               ) -> list[Any]:
        """A chunk's column checked: each distinct value once; an error names the first row holding it."""
        if column == "target":
            for q in [q for q in dict.fromkeys(values) if q not in self.known_queries]:  # first seen, first
                self.query(q, functools.partial(_row_of, where, values, q))
            return values
        kinds = set(map(type, values))
        if kinds == {_dt.date} or (optional and kinds <= {_dt.date, type(None)}):
            return values
        memo = {v: self.date(v, functools.partial(_row_of, where, values, v), column, optional)
                for v in dict.fromkeys(values)}
        return list(map(memo.__getitem__, values))

    def answer(self, queries: Sequence[str], dates: Sequence[_dt.date], knowns: Sequence[_dt.date | None]
               ) -> list[tuple[Any, ...]]:
        """Per question, the states in force (one ``Registry.screen`` call per distinct known date)."""
        out: list[Any] = [None] * len(queries)
        groups: dict[_dt.date | None, list[int]] = {}
        for i, k in enumerate(knowns):
            groups.setdefault(k, []).append(i)
        for k, idx in groups.items():
            qs = [queries[i] for i in idx] if len(idx) < len(queries) else list(queries)
            ds = [dates[i] for i in idx] if len(idx) < len(queries) else list(dates)
            for i, states in zip(idx, self.reg.screen(qs, ds, known=k).states):
                out[i] = states
        return out


_NO_HIT: tuple[tuple[bool, str, str, str, list[str], str], ...] = ((False, "", "", "", [], ""),)


def _answer_rows(states: tuple[Any, ...]) -> Sequence[tuple[bool, str, str, str, list[str], str]]:
    if not states:
        return _NO_HIT
    return [(True, s.measure.id, s.measure.authority, str(s.status), [r.label for r in s.reliefs], s.digest)
            for s in states]


def _csv(sc: _Screener, src: Path, tmp: str, chunk: int,
         progress: Callable[[int, float | None], None] | None) -> tuple[int, int]:
    size = max(src.stat().st_size, 1)
    n = hits = 0
    with open(src, encoding="utf-8", newline="") as fh, open(tmp, "w", encoding="utf-8", newline="") as fo:
        done = [0]  # characters read (the file's bytes for ASCII), for the progress line

        def counted() -> Iterator[str]:
            for line in fh:
                done[0] += len(line)
                yield line

        reader = csv.reader(counted())
        header = next(reader, None)
        if header is None or "target" not in header or "date" not in header:
            raise InputError(f"{src}:1: header {','.join(header or [])!r}: expected a header with target and date "
                             "columns (and optionally known)")
        clash = sorted(set(header) & (set(ANSWER_COLUMNS) | {"row"}))
        if clash or len(set(header)) != len(header):
            raise InputError(f"{src}:1: header {','.join(header)!r}: expected distinct column names, none of "
                             f"row, {', '.join(ANSWER_COLUMNS)}")
        it, idate, iknown = header.index("target"), header.index("date"), (
            header.index("known") if "known" in header else None)
        writer = csv.writer(fo, lineterminator="\n")
        writer.writerow(["row", *header, *ANSWER_COLUMNS])
        while True:
            rows: list[list[str]] = []
            lines: list[int] = []
            width = len(header)
            for rec in reader:
                if len(rec) != width:
                    raise InputError(f"{src}:{reader.line_num}: {len(rec)} fields {','.join(rec)!r}: expected "
                                     f"{width} ({','.join(header)})")
                rows.append(rec)
                lines.append(reader.line_num)
                if len(rows) == chunk:
                    break
            if not rows:
                break

            where = functools.partial(_line_of, src, lines)

            qs = sc.column([r[it] for r in rows], where, "target")
            ds = sc.column([r[idate] for r in rows], where, "date")
            ks = (sc.column([r[iknown] for r in rows], where, "known", optional=True) if iknown is not None
                  else [None] * len(rows))
            for rec, states in zip(rows, sc.answer(qs, ds, ks)):
                n += 1
                hits += bool(states)
                for hit, m, a, st, lics, dg in _answer_rows(states):
                    writer.writerow([n, *rec, "true" if hit else "false", m, a, st, ";".join(lics), dg])
            if progress is not None:
                progress(n, min(done[0] / size, 0.999) if done[0] < size else 1.0)
    if progress is not None:
        progress(n, 1.0)
    return n, hits


def _parquet(sc: _Screener, src: Path, tmp: str, chunk: int,
             progress: Callable[[int, float | None], None] | None) -> tuple[int, int]:
    from .exports._arrow import _pyarrow

    pa = _pyarrow()
    try:
        pf = pa.parquet.ParquetFile(src)
    except Exception as exc:  # pyarrow's own errors: not a Parquet file
        raise InputError(f"{src}: not a readable Parquet file ({' '.join(str(exc).split())})") from None
    names = pf.schema_arrow.names
    if "target" not in names or "date" not in names:
        raise InputError(f"{src}: columns {', '.join(names)}: expected target and date columns (and optionally known)")
    clash = sorted(set(names) & (set(ANSWER_COLUMNS) | {"row"}))
    if clash:
        raise InputError(f"{src}: columns {', '.join(clash)}: expected none named row, {', '.join(ANSWER_COLUMNS)}")
    total = max(pf.metadata.num_rows, 1)
    schema = pa.schema([pa.field("row", pa.int64()), *pf.schema_arrow,
                        pa.field("hit", pa.bool_()), pa.field("measure", pa.string()),
                        pa.field("authority", pa.string()), pa.field("status", pa.string()),
                        pa.field("licences", pa.list_(pa.string())), pa.field("digest", pa.string())],
                       metadata={"sanctrack.digest": sc.reg.digest})
    n = hits = 0
    with pa.parquet.ParquetWriter(tmp, schema) as writer:
        for batch in pf.iter_batches(batch_size=chunk):
            targets = batch.column("target").to_pylist()
            dates = batch.column("date").to_pylist()
            knowns = batch.column("known").to_pylist() if "known" in names else [None] * len(targets)

            def where(i: int, n: int = n) -> str:
                return f"{src}: row {n + i + 1}"

            qs = sc.column(targets, where, "target")
            ds = sc.column(dates, where, "date")
            ks = sc.column(knowns, where, "known", optional=True)
            take: list[int] = []
            cols: list[list[Any]] = [[] for _ in ANSWER_COLUMNS]
            rownums: list[int] = []
            for j, states in enumerate(sc.answer(qs, ds, ks)):
                hits += bool(states)
                for ans in _answer_rows(states):
                    take.append(j)
                    rownums.append(n + j + 1)
                    for c, v in zip(cols, ans):
                        c.append(None if v == "" else v)  # no hit: null measure, authority, status, digest
            n += len(qs)
            kept = batch.take(pa.array(take, type=pa.int64()))
            arrays = [pa.array(rownums, type=pa.int64()), *kept.columns,
                      *(pa.array(c, type=schema.field(name).type) for c, name in zip(cols, ANSWER_COLUMNS))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            if progress is not None:
                progress(n, n / total)
    return n, hits


class _Progress:
    """One self-overwriting line on a terminal: questions done, share of the file, rate."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.start = time.perf_counter()
        self.done = False

    def __call__(self, n: int, share: float | None) -> None:
        if self.done:
            return
        rate = n / max(time.perf_counter() - self.start, 1e-9)
        pct = f" {share:6.1%}" if share is not None else ""
        self.err.write(f"\rscreen:{pct} {n:,} questions, {rate:,.0f}/s")
        if share is not None and share >= 1.0:
            self.err.write("\n")
            self.done = True
        self.err.flush()


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run it as: sanctrack screen PAIRS -o OUT")
