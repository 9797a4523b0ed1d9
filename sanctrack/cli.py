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
import os
import sys
from typing import Any, Callable, Sequence, TextIO, cast

from ._cli_common import FILTERS, PROG, NothingFound, UsageError, load_registry, opt
from ._cli_queries import (cmd_changes, cmd_compare, cmd_deals, cmd_diff, cmd_explain, cmd_history, cmd_in_force,
                           cmd_state)
from ._cli_registry import cmd_export, cmd_timeline, cmd_validate
from ._cli_registry import export_as_of as export_as_of  # importable from here, as before
from ._errors import (InputError, InvalidDate, RegistryError, SanctrackError, UnknownFilter, UnknownMeasure,
                      UnknownRecord, UnknownTarget)

__all__ = ["build_parser", "main", "UsageError", "NothingFound"]


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are exceptions (one line, exit 2) instead of usage dumps."""

    def error(self, message: str) -> Any:
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

    sp = cmd("in-force", cmd_in_force, "measures in force on a date")
    sp.add_argument("date", metavar="DATE")
    sp = cmd("state", cmd_state, "the state of one measure on a date")
    sp.add_argument("measure", metavar="MEASURE")
    sp.add_argument("date", metavar="DATE")
    sp = cmd("history", cmd_history, "every version of one measure, oldest first")
    sp.add_argument("measure", metavar="MEASURE")
    sp = cmd("changes", cmd_changes, "transitions effective in [FROM, TO)")
    sp.add_argument("start", metavar="FROM")
    sp.add_argument("end", metavar="TO")
    sp = cmd("diff", cmd_diff, "measures whose state differs between two dates")
    sp.add_argument("a", metavar="A")
    sp.add_argument("b", metavar="B")
    sp = cmd("explain", cmd_explain, "the chain of transitions and sources behind a state")
    sp.add_argument("measure", metavar="MEASURE")
    sp.add_argument("date", metavar="DATE")
    sp = cmd("compare", cmd_compare, "one target across authorities on a date")
    sp.add_argument("compare_target", metavar="TARGET")
    sp.add_argument("date", metavar="DATE")
    cmd("deals", cmd_deals, "releases and the transitions linked to them")
    sp = cmd("validate", cmd_validate, "check a registry and print its digest")
    sp.add_argument("path", metavar="PATH", nargs="?", default=None)
    sp.add_argument("-v", "--verbose", action="store_true", help="also say whether the load cache is used, and why not")
    sp = cmd("export", cmd_export, "the interval table (csv, parquet, arrow), the whole registry (json) or FtM (ftm)")
    sp.add_argument("-o", "--output", metavar="FILE", default=None, help="write here instead of stdout")
    sp.add_argument("--as-of", dest="as_of", metavar="DATE", default=None,
                    help="the date the interval table or FtM export is made as of (default: today): a lapse "
                         "after it is written as scheduled, never as expired")
    sp.add_argument("--partition-by", dest="partition_by", metavar="COLUMN", default=None, choices=("authority",),
                    help="parquet/arrow: write a dataset directory partitioned by authority")
    from ._screen_file import add_arguments as _screen_arguments, run as _screen_run
    _screen_arguments(cmd("screen", lambda a, o: _screen_run(a, o, load_registry(a), sys.stderr),
                          "screen a .csv/.parquet file of (target, date[, known]) questions, in chunks"))
    sp = cmd("timeline", cmd_timeline, "a self-contained HTML/SVG timeline")
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


# -- options a command would ignore ---------------------------------------------

_FILTERED = frozenset({"in-force", "changes", "diff", "timeline"})


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options a command would silently ignore."""
    if args.command in _FILTERED or args.command == "import":
        return
    for name in FILTERS:
        if opt(args, name) is not None:
            raise UsageError(f"--{name} does not apply to {args.command}: filters work with "
                             f"{', '.join(sorted(_FILTERED))}")
    if args.command == "export" and opt(args, "known") is not None and opt(args, "format") == "json":
        raise UsageError("--known does not apply to export --format json: the export is the whole registry "
                         "(load it with --registry FILE.json and ask with --known)")


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
        code = _run(argv, out if out is not None else cast(TextIO, _ClosedStream()), err)
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
