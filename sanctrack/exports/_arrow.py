"""The interval table as Arrow: Parquet files, Arrow IPC files, partitioned datasets.

The same rows and columns as the CSV interval table (:func:`interval_rows`),
typed: dates are ``date32``, booleans are booleans, ``version`` is ``int32``,
the ``;``-separated lists (targets, licences, pending announcements) are
``list<string>`` columns, and every other column is a string (``null`` where the
CSV has an empty field). The table is built from :data:`INTERVAL_COLUMNS`
generically: a column added to the interval table comes through as a string,
or with the type named for it in :data:`ARROW_KINDS`.

The file's key-value metadata holds ``sanctrack.digest`` (the registry digest),
``sanctrack.as_of`` (the date the export was made as of, passed in: nothing
here reads the clock), ``sanctrack.known`` (the knowledge date of the view
exported, empty for everything recorded) and ``sanctrack.version``.

Needs the ``arrow`` extra (pyarrow); imported only when asked for.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import InputError
from ._intervals import INTERVAL_COLUMNS, interval_rows

if TYPE_CHECKING:
    from .._registry import Registry

__all__ = ["ARROW_KINDS", "ARROW_FORMATS", "interval_table", "write_intervals_arrow", "arrow_rows_as_text",
           "METADATA_KEYS"]

#: How a column of the interval table is typed in Arrow; a column not named here is a string.
ARROW_KINDS: Mapping[str, str] = {
    "target_ids": "list",
    "target_names": "list",
    "relief_instruments": "list",
    "relief_transitions": "list",
    "pending": "list",
    "in_force": "bool",
    "uncertain": "bool",
    "valid_from": "date",
    "valid_to": "date",
    "recorded_from": "date",
    "recorded_to": "date",
    "version": "int32",
    "as_of": "date",
    "scheduled": "bool",
    "projected_from": "date",
}
#: The file formats :func:`write_intervals_arrow` writes.
ARROW_FORMATS = ("parquet", "arrow")
#: The keys of the file's key-value metadata.
METADATA_KEYS = ("sanctrack.digest", "sanctrack.as_of", "sanctrack.known", "sanctrack.version")

_SEP = ";"


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.dataset
        import pyarrow.feather
        import pyarrow.parquet
    except ImportError:
        raise InputError("the Parquet and Arrow exports need pyarrow: pip install 'sanctrack[arrow]'") from None
    return pyarrow


def _type(pa: Any, kind: str) -> Any:
    return {"list": pa.list_(pa.string()), "bool": pa.bool_(), "date": pa.date32(), "int32": pa.int32(),
            "string": pa.string()}[kind]


def _convert(kind: str, texts: list[str]) -> list[Any]:
    if kind == "list":
        return [t.split(_SEP) if t else [] for t in texts]
    if kind == "bool":
        return [t == "true" for t in texts]
    if kind == "date":
        return [_dt.date.fromisoformat(t) if t else None for t in texts]
    if kind == "int32":
        return [int(t) for t in texts]
    return [t if t else None for t in texts]


def interval_table(reg: Registry, *, as_of: _dt.date, rows: Iterable[Mapping[str, str]] | None = None) -> Any:
    """The interval table of ``reg`` as a typed ``pyarrow.Table`` with the metadata above.

    ``as_of`` is the date the export is made as of (the CLI passes today's date): a lapse
    after it is written as scheduled (see :func:`interval_rows`).
    ``rows`` defaults to :func:`interval_rows` of ``reg``.
    """
    pa = _pyarrow()
    if not isinstance(as_of, _dt.date) or isinstance(as_of, _dt.datetime):
        raise TypeError(f"as_of must be a datetime.date, not {type(as_of).__name__}")
    cols: dict[str, list[str]] = {c: [] for c in INTERVAL_COLUMNS}
    for row in (interval_rows(reg, as_of) if rows is None else rows):
        for c in INTERVAL_COLUMNS:
            cols[c].append(row[c])
    kinds = {c: ARROW_KINDS.get(c, "string") for c in INTERVAL_COLUMNS}
    known = getattr(reg, "known", None)
    from .. import __version__

    metadata = {"sanctrack.digest": reg.digest, "sanctrack.as_of": as_of.isoformat(),
                "sanctrack.known": known.isoformat() if known else "", "sanctrack.version": __version__}
    schema = pa.schema([pa.field(c, _type(pa, kinds[c])) for c in INTERVAL_COLUMNS], metadata=metadata)
    arrays = [pa.array(_convert(kinds[c], cols[c]), type=_type(pa, kinds[c])) for c in INTERVAL_COLUMNS]
    return pa.Table.from_arrays(arrays, schema=schema)


def arrow_rows_as_text(table: Any) -> list[dict[str, str]]:
    """A typed interval table back as the CSV's text rows (the inverse of the typing; for checks)."""
    out = []
    for rec in table.to_pylist():
        row = {}
        for c, v in rec.items():
            if v is None:
                row[c] = ""
            elif isinstance(v, bool):
                row[c] = "true" if v else "false"
            elif isinstance(v, list):
                row[c] = _SEP.join(v)
            elif isinstance(v, _dt.date):
                row[c] = v.isoformat()
            else:
                row[c] = str(v)
        out.append(row)
    return out


def write_intervals_arrow(reg: Registry, path: str | os.PathLike[str], *, as_of: _dt.date, format: str = "parquet",
                          partition_by: str | None = None) -> int:
    """Write the interval table to ``path`` as Parquet or an Arrow IPC file; return the row count.

    With ``partition_by="authority"`` ``path`` is a directory holding a Hive-partitioned
    dataset (``authority=EU/part-0.parquet`` …) that DuckDB, Spark, Polars and pyarrow
    read as one table. The output appears whole or not at all: it is written
    beside ``path`` under a temporary name and renamed into place.
    """
    pa = _pyarrow()
    if format not in ARROW_FORMATS:
        raise InputError(f"unknown format {format!r}: expected one of {', '.join(ARROW_FORMATS)}")
    if partition_by not in (None, "authority"):
        raise InputError(f"cannot partition by {partition_by!r}: expected 'authority'")
    dest = Path(path)
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist")
    if partition_by is not None and dest.exists():
        raise InputError(f"cannot write the partitioned dataset to {str(path)!r}: it exists "
                         "(expected a new directory)")
    table = interval_table(reg, as_of=as_of)
    if partition_by is None:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent)
        os.close(fd)
        try:
            if format == "parquet":
                pa.parquet.write_table(table, tmp)
            else:
                pa.feather.write_feather(table, tmp, compression="uncompressed")
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return int(table.num_rows)
    tmpdir = tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent)
    try:
        pa.dataset.write_dataset(
            table, tmpdir, format="parquet" if format == "parquet" else "ipc",
            partitioning=pa.dataset.partitioning(pa.schema([table.schema.field(partition_by)]), flavor="hive"),
            basename_template="part-{i}." + ("parquet" if format == "parquet" else "arrow"),
            existing_data_behavior="error")
        os.rename(tmpdir, dest)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    return int(table.num_rows)
