"""``sanctrack import {ofac-advanced,eu-fsf,un,ftm} …`` and ``… --history DIR``.

One option set for every list format: files (one: what it dates by itself; two or
more: the changes between consecutive copies) or ``--history DIR``, ``--program``,
``--old-date/--new-date`` for files without a date of their own, ``-o DIR``
(``--beside``), ``--compare [REGISTRY]`` and ``--format table|json``. Exit codes: 0
ok, 1 bad input / a refused write or comparison, 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sanctrack import Transition

    from ._compare import Agreement
    from ._records import ListImport
    from ._write import WriteReport

__all__ = ["add_list_parsers", "run_list"]

_HELP = {
    "ofac-advanced": "OFAC Advanced XML (SDN_ADVANCED schema): EntryEvent dates as effective",
    "eu-fsf": "EU Financial Sanctions File XML (1.0 legacy or 1.1): regulation dates as effective",
    "un": "UN Security Council Consolidated List XML: LISTED_ON as effective",
    "ftm": "OpenSanctions FollowTheMoney entities or delta files: Sanction startDate/endDate",
}


def add_list_parsers(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add one subcommand per XML/JSON list format to the ``import`` subparsers."""
    for kind, text in _HELP.items():
        p = kinds.add_parser(kind, help=text, description=(
            f"{text}. One FILE: the transitions it dates by itself. Two or more copies (oldest "
            "first): the changes between them, dated by the list where it dates them, else by the "
            "window (previous copy + 1 day, this copy). --history DIR folds every copy in DIR."))
        p.add_argument("files", metavar="FILE", nargs="*", help="snapshot files, oldest first")
        p.add_argument("--history", metavar="DIR", help="fold every dated copy in DIR into one history")
        p.add_argument("--old-date", help="date of the first FILE where it has none of its own (YYYY-MM-DD)")
        p.add_argument("--new-date", help="date of the last FILE where it has none of its own (YYYY-MM-DD)")
        p.add_argument("--program", default=argparse.SUPPRESS, help="keep only entries of this programme")
        p.add_argument("-o", "--output", metavar="DIR", help="write the import as a registry directory")
        p.add_argument("--beside", action="store_true",
                       help="where DIR has hand-curated files, write the import to DIR/imported/")
        p.add_argument("--compare", nargs="?", const="", metavar="REGISTRY",
                       help="compare with a curated registry, by identifier (default: the bundled one)")
        p.add_argument("--min-ratio", type=float, default=0.5,
                       help="refuse a copy with fewer than this share of the previous one's entries "
                       "(default 0.5: a cut-off file is not a mass delisting)")
        p.add_argument("--format", dest="import_format", choices=("table", "json"), default=None,
                       help="output format (default: table)")
        p.set_defaults(import_run=lambda a, o, e, _k=kind: run_list(a, o, e, kind=_k))


def run_list(args: argparse.Namespace, out: TextIO, err: TextIO, *, kind: str) -> int:
    """Run one list import; print; return the exit code."""
    from sanctrack import SanctrackError

    from ._run import import_files, import_history
    from ._write import write_registry

    files = list(getattr(args, "files", None) or [])
    history = getattr(args, "history", None)
    program = getattr(args, "program", None)
    name = f"sanctrack import {kind}"
    if bool(files) == bool(history):
        print(f"{name}: give FILE(s) or --history DIR (one of them)", file=err)
        return 2
    form = args.import_format or getattr(args, "format", None) or "table"
    if form not in ("table", "json"):
        print(f"{name}: --format must be table or json, not {form!r}", file=err)
        return 2
    ratio = getattr(args, "min_ratio", 0.5)
    try:
        if history:
            imported = import_history(kind, history, program=program, min_ratio=ratio)
        else:
            dates: list[Any] = [None] * len(files)
            if getattr(args, "old_date", None):
                dates[0] = args.old_date
            if getattr(args, "new_date", None):
                if len(files) < 2:
                    print(f"{name}: --new-date needs two files or more (use --old-date for one)", file=err)
                    return 2
                dates[-1] = args.new_date
            imported = import_files(kind, files, dates=dates, program=program, min_ratio=ratio)
        imported.registry()  # the records must build before anything is written
        report = None
        if args.output:
            report = write_registry(imported, args.output, on_conflict="beside" if args.beside else "refuse")
        comparison = None
        if args.compare is not None:
            comparison = _compare(imported, args.compare or getattr(args, "registry", None) or "bundled")
    except (ValueError, LookupError, OSError, SanctrackError) as exc:
        print(f"{name}: {' '.join(str(exc).split())}", file=err)
        return 1
    except ImportError as exc:
        print(f"{name}: a module is missing: {exc}", file=err)
        return 1
    if form == "json":
        json.dump(_json(imported, report, comparison), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _table(imported, report, comparison, out)
    return 0


def _compare(imported: ListImport, against: str) -> tuple[Agreement, ...]:
    import sanctrack

    from ._compare import compare_registries
    from ._records import LISTS

    curated = sanctrack.load() if against == "bundled" else sanctrack.load(against)
    return compare_registries(imported.registry(), curated, authority=LISTS[imported.list].authority.code)


def _when(t: Transition) -> str:
    if t.effective_window:
        return f"in [{t.effective_window[0]}, {t.effective_window[1]}]"
    return f"on {t.effective}"


def _table(imported: ListImport, report: WriteReport | None, comparison: Sequence[Agreement] | None,
           out: TextIO) -> None:
    for s in imported.snapshots:
        ops = f", ops {', '.join(f'{k} {v}' for k, v in s.ops.items())}" if s.ops else ""
        print(f"{s.name}: {s.list}, {s.date}, {len(s)} entries, sha256 {s.sha256[:12]}{ops}", file=out)
    counts: dict[str, int] = {}
    for t in imported.transitions:
        counts[str(t.action)] = counts.get(str(t.action), 0) + 1
    scope = f" (programme {imported.program})" if imported.program else ""
    print(f"{len(imported.transitions)} transition(s){scope}: "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())), file=out)
    by_measure = {m.id: m for m in imported.measures}
    for t in imported.transitions:
        m = by_measure[t.measure]
        detail = "; ".join(f"{f}: {a} -> {b}" for f, a, b in t.changes) if t.changes else ""
        print(f"  {t.action:8} {t.measure} {_when(t)} [{t.confidence}] {m.title}"
              + (f" ({detail})" if detail else ""), file=out)
    if report is not None:
        print(f"wrote {report.directory}: {len(report.written)} file(s) written, "
              f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
              f"{len(report.beside)} beside in imported/, {len(report.candidates)} candidate(s)", file=out)
    if comparison is not None:
        print(f"comparison with the curated registry: {len(comparison)} transition(s)", file=out)
        for a in comparison:
            print(f"  {a}", file=out)


def _json(imported: ListImport, report: WriteReport | None, comparison: Sequence[Agreement] | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "list": imported.list,
        "program": imported.program,
        "snapshots": [{"file": s.path, "date": s.date.isoformat(), "sha256": s.sha256, "entries": len(s),
                       **({"ops": dict(s.ops)} if s.ops else {})} for s in imported.snapshots],
        "transitions": [
            {"id": t.id, "measure": t.measure, "action": str(t.action),
             "effective": t.effective.isoformat() if t.effective else None,
             "effective_window": [d.isoformat() for d in t.effective_window] if t.effective_window else None,
             "recorded": t.recorded.isoformat(), "confidence": str(t.confidence),
             "changes": {f: [a, b] for f, a, b in t.changes} if t.changes else None}
            for t in imported.transitions
        ],
    }
    if report is not None:
        doc["written"] = {"directory": report.directory, "written": list(report.written),
                          "unchanged": list(report.unchanged), "beside": list(report.beside),
                          "removed": list(report.removed),
                          "candidates": [c.identifier for c in report.candidates]}
    if comparison is not None:
        from ._compare import verdicts_json

        doc["comparison"] = verdicts_json(comparison)
    return doc
