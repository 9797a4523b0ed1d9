"""``sanctrack fetch``: download the official lists into a directory of dated snapshots.

The main CLI calls :func:`add_fetch_parser` with its subparsers and, for the
``fetch`` command, :func:`run_fetch`, which prints one line per list and returns the
exit code: 0 every list stored or unchanged, 1 a list could not be fetched (the
others are still fetched; one line on stderr each, nothing partial stored), 2 a
usage error::

    sanctrack fetch -o snapshots/                       # all four official lists
    sanctrack fetch un ofac-advanced -o snapshots/
    sanctrack fetch --url un=https://mirror.example/consolidated.xml -o snapshots/
    sanctrack fetch --config fetch.yaml                 # output:, urls:, timeout:, max_size:

A progress bar goes to stderr when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, TextIO

from . import fetch as _fetch

__all__ = ["add_fetch_parser", "run_fetch"]

_PROG = "sanctrack fetch"


class _Usage(Exception):
    """A fetch command line that cannot be run (exit code 2)."""


def add_fetch_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``fetch`` command to ``subparsers``."""
    names = ", ".join(_fetch.LISTS)
    p: argparse.ArgumentParser = subparsers.add_parser(
        "fetch",
        help="download the official lists into a directory of dated snapshots",
        description=(
            f"Download the official lists ({names})\n"
            "into DIR/<list>/<list>_<date>.<ext>, each with a <file>.json sidecar (publication date,\n"
            "sha256, size, URL, fetch time, ETag, Last-Modified). A list unchanged since its last\n"
            "snapshot is not stored again; nothing partial is ever stored."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Official URLs:\n" + "".join(f"  {s.name:14} {s.url}\n" for s in _fetch.LISTS.values())
        + "Exit codes: 0 stored or unchanged, 1 a list could not be fetched, 2 usage error.",
    )
    p.add_argument("lists", metavar="LIST", nargs="*",
                   help=f"the lists to fetch ({names}); default: those given with --url, else all")
    p.add_argument("-o", "--output", metavar="DIR", default=None,
                   help="the snapshot directory (created if its parent exists)")
    p.add_argument("--url", metavar="LIST=URL", action="append", default=[],
                   help="fetch LIST from URL instead of the official address; repeatable")
    p.add_argument("--config", metavar="FILE", default=None,
                   help="a YAML/JSON file with output, urls (list: URL), timeout, max_size; "
                   "options given on the command line win")
    p.add_argument("--timeout", metavar="SECONDS", default=None,
                   help=f"give up when no data arrives for this long (default {_fetch.DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-size", metavar="BYTES", default=None,
                   help="refuse a list larger than this (e.g. 500M, 2G; default 1G)")
    p.add_argument("--force", action="store_true",
                   help="download even if the server would answer 'not modified' (identical content is "
                   "still not stored twice)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    p.add_argument("--format", dest="fetch_format", choices=("table", "json"), default=None,
                   help="output: table (default) or json")
    return p


def run_fetch(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a parsed ``fetch`` command; print to ``out``/``err``; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        plan = _plan(args)
    except _Usage as exc:
        err.write(f"{_PROG}: error: {exc} (see 'sanctrack fetch --help')\n")
        return 2
    directory, lists, urls, timeout, max_size = plan
    created = False
    if not os.path.isdir(directory):
        parent = os.path.dirname(os.path.abspath(directory))
        if not os.path.isdir(parent):
            err.write(f"{_PROG}: error: cannot create {directory!r}: directory {parent!r} does not exist\n")
            return 2
        os.mkdir(directory)
        created = True
    show = not args.no_progress and _isatty(err)
    results: list[_fetch.FetchResult] = []
    failures: list[_fetch.FetchError] = []
    for name in lists:
        bar = _Bar(err, name) if show else None
        try:
            results.append(_fetch.fetch(name, directory, url=urls.get(name), timeout=timeout, max_size=max_size,
                                        force=args.force, progress=bar))
        except _fetch.FetchError as exc:
            failures.append(exc)
            if bar is not None:
                bar.finish()
            err.write(f"{_PROG}: error: {exc}\n")
            continue
        except ValueError as exc:  # an argument fetch refuses (the plan checks them first)
            failures.append(_fetch.FetchError(name, urls.get(name) or _fetch.LISTS[name].url, str(exc)))
            err.write(f"{_PROG}: error: {failures[-1]}\n")
            continue
        except OSError as exc:  # the local disk: full, read-only, permissions
            failures.append(_fetch.FetchError(name, urls.get(name) or _fetch.LISTS[name].url,
                                              f"cannot write: {exc.strerror or exc}: {exc.filename!r}"))
            if bar is not None:
                bar.finish()
            err.write(f"{_PROG}: error: {failures[-1]}\n")
            continue
        if bar is not None:
            bar.finish()
    if created and not os.listdir(directory):
        os.rmdir(directory)
    form = args.fetch_format or getattr(args, "format", None) or "table"
    if form == "json":
        json.dump(_json(directory, results, failures), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for r in results:
            out.write(_line(directory, r) + "\n")
    return 1 if failures else 0


def _plan(args: argparse.Namespace) -> tuple[str, list[str], dict[str, str], float, int]:
    for name in ("registry", "known"):
        if getattr(args, name, None) is not None:
            raise _Usage(f"--{name} does not apply to fetch: it downloads lists, it reads no registry")
    if getattr(args, "format", None) not in (None, "table", "json") and args.fetch_format is None:
        raise _Usage(f"invalid --format {args.format!r} for fetch: expected table or json")
    config = _config(args.config) if args.config else {}
    urls: dict[str, str] = dict(config.get("urls", {}))
    cli_urls: dict[str, str] = {}
    for item in args.url:
        name, sep, url = item.partition("=")
        if not sep or not url:
            raise _Usage(f"--url {item!r}: expected LIST=URL, e.g. un=https://host/consolidated.xml")
        cli_urls[_known(name.strip(), "--url")] = url.strip()
    urls.update(cli_urls)
    for name, url in urls.items():
        try:
            _fetch.check_url(name, url)
        except ValueError as exc:
            raise _Usage(str(exc)) from None
    lists = [_known(n, "list") for n in args.lists] or list(cli_urls) or list(_fetch.LISTS)
    lists = list(dict.fromkeys(lists))
    directory = args.output or config.get("output")
    if not directory:
        raise _Usage("the snapshot directory is required: -o DIR (or output: in --config)")
    timeout = _number(args.timeout if args.timeout is not None else config.get("timeout"), "--timeout",
                      _fetch.DEFAULT_TIMEOUT)
    max_size = _size(args.max_size if args.max_size is not None else config.get("max_size"))
    return str(directory), lists, urls, timeout, max_size


def _known(name: str, what: str) -> str:
    if name not in _fetch.LISTS:
        raise _Usage(f"unknown {what} {name!r}: expected one of {', '.join(_fetch.LISTS)}")
    return name


def _config(path: str) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
    except OSError as exc:
        raise _Usage(f"cannot read --config {path!r}: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise _Usage(f"{where}: not a valid YAML/JSON config: {' '.join(str(exc).split())[:200]}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise _Usage(f"{path}: expected a mapping with output, urls, timeout, max_size")
    unknown = sorted(set(map(str, doc)) - {"output", "urls", "timeout", "max_size"})
    if unknown:
        raise _Usage(f"{path}: unknown key {unknown[0]!r}: expected output, urls, timeout, max_size")
    urls = doc.get("urls") or {}
    if not isinstance(urls, dict) or not all(isinstance(v, str) for v in urls.values()):
        raise _Usage(f"{path}: urls must map a list name to a URL, e.g. 'un: https://host/consolidated.xml'")
    doc["urls"] = {_known(str(k), f"list in {path} urls:"): v for k, v in urls.items()}
    if "output" in doc and not isinstance(doc["output"], str):
        raise _Usage(f"{path}: output must be a directory path")
    return doc


def _number(value: Any, what: str, default: float) -> float:
    if value is None:
        return default
    try:
        n = float(value)
    except (TypeError, ValueError):
        raise _Usage(f"invalid {what} {value!r}: expected a number of seconds") from None
    if not n > 0 or n == float("inf"):
        raise _Usage(f"invalid {what} {value!r}: expected a positive number of seconds")
    return n


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _size(value: Any) -> int:
    if value is None:
        return _fetch.DEFAULT_MAX_SIZE
    text = str(value).strip().upper().removesuffix("B").removesuffix("I")
    unit = text[-1:] if text[-1:] in ("K", "M", "G") else ""
    digits = text[: len(text) - len(unit)].strip()
    if not digits.isdigit() or int(digits) == 0:
        raise _Usage(f"invalid --max-size {value!r}: expected a positive number of bytes, e.g. 500M or 2G")
    return int(digits) * _UNITS[unit]


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _rel(directory: str, path: str) -> str:
    return os.path.relpath(path, directory)


def _line(directory: str, r: _fetch.FetchResult) -> str:
    s = r.snapshot
    where = _rel(directory, s.path)
    if r.outcome == "not-modified":
        return f"{r.list}: not modified (HTTP 304) since {where}; nothing stored"
    if r.outcome == "unchanged":
        return f"{r.list}: unchanged (same sha256 as {where}); nothing stored"
    text = (f"{r.list}: stored {where} ({s.size:,} bytes, sha256 {s.sha256[:12]}, "
            f"published {s.published_date.isoformat()} per {s.published_from})")
    if s.published_from in ("Last-Modified", "Date", "fetched"):
        text += f"; the file states no date: {s.published_from} is the best date known"
    return text


def _json(directory: str, results: list[_fetch.FetchResult], failures: list[_fetch.FetchError]) -> dict[str, Any]:
    return {
        "command": "fetch",
        "directory": directory,
        "results": [
            {"list": r.list, "url": r.url, "outcome": r.outcome, "status": r.status,
             "path": _rel(directory, r.snapshot.path), **r.snapshot.sidecar()}
            for r in results
        ],
        "errors": [{"list": f.list, "url": f.url, "reason": f.reason} for f in failures],
    }


class _Bar:
    """A one-line progress bar on a terminal: redrawn at most ten times a second."""

    WIDTH = 28

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.shown = False
        self.last = 0.0
        self.state: tuple[int, int | None] = (0, None)

    def __call__(self, done: int, total: int | None) -> None:
        self.state = (done, total)
        now = time.monotonic()
        if now - self.last >= 0.1 or (total is not None and done >= total):
            self.last = now
            self._draw()

    def _draw(self) -> None:
        done, total = self.state
        if total:
            frac = min(done / total, 1.0)
            fill = int(frac * self.WIDTH)
            bar = "#" * fill + "-" * (self.WIDTH - fill)
            text = f"\r{self.label:14} [{bar}] {frac:4.0%} {done / 1e6:7.1f}/{total / 1e6:.1f} MB"
        else:
            text = f"\r{self.label:14} {done / 1e6:7.1f} MB"
        self.stream.write(text)
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """Draw the last state and end the line (nothing if nothing was drawn)."""
        if self.shown or self.state[0]:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
