"""Exports: the registry as flat tables and documents other tools read.

* :func:`interval_rows` / :func:`write_intervals_csv` — the *interval table*:
  one row per (measure, state run, knowledge interval), for DuckDB, Spark or a
  spreadsheet (see ``docs/scale-out.md``);
  :func:`write_intervals_arrow` / :func:`interval_table` — the same table typed, as
  Parquet or Arrow files or a dataset partitioned by authority (the ``arrow`` extra).
* :func:`dump_json` / :func:`load_json` — the whole registry as one JSON
  document; loading it back gives a registry with the same digest
  (see ``docs/json.md``).
* :func:`ftm_entities` / :func:`write_ftm` — FollowTheMoney ``Sanction``
  entities as JSON lines as of a date, for OpenSanctions users (see
  ``docs/ftm.md``).

Exports read a :class:`sanctrack.Registry` and write text; they never change it.
"""

from __future__ import annotations

from ._arrow import ARROW_KINDS, interval_table, write_intervals_arrow
from ._ftm import AUTHORITY_ID_SCHEMES, FTM_SANCTION_PROPERTIES, ftm_entities, write_ftm
from ._intervals import INTERVAL_COLUMNS, interval_rows, write_intervals_csv
from ._json import JSON_FORMAT, JSON_FORMAT_VERSION, dump_json, load_json, registry_document

__all__ = [
    "INTERVAL_COLUMNS",
    "interval_rows",
    "write_intervals_csv",
    "ARROW_KINDS",
    "interval_table",
    "write_intervals_arrow",
    "JSON_FORMAT",
    "JSON_FORMAT_VERSION",
    "registry_document",
    "dump_json",
    "load_json",
    "AUTHORITY_ID_SCHEMES",
    "FTM_SANCTION_PROPERTIES",
    "ftm_entities",
    "write_ftm",
]
