"""The interval table: one row per (measure, state run), bitemporal.

Every measure's history is replayed once per *knowledge epoch* (the distinct
``recorded`` dates of its transitions). Each state run of epoch *k* is a row
whose ``recorded_from`` is the epoch's date and whose ``recorded_to`` is the
next epoch's date (empty for the last epoch). A run that is identical in
consecutive epochs is written once, its knowledge interval spanning them all,
so the table stays small while staying exact:

* ``valid_from <= d AND (valid_to IS NULL OR d < valid_to) AND recorded_to IS NULL``
  gives ``Registry.state(measure, d)`` for every measure that exists on ``d``;
* adding ``recorded_from <= y AND (recorded_to IS NULL OR y < recorded_to)``
  (instead of ``recorded_to IS NULL``) gives ``Registry.state(measure, d, known=y)``.

Facts and projections: the table is made *as of* a date ``as_of`` (the CLI
passes today's date; by default the registry's knowledge date, its latest
``recorded``, or the view's date). The *fact horizon* is the earlier of ``as_of``
and the registry's knowledge date: an as-of date after the registry's last record
does not turn what it only schedules into fact. A run that begins after the
horizon by a scheduled lapse (an ``until``) has not happened yet: its ``status`` is written
``expired (scheduled)`` (``in_force (scheduled)`` when a licence's lapse is
scheduled), never ``expired``, and ``scheduled`` is ``true``. ``projected_from``
is the first day of the row that lies after the horizon (empty if none): an
answer read from the row for a day on or after it is a projection, which later
records may change. ``as_of`` is repeated on every row.

Both intervals are half-open, like everything in sanctrack. Before a measure's
first run there is no row: the measure did not exist. One exception: inside an
``effective_window`` that brackets the first ``impose``, the measure *may* have
existed; that run is a row with an empty ``status``, ``in_force`` false and
``uncertain`` true (filter ``status <> ''`` to leave it out).
"""

from __future__ import annotations

import csv
import datetime as _dt
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from .._model import MeasureState

if TYPE_CHECKING:
    from .._registry import Registry

__all__ = ["INTERVAL_COLUMNS", "interval_rows", "write_intervals_csv"]

#: The columns of the interval table, in order.
INTERVAL_COLUMNS: tuple[str, ...] = (
    "measure",
    "authority",
    "program",
    "kind",
    "target_ids",
    "target_names",
    "status",
    "in_force",
    "relief_instruments",
    "relief_transitions",
    "pending",
    "valid_from",
    "valid_to",
    "recorded_from",
    "recorded_to",
    "version",
    "transition",
    "cause",
    "confidence",
    "uncertain",
    "digest",
    "as_of",
    "scheduled",
    "projected_from",
)

_SEP = ";"
_I_VALID_FROM = INTERVAL_COLUMNS.index("valid_from")
_I_VERSION = INTERVAL_COLUMNS.index("version")


def _iso(d: _dt.date | None) -> str:
    return "" if d is None else d.isoformat()


def _row(reg: Registry, s: MeasureState, names: dict[str, str], as_of: _dt.date | None,
         horizon: _dt.date | None) -> tuple[str, ...]:
    m = s.measure
    t = s.transition
    start, end = s.valid.start, s.valid.end
    scheduled = horizon is not None and s.cause == "lapse" and start is not None and start > horizon
    status = "" if s.status is None else str(s.status) + (" (scheduled)" if scheduled else "")
    projected_from: _dt.date | None = None
    if horizon is not None and horizon < _dt.date.max:
        first = horizon + _dt.timedelta(days=1)
        if start is not None and start > first:
            first = start
        if end is None or first < end:
            projected_from = first
    return (
        m.id,
        m.authority,
        s.program or "",
        m.kind,
        _SEP.join(s.targets),
        _SEP.join(names.get(e, e) for e in s.targets),
        status,
        "true" if s.in_force else "false",
        _SEP.join(r.label for r in s.reliefs),
        _SEP.join(r.transition.id for r in s.reliefs),
        _SEP.join(p.id for p in s.pending),
        _iso(s.valid.start),
        _iso(s.valid.end),
        "",  # recorded_from, filled in below
        "",  # recorded_to
        str(s.version),
        t.id if t is not None else "",
        s.cause,
        str(t.confidence) if t is not None else "",
        "true" if s.uncertain else "false",
        s.digest,
        _iso(as_of),
        "true" if scheduled else "false",
        _iso(projected_from),
    )


def interval_rows(reg: Registry, as_of: _dt.date | None = None) -> Iterator[dict[str, str]]:
    """The interval table of a registry (or of an ``as_known_on`` view), as dicts of text.

    Rows come by measure id, then ``recorded_from``, then ``valid_from``.
    Empty text means "none" (an open ``valid_to``/``recorded_to``, no program…).
    ``as_of`` is the date the table is made as of (default: the registry's
    knowledge date); a run that begins after it by a lapse is written as
    scheduled (see the module docstring). The core never reads the clock: a
    caller that wants "today" passes it.
    """
    knowledge = reg.knowledge  # None only for a registry with no transition (and then no row)
    if as_of is None:
        as_of = knowledge
    elif isinstance(as_of, _dt.datetime) or not isinstance(as_of, _dt.date):
        raise TypeError(f"as_of must be a datetime.date, got {as_of!r}")
    # the fact horizon: an as-of date after what the registry knows makes nothing after its
    # knowledge date a fact (the EU's February renewals are not known until they happen)
    horizon = min(as_of, knowledge) if as_of is not None and knowledge is not None else as_of
    names = {e.id: e.name for e in reg.entities}
    epochs_of: dict[str, set[_dt.date]] = {}
    for t in reg.transitions:
        epochs_of.setdefault(t.measure, set()).add(t.recorded)
    i_from = INTERVAL_COLUMNS.index("recorded_from")
    for m in reg.measures:
        epochs = sorted(epochs_of.get(m.id, ()))
        open_rows: dict[tuple[str, ...], _dt.date] = {}  # row -> recorded_from, insertion-ordered
        closed: list[tuple[tuple[str, ...], _dt.date, _dt.date | None]] = []
        for e in epochs:
            rows = [_row(reg, s, names, as_of, horizon) for s in reg.history(m.id, known=e).versions]
            now = set(rows)
            for row in list(open_rows):
                if row not in now:
                    closed.append((row, open_rows.pop(row), e))
            for row in rows:
                if row not in open_rows:
                    open_rows[row] = e
        closed.extend((row, start, None) for row, start in open_rows.items())
        closed.sort(key=lambda x: (x[1], x[0][_I_VALID_FROM], int(x[0][_I_VERSION])))
        for row, rec_from, rec_to in closed:
            out = list(row)
            out[i_from] = rec_from.isoformat()
            out[i_from + 1] = _iso(rec_to)
            yield dict(zip(INTERVAL_COLUMNS, out))


def write_intervals_csv(reg: Registry, out: IO[str], as_of: _dt.date | None = None) -> int:
    """Write the interval table as CSV (header first) to a text stream; return the row count.

    ``as_of``: see :func:`interval_rows`.
    """
    w = csv.DictWriter(out, fieldnames=INTERVAL_COLUMNS, lineterminator="\n")
    w.writeheader()
    n = 0
    for row in interval_rows(reg, as_of):
        w.writerow(row)
        n += 1
    return n
