"""``sanctrack import …``: the command-line shell around the importers.

The main CLI calls :func:`add_import_parser` with its subparsers and, for the
``import`` command, :func:`run_import` with the parsed arguments; ``run_import``
prints and returns the exit code (0 ok; 1 bad input, a conflict or a refused
comparison; 2 a usage error). It never lets a traceback out for an expected error.

    sanctrack import ofac-sdn OLD NEW --old-date 2024-05-03 --new-date 2026-08-20 \\
        --program BELARUS-EO14038 -o imported/ --compare
    sanctrack import compare imported/ --entity ofac:44541     # against the bundled registry
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

__all__ = ["add_import_parser", "run_import"]


def add_import_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``import`` command (with its ``ofac-sdn`` subcommand) to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="import official list snapshots as dated transitions",
        description="Turn dated copies of an official list into the transitions between them.",
    )
    kinds = parser.add_subparsers(dest="import_kind", metavar="KIND")
    kinds.required = True
    sdn = kinds.add_parser(
        "ofac-sdn",
        help="diff two OFAC SDN list copies (sdn.csv or the uid,name,type,programs CSV)",
        description=(
            "Diff two dated copies of the OFAC SDN list by uid: added -> impose, removed -> "
            "lift, program/name/type changed -> amend, each effective in (old date, new date]. "
            "Without -o, print the changes; with -o DIR, write them as a registry."
        ),
    )
    sdn.add_argument("old", metavar="OLD", nargs="?", help="the older snapshot file")
    sdn.add_argument("new", metavar="NEW", nargs="?", help="the newer snapshot file")
    sdn.add_argument("--history", metavar="DIR",
                     help="fold every dated sdn.csv copy in DIR into one history (instead of OLD NEW)")
    sdn.add_argument("--old-date", help="date of OLD (YYYY-MM-DD, or an instant like 2021-08-18T0939Z); "
                     "default: the date in its file name")
    sdn.add_argument("--new-date", help="date of NEW (same forms); default: the date in its file name")
    sdn.add_argument("--program", default=argparse.SUPPRESS,  # the global --program counts too
                     help="keep only parties with this program tag, e.g. BELARUS-EO14038")
    sdn.add_argument("-o", "--output", metavar="DIR", help="write the import as a registry directory")
    sdn.add_argument("--beside", action="store_true",
                     help="where DIR has hand-curated files, write the import as a registry of "
                     "its own in DIR/imported/ instead of refusing")
    sdn.add_argument("--effective", metavar="DATE",
                     help="the known date the changes took effect (inside the window): "
                     "confidence 'reported' instead of 'inferred'")
    sdn.add_argument("--compare", nargs="?", const="", metavar="REGISTRY",
                     help="compare with a curated registry directory, entity by entity, by "
                     "identifier (no REGISTRY: --registry if given, else the bundled one)")
    sdn.add_argument("--entity", metavar="IDENTIFIER", action="append",
                     help="compare only this identifier (e.g. ofac:44541; implies --compare); "
                     "repeatable")
    sdn.add_argument("--min-ratio", type=float, default=0.5,
                     help="refuse NEW with fewer than this share of OLD's entries (default 0.5)")
    sdn.add_argument("--format", dest="import_format", choices=("table", "json"), default=None,
                     help="output format (default: table)")
    sdn.set_defaults(import_run=_run_ofac_sdn)

    from ._list_cli import add_list_parsers

    add_list_parsers(kinds)

    cmp_ = kinds.add_parser(
        "compare",
        help="compare an imported registry with a curated one, entity by entity",
        description=(
            "For every transition of an imported registry whose entity the curated registry "
            "also has (same identifier, e.g. ofac:44541): agree (the curated date lies in the "
            "imported window), disagree, or missing."
        ),
    )
    cmp_.add_argument("imported", metavar="IMPORTED", help="the imported registry directory")
    cmp_.add_argument("--against", metavar="REGISTRY",
                      help="the curated registry (default: --registry if given, else the bundled one)")
    cmp_.add_argument("--entity", metavar="IDENTIFIER", action="append",
                      help="only this identifier (e.g. ofac:44541); repeatable")
    cmp_.add_argument("--format", dest="import_format", choices=("table", "json"), default=None,
                      help="output format (default: table)")
    cmp_.set_defaults(import_run=_run_compare)
    return parser


def run_import(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a parsed ``import`` command; print to ``out``/``err``; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    run = getattr(args, "import_run", None)
    if run is None:
        print("sanctrack import: choose a kind: ofac-sdn, ofac-advanced, eu-fsf, un, ftm or compare", file=err)
        return 2
    return int(run(args, out, err))


def _run_ofac_sdn(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sanctrack import SanctrackError

    from ._sdn_diff import diff_snapshots
    from ._sdn_read import read_snapshot, snapshot_date_from_name
    from ._sdn_records import import_diffs
    from ._write import write_registry

    if args.history or args.old is None or args.new is None:
        if args.history and (args.old or args.new):
            print("sanctrack import ofac-sdn: give OLD NEW or --history DIR, not both", file=err)
            return 2
        if not args.history and args.old is None:
            print("sanctrack import ofac-sdn: give OLD NEW (two copies), one copy, or --history DIR", file=err)
            return 2
        from ._list_cli import run_list

        args.files = [args.old] if args.old else []  # one copy: what it tells by itself

        return run_list(args, out, err, kind="ofac-sdn")
    try:
        old_date = args.old_date or snapshot_date_from_name(args.old)
        new_date = args.new_date or snapshot_date_from_name(args.new)
        for flag, value in (("--old-date", old_date), ("--new-date", new_date)):
            if value is None:
                print(f"sanctrack import ofac-sdn: {flag} is required (no date in the file name)", file=err)
                return 2
        try:
            effective = None
            if args.effective:
                from sanctrack import parse_date

                effective = parse_date(args.effective)
            old_snap = read_snapshot(args.old, old_date)
            new_snap = read_snapshot(args.new, new_date)
        except OSError as exc:
            print(f"sanctrack import ofac-sdn: {exc.filename or ''}: {exc.strerror or exc}", file=err)
            return 1
        program = getattr(args, "program", None)
        diff = diff_snapshots(old_snap, new_snap, program=program, min_ratio=args.min_ratio)
        imported = import_diffs([diff], effective=effective)
        report = None
        if args.output:
            report = write_registry(
                imported, args.output, on_conflict="beside" if args.beside else "refuse"
            )
        if report is not None and report.candidates:
            report = _with_candidate_verdicts(report, imported, args.output)
        comparison = None
        if args.compare is not None or args.entity:
            against = args.compare or getattr(args, "registry", None) or "bundled"
            comparison = _compare(imported, against, args.entity)
    except (ValueError, LookupError, OSError, SanctrackError) as exc:
        print(f"sanctrack import ofac-sdn: {exc}", file=err)
        return 1
    except ImportError as exc:  # the registry loader is a separate module
        print(f"sanctrack import ofac-sdn: cannot load the registry to compare with: {exc}", file=err)
        return 1
    form = args.import_format or getattr(args, "format", None) or "table"
    if form not in ("table", "json"):
        print(f"sanctrack import ofac-sdn: --format must be table or json, not {form!r}", file=err)
        return 2
    if form == "json":
        json.dump(_json(diff, report, comparison), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _table(diff, report, comparison, out)
    return 0


def _run_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import sanctrack
    from sanctrack import SanctrackError

    from ._compare import compare_entity, compare_registries

    against = args.against or getattr(args, "registry", None) or "bundled"
    try:
        imported = sanctrack.load(args.imported)
        curated = sanctrack.load() if against == "bundled" else sanctrack.load(against)
        if args.entity:
            verdicts = tuple(a for i in args.entity for a in compare_entity(imported, curated, i))
        else:
            verdicts = compare_registries(imported, curated)
    except (ValueError, LookupError, OSError, SanctrackError, ImportError) as exc:
        message = " ".join(str(exc).split())
        print(f"sanctrack import compare: {message}", file=err)
        return 1
    form = args.import_format or getattr(args, "format", None) or "table"
    if form == "json":
        from ._compare import verdicts_json

        json.dump({"comparison": verdicts_json(verdicts)}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif form == "table":
        print(f"{args.imported} against {'the bundled registry' if against == 'bundled' else against}: "
              f"{len(verdicts)} transition(s)", file=out)
        for a in verdicts:
            print(f"  {a}", file=out)
    else:
        print(f"sanctrack import compare: --format must be table or json, not {form!r}", file=err)
        return 2
    if not verdicts:
        print("sanctrack import compare: nothing found: no entity of the import is in the curated registry",
              file=err)
        return 1
    return 0


def _with_candidate_verdicts(report: Any, imported: Any, directory: str) -> Any:
    """Attach to each candidate how the curated registry in ``directory`` sees it.

    Best effort: a directory that does not load as a registry gives no verdicts.
    """
    import attrs

    import sanctrack

    from ._compare import compare_entity

    try:
        curated = sanctrack.load(directory)
    except Exception:
        return report
    reg = imported.registry()
    cands = tuple(
        attrs.evolve(c, verdicts=compare_entity(reg, curated, c.identifier)) for c in report.candidates
    )
    return attrs.evolve(report, candidates=cands)


def _compare(imported: Any, against: str, entities: list[str] | None) -> tuple[Any, ...]:
    import sanctrack

    from ._compare import compare_entity, compare_registries

    curated = sanctrack.load() if against == "bundled" else sanctrack.load(against)
    reg = imported.registry()
    if entities:
        return tuple(a for ident in entities for a in compare_entity(reg, curated, ident))
    return compare_registries(reg, curated)


def _window_text(diff: Any) -> str:
    lo, hi = diff.window
    return f"[{lo}, {hi}]"


def _table(diff: Any, report: Any, comparison: Any, out: TextIO) -> None:
    old, new = diff.old, diff.new
    scope = f", program {diff.program}" if diff.program else ""
    print(f"{old.name} ({old.date}, {len(old)} entries, sha256 {old.sha256[:12]})", file=out)
    print(f"  -> {new.name} ({new.date}, {len(new)} entries, sha256 {new.sha256[:12]}){scope}", file=out)
    print(
        f"{len(diff.added)} added (impose), {len(diff.removed)} removed (lift), "
        f"{len(diff.amended)} amended; effective window {_window_text(diff)}",
        file=out,
    )
    for c in diff.changes:
        detail = "; ".join(f"{f.field}: {f.old} -> {f.new}" for f in c.fields)
        programs = "; ".join(sorted(c.entry.programs))
        line = f"  {c.action:6} ofac:{c.uid:<6} {c.entry.name} [{programs}]"
        print(line + (f"  ({detail})" if detail else ""), file=out)
    if report is not None:
        print(f"wrote {report.directory}: {len(report.written)} file(s) written, "
              f"{len(report.unchanged)} unchanged, {len(report.removed)} removed", file=out)
        if report.beside:
            print(f"  {len(report.beside)} file(s) written beside the curated registry, in "
                  f"{report.directory}/imported/ (a registry of its own, to merge by hand)", file=out)
        for cand in report.candidates:
            acts = ", ".join(f"{t.action} {t.effective}" for t in cand.transitions)
            print(f"  candidate (curated entity {cand.curated_entity}, not written): "
                  f"{cand.identifier} {cand.measure}: {acts}", file=out)
            for verdict in cand.verdicts:
                print(f"    {verdict.verdict}: {verdict.imported.action}: {verdict.detail}", file=out)
    if comparison is not None:
        print(f"comparison with the curated registry: {len(comparison)} transition(s)", file=out)
        for a in comparison:
            print(f"  {a}", file=out)


def _json(diff: Any, report: Any, comparison: Any) -> dict[str, Any]:
    from ._compare import verdicts_json

    def snap(s: Any) -> dict[str, Any]:
        return {"file": s.path, "date": s.date.isoformat(), "sha256": s.sha256, "form": s.form,
                "entries": len(s)}

    doc: dict[str, Any] = {
        "old": snap(diff.old),
        "new": snap(diff.new),
        "program": diff.program,
        "effective_window": [d.isoformat() for d in diff.window],
        "changes": [
            {
                "uid": c.uid,
                "identifier": c.identifier,
                "action": c.action,
                "name": c.entry.name,
                "type": c.entry.type,
                "programs": sorted(c.entry.programs),
                "fields": {f.field: [f.old, f.new] for f in c.fields},
            }
            for c in diff.changes
        ],
    }
    if report is not None:
        doc["written"] = {
            "directory": report.directory,
            "written": list(report.written),
            "unchanged": list(report.unchanged),
            "beside": list(report.beside),
            "removed": list(report.removed),
            "candidates": [
                {"identifier": c.identifier, "measure": c.measure, "curated_entity": c.curated_entity,
                 "transitions": [t.id for t in c.transitions],
                 "verdicts": verdicts_json(c.verdicts)}
                for c in report.candidates
            ],
        }
    if comparison is not None:
        doc["comparison"] = verdicts_json(comparison)
    return doc
