"""The commands about a whole registry: ``validate`` (check it, print its digest), ``export``
(the interval table, the JSON export, FtM, Parquet/Arrow) and ``timeline`` (an HTML page).

``export`` and ``timeline`` make their output as of a date, today's unless ``--as-of`` says
otherwise: the one place the command line reads the clock.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from typing import TextIO

from . import _format as fmt
from ._cli_common import UsageError, load_registry, open_out, opt, output_format, query_of
from ._errors import InvalidDate
from ._time import parse_date

__all__ = ["cmd_validate", "cmd_export", "cmd_timeline", "export_as_of"]


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """``validate [PATH]``: check a registry and print its counts and digest."""
    f = output_format(args, ("table", "json"))
    reg = load_registry(args, args.path)
    counts = {"measures": len(reg.measures), "transitions": len(reg.transitions), "releases": len(reg.releases),
              "links": len(reg.links), "entities": len(reg.entities), "sources": len(reg.sources)}
    if f == "json":
        out.write(fmt.dumps(fmt.envelope(reg, "validate", query_of(args, path=args.path or opt(args, "registry")),
                                         dict(valid=True, **counts))))
    else:
        what = ", ".join(f"{n} {k}" for k, n in counts.items())
        out.write(f"ok: registry {reg.info.name!r}{' version ' + reg.info.version if reg.info.version else ''}\n"
                  f"{what}\ndigest {reg.digest}\n")
    if getattr(args, "verbose", False):
        from . import _cache

        _on, why = _cache.status()
        (out if f != "json" else sys.stderr).write(f"cache: {why}\n")
    return 0


def export_as_of(args: argparse.Namespace) -> _dt.date:
    """The ``--as-of`` date of an export: the date given, else today's (the one place the clock is read)."""
    text = getattr(args, "as_of", None)
    if text is None:
        return _dt.date.today()
    if opt(args, "format") == "json":
        raise UsageError("--as-of does not apply to export --format json: the export is the whole registry")
    return parse_date(text)


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """``export``: the interval table (csv, parquet, arrow), the whole registry (json) or FtM."""
    from . import exports

    f = output_format(args, ("csv", "json", "ftm", "parquet", "arrow"), default="csv")
    as_of = export_as_of(args)
    if f in ("parquet", "arrow"):
        if args.output is None:
            raise UsageError(f"export --format {f} writes a file: give -o FILE (or -o DIR with --partition-by)")
        n = exports.write_intervals_arrow(load_registry(args), args.output, as_of=as_of, format=f,
                                          partition_by=args.partition_by)
        out.write(f"wrote {n:,} interval rows to {args.output} ({f}, as of {as_of.isoformat()})\n")
        return 0
    if args.partition_by is not None:
        raise UsageError("--partition-by applies to export --format parquet|arrow only")
    reg = load_registry(args)

    def write(stream: TextIO) -> None:
        if f == "csv":
            exports.write_intervals_csv(reg, stream, as_of)
        elif f == "json":
            exports.dump_json(reg, stream)
        else:
            exports.write_ftm(reg, stream, as_of=as_of)

    if args.output is None:
        write(out)
    else:
        with open_out(args.output) as fh:
            write(fh)
    return 0


def _timeline_date(text: str) -> _dt.date:
    """A timeline bound: a date in years 0001-9998 (the axis runs to the year after its end)."""
    d = parse_date(text)
    if d.year > 9998:
        raise InvalidDate(text, "a calendar date YYYY-MM-DD", "out of range: a timeline ends by 9998-12-31")
    return d


def cmd_timeline(args: argparse.Namespace, out: TextIO) -> int:
    """``timeline -o FILE``: a self-contained HTML/SVG timeline."""
    from .timeline import render_html

    if opt(args, "format") not in (None, "html"):
        raise UsageError("timeline writes HTML only: drop --format")
    start = _timeline_date(args.start) if args.start else None
    end = _timeline_date(args.end) if args.end else None
    if start and end and end <= start:
        raise UsageError(f"--to {args.end!r} is not after --from {args.start!r}: expected FROM < TO")
    reg = load_registry(args)
    html = render_html(reg, target=opt(args, "target"), authority=opt(args, "authority"),
                       kind=opt(args, "kind"), program=opt(args, "program"), start=start, end=end,
                       as_of=_timeline_date(args.as_of) if args.as_of else _dt.date.today())
    with open_out(args.output) as fh:
        fh.write(html)
    out.write(f"wrote {args.output} ({len(html):,} bytes)\n")
    return 0
