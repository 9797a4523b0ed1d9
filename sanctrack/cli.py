"""The ``sanctrack`` command line: a thin shell over the public API.

``build_parser()`` builds the argparse parser, ``main(argv) -> int`` runs one
command and returns its exit code, and :func:`_run` is the one place where
exceptions become exit codes:

====  ============================================================
0     ok
1     nothing found (no measure in force, unknown measure/target), or an
      invalid registry (every problem listed, one per line)
2     usage error: bad date, unknown option, missing registry path
70    internal error (a bug): one line, never a traceback
====  ============================================================

Global options (``--registry``, ``--known``, ``--format``, ``--authority``,
``--target``, ``--kind``, ``--program``) are accepted before or after the
subcommand.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from . import _format as fmt
from ._errors import (InputError, InvalidDate, RegistryError, SanctrackError, UnknownFilter, UnknownMeasure,
                      UnknownRecord, UnknownTarget)
from ._time import parse_date, parse_when

__all__ = ["build_parser", "main", "UsageError", "NothingFound"]

PROG = "sanctrack"
FORMATS = ("table", "json", "csv")


class UsageError(SanctrackError, ValueError):
    """A command line that cannot be run as given (exit code 2)."""


class NothingFound(SanctrackError, LookupError):
    """A query with an empty answer (exit code 1); the answer is still printed."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are exceptions (one line, exit 2) instead of usage dumps."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        # an argument with a line break (or another control character) must not break the one-line message
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        raise UsageError(f"{message} (see '{self.prog} --help')")


# -- parser ------------------------------------------------------------------


def _global_options(p: argparse.ArgumentParser, *, sub: bool) -> None:
    d = argparse.SUPPRESS if sub else None
    g = p.add_argument_group("global options")
    g.add_argument("--registry", metavar="PATH", default=d,
                   help="registry directory or JSON export (default: the bundled Belarus registry)")
    g.add_argument("--known", metavar="DATE", default=d,
                   help="answer as the registry stood on DATE (knowledge time, YYYY-MM-DD)")
    g.add_argument("--format", dest="format", metavar="FORMAT", default=d,
                   help="output: table (default), json or csv; export also takes ftm, parquet, arrow")
    g.add_argument("--authority", metavar="CODE", default=d, help="only measures of this authority (e.g. US-OFAC)")
    g.add_argument("--target", metavar="TARGET", default=d,
                   help="only measures against this target (entity id, name, alias or identifier)")
    g.add_argument("--kind", metavar="KIND", default=d, help="only measures of this kind (e.g. blocking)")
    g.add_argument("--program", metavar="PROGRAM", default=d, help="only measures of this program")
    g.add_argument("--allow-unverified", action="store_true", default=d,
                   help="load a JSON export (--registry FILE.json) even if its digest is missing or wrong")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sanctrack`` command."""
    from . import __version__

    p = _Parser(prog=PROG, description="Ask how sanctions changed over time: as-of queries on a sanctrack registry.",
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="Dates are YYYY-MM-DD, or aware instants such as 2021-06-05T00:00+02:00.\n"
                       "Global options go before or after the command.\n"
                       "Exit codes: 0 ok, 1 nothing found or invalid registry, 2 usage error.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _global_options(p, sub=False)
    subs = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, func: Callable[..., int], help: str) -> argparse.ArgumentParser:
        sp = subs.add_parser(name, help=help, description=help)
        _global_options(sp, sub=True)
        sp.set_defaults(func=func)
        return sp

    sp = cmd("in-force", _cmd_in_force, "measures in force on a date")
    sp.add_argument("date", metavar="DATE")
    sp = cmd("state", _cmd_state, "the state of one measure on a date")
    sp.add_argument("measure", metavar="MEASURE")
    sp.add_argument("date", metavar="DATE")
    sp = cmd("history", _cmd_history, "every version of one measure, oldest first")
    sp.add_argument("measure", metavar="MEASURE")
    sp = cmd("changes", _cmd_changes, "transitions effective in [FROM, TO)")
    sp.add_argument("start", metavar="FROM")
    sp.add_argument("end", metavar="TO")
    sp = cmd("diff", _cmd_diff, "measures whose state differs between two dates")
    sp.add_argument("a", metavar="A")
    sp.add_argument("b", metavar="B")
    sp = cmd("explain", _cmd_explain, "the chain of transitions and sources behind a state")
    sp.add_argument("measure", metavar="MEASURE")
    sp.add_argument("date", metavar="DATE")
    sp = cmd("compare", _cmd_compare, "one target across authorities on a date")
    sp.add_argument("compare_target", metavar="TARGET")
    sp.add_argument("date", metavar="DATE")
    cmd("deals", _cmd_deals, "releases and the transitions linked to them")
    sp = cmd("validate", _cmd_validate, "check a registry and print its digest")
    sp.add_argument("path", metavar="PATH", nargs="?", default=None)
    sp.add_argument("-v", "--verbose", action="store_true", help="also say whether the load cache is used, and why not")
    sp = cmd("export", _cmd_export, "the interval table (csv, parquet, arrow), the whole registry (json) or FtM (ftm)")
    sp.add_argument("-o", "--output", metavar="FILE", default=None, help="write here instead of stdout")
    sp.add_argument("--as-of", dest="as_of", metavar="DATE", default=None,
                    help="the date the interval table or FtM export is made as of (default: today): a lapse "
                         "after it is written as scheduled, never as expired")
    sp.add_argument("--partition-by", dest="partition_by", metavar="COLUMN", default=None, choices=("authority",),
                    help="parquet/arrow: write a dataset directory partitioned by authority")
    from ._screen_file import add_arguments as _screen_arguments, run as _screen_run
    _screen_arguments(cmd("screen", lambda a, o: _screen_run(a, o, _load(a), sys.stderr),
                          "screen a .csv/.parquet file of (target, date[, known]) questions, in chunks"))
    sp = cmd("timeline", _cmd_timeline, "a self-contained HTML/SVG timeline")
    sp.add_argument("--from", dest="start", metavar="A", default=None)
    sp.add_argument("--to", dest="end", metavar="B", default=None)
    sp.add_argument("-o", "--output", metavar="FILE", required=True, help="the HTML file to write")
    sp.add_argument("--as-of", dest="as_of", metavar="DATE", default=None,
                    help="the date the page is made for, marked by a line (default: today); later periods are "
                         "drawn as projections")

    from .server._cli import add_parsers  # `serve` and `verify-receipt` (serving needs the `server` extra)

    add_parsers(cmd)

    from ._fetch_cli import add_fetch_parser, run_fetch

    add_fetch_parser(subs).set_defaults(func=lambda args, out: run_fetch(args, out, sys.stderr))
    try:  # the importers register their own `import` command when they are installed
        from .importers import add_import_parser, run_import
    except ImportError:  # pragma: no cover - the CLI works without them
        pass
    else:
        add_import_parser(subs).set_defaults(func=lambda args, out: run_import(args, out, sys.stderr))
    return p


# -- helpers -------------------------------------------------------------------


def _opt(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def _when(text: str) -> _dt.date | _dt.datetime:
    return parse_when(text)


def _load(args: argparse.Namespace, path: str | None = None) -> Any:
    import sanctrack

    path = path if path is not None else _opt(args, "registry")
    if path is None:
        reg = sanctrack.load()
    else:
        p = Path(path)
        if not p.exists():
            raise UsageError(f"registry path {path!r} does not exist: expected a registry directory "
                             "or a JSON export (.json)")
        if p.is_file():
            if p.suffix.lower() != ".json":
                raise UsageError(f"registry path {path!r} is a file but not a JSON export: expected a registry "
                                 "directory or a JSON export (.json)")
            from .exports import load_json

            reg = load_json(p, allow_unverified=bool(_opt(args, "allow_unverified")))
        else:
            reg = sanctrack.load(str(p))
    known = _opt(args, "known")
    if known is not None:
        reg = reg.as_known_on(parse_date(known))
    return reg


def _format(args: argparse.Namespace, allowed: Sequence[str] = FORMATS, default: str = "table") -> str:
    f = _opt(args, "format")
    if f is None:
        f = default
    if f not in allowed:
        raise UsageError(f"invalid --format {f!r} for {args.command}: expected one of {', '.join(allowed)}")
    return f


def _query(args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    q: dict[str, Any] = dict(extra)
    q["known"] = _opt(args, "known")
    for name in ("authority", "target", "kind", "program"):
        if _opt(args, name) is not None:
            q[name] = _opt(args, name)
    return q


_FILTERS = ("authority", "target", "kind", "program")
_FILTERED = frozenset({"in-force", "changes", "diff", "timeline"})


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {k: _opt(args, k) for k in _FILTERS}


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options a command would silently ignore."""
    if args.command in _FILTERED or args.command == "import":
        return
    for name in _FILTERS:
        if _opt(args, name) is not None:
            raise UsageError(f"--{name} does not apply to {args.command}: filters work with "
                             f"{', '.join(sorted(_FILTERED))}")
    if args.command == "export" and _opt(args, "known") is not None and _opt(args, "format") == "json":
        raise UsageError("--known does not apply to export --format json: the export is the whole registry "
                         "(load it with --registry FILE.json and ask with --known)")


def _iso(value: Any) -> str:
    return value.isoformat()


def _emit(out: TextIO, args: argparse.Namespace, reg: Any, f: str, *, query: dict[str, Any], result: Any,
          table: Callable[[], str], csv: Callable[[], str]) -> None:
    if f == "json":
        out.write(fmt.dumps(fmt.envelope(reg, args.command, query, result)))
    elif f == "csv":
        out.write(csv())
    else:
        out.write(table())


# -- commands --------------------------------------------------------------------


def _cmd_in_force(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    on = _when(args.date)
    reg = _load(args)
    states = reg.in_force(on, **_filters(args))
    _emit(out, args, reg, f, query=_query(args, on=_iso(on)), result=[fmt.state_doc(reg, s) for s in states],
          table=lambda: (fmt.state_table(reg, states) if states else "")
          + fmt.footer(reg, f"{len(states)} in force on {_iso(on)}"),
          csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, (fmt.state_row(reg, s) for s in states)))
    if not states:
        raise NothingFound(f"no measure in force on {_iso(on)} matches the query")
    return 0


def _cmd_state(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    on = _when(args.date)
    reg = _load(args)
    s = reg.state(args.measure, on)
    _emit(out, args, reg, f, query=_query(args, measure=args.measure, on=_iso(on)), result=fmt.state_doc(reg, s),
          table=lambda: fmt.state_block(reg, s, on),
          csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, [fmt.state_row(reg, s)]))
    if not s.exists:
        raise NothingFound(f"measure {args.measure!r} did not exist on {_iso(on)}")
    return 0


def _cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    reg = _load(args)
    h = reg.history(args.measure)

    def table() -> str:
        rows = [(str(s.version), _iso(s.valid.start), _iso(s.valid.end) if s.valid.end else "open", fmt.status_text(s),
                 fmt.licences_text(s), fmt.cause_text(reg, s), fmt.instrument_label(reg, s)) for s in h.versions]
        text = fmt.table(("V", "FROM", "TO", "STATUS", "LICENCES", "CAUSE", "INSTRUMENT"), rows, flex=(4, 6))
        for sup in h.superseded:
            text += f"superseded: {sup.record.id} by {sup.by.id}\n"
        return text + fmt.footer(reg, f"{len(h.versions)} versions of {h.measure.id}")

    _emit(out, args, reg, f, query=_query(args, measure=args.measure), result=fmt.history_doc(reg, h),
          table=table, csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, (fmt.state_row(reg, s) for s in h.versions)))
    if not h.versions:
        raise NothingFound(f"measure {args.measure!r} has no effective transition yet")
    return 0


_CHANGE_COLUMNS = ("effective", "measure", "authority", "action", "transition", "instrument", "until",
                   "confidence", "recorded")


def _cmd_changes(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    a, b = parse_date(args.start), parse_date(args.end)
    if b < a:
        raise UsageError(f"TO {args.end!r} is before FROM {args.start!r}: expected FROM <= TO")
    reg = _load(args)
    ts = reg.changes(a, b, **_filters(args))

    def row(t: Any) -> dict[str, str]:
        return {"effective": _iso(t.effective), "measure": t.measure, "authority": reg.measure(t.measure).authority,
                "action": str(t.action), "transition": t.id,
                "instrument": fmt.label_of(reg, t.instrument), "until": _iso(t.until) if t.until else "",
                "confidence": str(t.confidence), "recorded": _iso(t.recorded)}

    def table() -> str:
        rows = [(r["effective"], r["measure"], r["action"], r["instrument"] or "—", r["until"] or "—",
                 r["confidence"]) for r in map(row, ts)]
        head = ("EFFECTIVE", "MEASURE", "ACTION", "INSTRUMENT", "UNTIL", "CONFIDENCE")
        return (fmt.table(head, rows, flex=(1, 3), keep=(1,))
                + fmt.footer(reg, f"{len(ts)} changes in [{_iso(a)}, {_iso(b)})"))

    _emit(out, args, reg, f, query=_query(args, start=_iso(a), end=_iso(b)),
          result=[fmt.transition_doc(reg, t) for t in ts], table=table,
          csv=lambda: fmt.csv_text(_CHANGE_COLUMNS, map(row, ts)))
    if not ts:
        raise NothingFound(f"no transition effective in [{_iso(a)}, {_iso(b)}) matches the query")
    return 0


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    a, b = _when(args.a), _when(args.b)
    reg = _load(args)
    cs = reg.diff(a, b, **_filters(args))

    def table() -> str:
        rows = [(c.measure.id, c.measure.authority, fmt.short_state(c.before), fmt.short_state(c.after)) for c in cs]
        return (fmt.table(("MEASURE", "AUTHORITY", f"ON {_iso(a)}", f"ON {_iso(b)}"), rows, flex=(0, 2, 3), keep=(0,))
                + fmt.footer(reg, f"{len(cs)} measures differ"))

    def csv() -> str:
        rows = [{"measure": c.measure.id, "authority": c.measure.authority,
                 "before_status": str(c.before.status or ""),
                 "before_licences": ";".join(r.label for r in c.before.reliefs),
                 "after_status": str(c.after.status or ""),
                 "after_licences": ";".join(r.label for r in c.after.reliefs)}
                for c in cs]
        return fmt.csv_text(("measure", "authority", "before_status", "before_licences", "after_status",
                             "after_licences"), rows)

    _emit(out, args, reg, f, query=_query(args, a=_iso(a), b=_iso(b)),
          result=[fmt.change_doc(reg, c) for c in cs], table=table, csv=csv)
    if not cs:
        raise NothingFound(f"no measure differs between {_iso(a)} and {_iso(b)}")
    return 0


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    on = _when(args.date)
    reg = _load(args)
    e = reg.explain(args.measure, on)

    def table() -> str:
        text = fmt.state_block(reg, e.state, on) + "\n"
        rows = [(_iso(st.transition.effective), str(st.transition.action),
                 st.instrument.label if st.instrument else "—", str(st.transition.confidence),
                 ", ".join(s.id for s in st.sources) or "—") for st in e.steps]
        text += fmt.table(("EFFECTIVE", "ACTION", "INSTRUMENT", "CONFIDENCE", "SOURCES"), rows, flex=(2, 4))
        for sup in e.superseded:
            text += f"superseded: {sup.record.id} by {sup.by.id}\n"
        seen: dict[str, Any] = {}
        for st in e.steps:
            for s in st.sources:
                seen.setdefault(s.id, s)
        for s in e.measure_sources:
            seen.setdefault(s.id, s)
        if seen:
            text += "\nsources:\n" + "".join(fmt.url_line(f"{k} {s.publisher}:", s.url) for k, s in seen.items())
        return text

    def csv() -> str:
        rows = [{"effective": _iso(st.transition.effective), "transition": st.transition.id,
                 "action": str(st.transition.action), "instrument": st.instrument.label if st.instrument else "",
                 "confidence": str(st.transition.confidence), "sources": ";".join(s.id for s in st.sources),
                 "urls": " ".join(s.url for s in st.sources)} for st in e.steps]
        return fmt.csv_text(("effective", "transition", "action", "instrument", "confidence", "sources", "urls"),
                            rows)

    _emit(out, args, reg, f, query=_query(args, measure=args.measure, on=_iso(on)),
          result=fmt.explanation_doc(reg, e), table=table, csv=csv)
    if not e.state.exists:
        raise NothingFound(f"measure {args.measure!r} did not exist on {_iso(on)}")
    return 0


def _cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    on = _when(args.date)
    reg = _load(args)
    c = reg.compare(args.compare_target, on)

    def table() -> str:
        yes = [a for a, flag in c.by_authority if flag]
        no = [a for a, flag in c.by_authority if not flag]
        head = fmt.block([("target", f"{c.target.name} ({c.target.id})"),
                          ("on", _iso(on) + (f" (as known on {reg.known})" if reg.known else "")),
                          ("verdict", "DIVERGENT: the authorities disagree" if c.divergent else "no divergence"),
                          ("in force", ", ".join(yes) or "none"),
                          ("not in force", ", ".join(no) or "none"),
                          *((p.authority, fmt.position_text(p)) for p in c.positions)])
        return head + "\n" + (fmt.state_table(reg, c.states) if c.states else "")

    result = fmt.compare_doc(reg, c)
    _emit(out, args, reg, f, query=_query(args, compare_target=args.compare_target, on=_iso(on)), result=result,
          table=table, csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, (fmt.state_row(reg, s) for s in c.states)))
    if not c.positions:
        raise NothingFound(f"no measure against {args.compare_target!r} existed on {_iso(on)}")
    return 0


def _cmd_deals(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args)
    reg = _load(args)
    deals = reg.deals()

    def rows() -> list[dict[str, str]]:
        out_rows = []
        for d in deals:
            r = d.release
            base = {"release": r.id, "date": _iso(r.date), "count": "" if r.count is None else str(r.count)}
            if not d.links:
                out_rows.append(dict(base, transition="", measure="", action="", effective="", basis=""))
            for lt in d.links:
                t = lt.transition
                action = f"{t.action} (announced)" if t.is_pending else str(t.action)
                out_rows.append(dict(base, transition=t.id, measure=t.measure, action=action,
                                     effective=_iso(t.when), basis=str(lt.link.basis)))
        return out_rows

    def table() -> str:
        return (fmt.deals_ledger(reg, deals)
                + fmt.footer(reg, f"{len(deals)} releases, {sum(d.release.count or 0 for d in deals)} people, "
                               f"{sum(len(d.links) for d in deals)} links"))

    _emit(out, args, reg, f, query=_query(args), result=[fmt.deal_doc(reg, d) for d in deals], table=table,
          csv=lambda: fmt.csv_text(("release", "date", "count", "transition", "measure", "action", "effective",
                                    "basis"), rows()))
    if not deals:
        raise NothingFound("the registry holds no release")
    return 0


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    f = _format(args, ("table", "json"))
    reg = _load(args, args.path)
    counts = {"measures": len(reg.measures), "transitions": len(reg.transitions), "releases": len(reg.releases),
              "links": len(reg.links), "entities": len(reg.entities), "sources": len(reg.sources)}
    if f == "json":
        out.write(fmt.dumps(fmt.envelope(reg, "validate", _query(args, path=args.path or _opt(args, "registry")),
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
    if _opt(args, "format") == "json":
        raise UsageError("--as-of does not apply to export --format json: the export is the whole registry")
    return parse_date(text)


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from . import exports

    f = _format(args, ("csv", "json", "ftm", "parquet", "arrow"), default="csv")
    as_of = export_as_of(args)
    if f in ("parquet", "arrow"):
        if args.output is None:
            raise UsageError(f"export --format {f} writes a file: give -o FILE (or -o DIR with --partition-by)")
        n = exports.write_intervals_arrow(_load(args), args.output, as_of=as_of, format=f,
                                          partition_by=args.partition_by)
        out.write(f"wrote {n:,} interval rows to {args.output} ({f}, as of {as_of.isoformat()})\n")
        return 0
    if args.partition_by is not None:
        raise UsageError("--partition-by applies to export --format parquet|arrow only")
    reg = _load(args)

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
        with _open_out(args.output) as fh:
            write(fh)
    return 0


def _open_out(path: str) -> TextIO:
    p = Path(path)
    if not p.parent.is_dir():
        raise UsageError(f"cannot write {path!r}: directory {str(p.parent)!r} does not exist")
    return open(p, "w", encoding="utf-8", newline="")


def _timeline_date(text: str) -> _dt.date:
    """A timeline bound: a date in years 0001-9998 (the axis runs to the year after its end)."""
    d = parse_date(text)
    if d.year > 9998:
        raise InvalidDate(text, "a calendar date YYYY-MM-DD", "out of range: a timeline ends by 9998-12-31")
    return d


def _cmd_timeline(args: argparse.Namespace, out: TextIO) -> int:
    from .timeline import render_html

    if _opt(args, "format") not in (None, "html"):
        raise UsageError("timeline writes HTML only: drop --format")
    start = _timeline_date(args.start) if args.start else None
    end = _timeline_date(args.end) if args.end else None
    if start and end and end <= start:
        raise UsageError(f"--to {args.end!r} is not after --from {args.start!r}: expected FROM < TO")
    reg = _load(args)
    html = render_html(reg, target=_opt(args, "target"), authority=_opt(args, "authority"),
                       kind=_opt(args, "kind"), program=_opt(args, "program"), start=start, end=end,
                       as_of=_timeline_date(args.as_of) if args.as_of else _dt.date.today())
    with _open_out(args.output) as fh:
        fh.write(html)
    out.write(f"wrote {args.output} ({len(html):,} bytes)\n")
    return 0


# -- the one place exceptions become exit codes ----------------------------------


def _run(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            err.write(f"{PROG}: error: a command is required (see '{PROG} --help')\n")
            return 2
        _check_options(args)
        return int(args.func(args, out) or 0)
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else 0
    except (UsageError, InvalidDate, InputError) as exc:
        err.write(f"{PROG}: error: {exc}\n")
        return 2
    except RegistryError as exc:
        n = len(exc.problems)
        err.write(f"{PROG}: error: invalid registry: {n} problem{'s' if n != 1 else ''}\n")
        for p in exc.problems:
            err.write(f"  {' '.join(str(p).split())}\n")
        return 1
    except NothingFound as exc:
        err.write(f"{PROG}: nothing found: {exc}\n")
        return 1
    except UnknownMeasure as exc:
        hint = "" if exc.hint else " (expected a measure id: 'sanctrack in-force DATE' lists them)"
        err.write(f"{PROG}: error: {exc}{hint}\n")
        return 1
    except UnknownFilter as exc:  # a typo in a filter is a usage error, never "nothing found"
        err.write(f"{PROG}: error: {' '.join(str(exc).split())}\n")
        return 2
    except (UnknownTarget, UnknownRecord) as exc:
        err.write(f"{PROG}: error: {' '.join(str(exc).split())}\n")
        return 2 if getattr(exc, "filter", False) else 1
    except BrokenPipeError:  # output piped into `head`
        return 0
    except _StdoutClosed:
        err.write(f"{PROG}: error: cannot write the answer: standard output is closed\n")
        return 1
    except KeyboardInterrupt:
        err.write(f"{PROG}: interrupted\n")
        return 130
    except SanctrackError as exc:
        err.write(f"{PROG}: error: {exc}\n")
        return 1
    except OSError as exc:
        err.write(f"{PROG}: error: {exc.strerror or exc}: {exc.filename!r}\n")
        return 1
    except Exception as exc:  # a bug: one line, never a traceback
        from . import __version__

        text = " ".join(str(exc).split())
        text = text if len(text) <= 300 else text[:300] + "…"
        err.write(f"{PROG}: internal error (sanctrack {__version__}; please report it): "
                  f"{type(exc).__name__}: {text}\n")
        return 70


class _ClosedStream:
    """Standard output when it was closed at start (``cmd >&-``): a write is an error, reported once."""

    def write(self, text: str) -> int:
        raise _StdoutClosed

    def flush(self) -> None:
        pass


class _StdoutClosed(Exception):
    pass


def _tolerant(stream: Any) -> Any:
    """A text stream that replaces the characters its encoding cannot write (``PYTHONIOENCODING=ascii``)."""
    if stream is None:
        return None
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError, AttributeError):  # pragma: no cover - a stream that cannot be changed
            pass
    return stream


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sanctrack`` command line; return the exit code."""
    out = _tolerant(sys.stdout)
    err = _tolerant(sys.stderr)
    if err is None:  # stderr closed too: messages go nowhere
        err = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    try:
        code = _run(argv, out if out is not None else _ClosedStream(), err)
    except _StdoutClosed:  # pragma: no cover - _run maps it; kept for safety
        code = 1
    try:
        if out is not None:
            out.flush()
    except (BrokenPipeError, OSError):  # output piped into `head`, or a closed descriptor
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # pragma: no cover
            pass
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
