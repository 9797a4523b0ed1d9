"""The query commands: ``in-force``, ``state``, ``history``, ``changes``, ``diff``, ``explain``,
``compare`` and ``deals``, each one public query method printed as a table, JSON or CSV.

Each command returns 0, or raises :class:`~sanctrack._cli_common.NothingFound` after printing an
empty answer; :mod:`sanctrack.cli` registers them and maps exceptions to exit codes.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from . import _format as fmt
from ._cli_common import (NothingFound, UsageError, emit, filters_of, iso, load_registry, output_format, query_of,
                          when)
from ._time import parse_date

__all__ = ["cmd_in_force", "cmd_state", "cmd_history", "cmd_changes", "cmd_diff", "cmd_explain", "cmd_compare",
           "cmd_deals"]


def cmd_in_force(args: argparse.Namespace, out: TextIO) -> int:
    """``in-force DATE``: the measures in force on a date."""
    f = output_format(args)
    on = when(args.date)
    reg = load_registry(args)
    states = reg.in_force(on, **filters_of(args))
    emit(out, args, reg, f, query=query_of(args, on=iso(on)), result=[fmt.state_doc(reg, s) for s in states],
          table=lambda: (fmt.state_table(reg, states) if states else "")
          + fmt.footer(reg, f"{len(states)} in force on {iso(on)}"),
          csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, (fmt.state_row(reg, s) for s in states)))
    if not states:
        raise NothingFound(f"no measure in force on {iso(on)} matches the query")
    return 0


def cmd_state(args: argparse.Namespace, out: TextIO) -> int:
    """``state MEASURE DATE``: one measure's state on a date."""
    f = output_format(args)
    on = when(args.date)
    reg = load_registry(args)
    s = reg.state(args.measure, on)
    emit(out, args, reg, f, query=query_of(args, measure=args.measure, on=iso(on)), result=fmt.state_doc(reg, s),
          table=lambda: fmt.state_block(reg, s, on),
          csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, [fmt.state_row(reg, s)]))
    if not s.exists:
        raise NothingFound(f"measure {args.measure!r} did not exist on {iso(on)}")
    return 0


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    """``history MEASURE``: every version of one measure, oldest first."""
    f = output_format(args)
    reg = load_registry(args)
    h = reg.history(args.measure)

    def table() -> str:
        rows = [(str(s.version), iso(s.valid.start), iso(s.valid.end) if s.valid.end else "open", fmt.status_text(s),
                 fmt.licences_text(s), fmt.cause_text(reg, s), fmt.instrument_label(reg, s)) for s in h.versions]
        text = fmt.table(("V", "FROM", "TO", "STATUS", "LICENCES", "CAUSE", "INSTRUMENT"), rows, flex=(4, 6))
        for sup in h.superseded:
            text += f"superseded: {sup.record.id} by {sup.by.id}\n"
        return text + fmt.footer(reg, f"{len(h.versions)} versions of {h.measure.id}")

    emit(out, args, reg, f, query=query_of(args, measure=args.measure), result=fmt.history_doc(reg, h),
          table=table, csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, (fmt.state_row(reg, s) for s in h.versions)))
    if not h.versions:
        raise NothingFound(f"measure {args.measure!r} has no effective transition yet")
    return 0


_CHANGE_COLUMNS = ("effective", "measure", "authority", "action", "transition", "instrument", "until",
                   "confidence", "recorded")


def cmd_changes(args: argparse.Namespace, out: TextIO) -> int:
    """``changes FROM TO``: the transitions effective in ``[FROM, TO)``."""
    f = output_format(args)
    a, b = parse_date(args.start), parse_date(args.end)
    if b < a:
        raise UsageError(f"TO {args.end!r} is before FROM {args.start!r}: expected FROM <= TO")
    reg = load_registry(args)
    ts = reg.changes(a, b, **filters_of(args))

    def row(t: Any) -> dict[str, str]:
        return {"effective": iso(t.effective), "measure": t.measure, "authority": reg.measure(t.measure).authority,
                "action": str(t.action), "transition": t.id,
                "instrument": fmt.label_of(reg, t.instrument), "until": iso(t.until) if t.until else "",
                "confidence": str(t.confidence), "recorded": iso(t.recorded)}

    def table() -> str:
        rows = [(r["effective"], r["measure"], r["action"], r["instrument"] or "—", r["until"] or "—",
                 r["confidence"]) for r in map(row, ts)]
        head = ("EFFECTIVE", "MEASURE", "ACTION", "INSTRUMENT", "UNTIL", "CONFIDENCE")
        return (fmt.table(head, rows, flex=(1, 3), keep=(1,))
                + fmt.footer(reg, f"{len(ts)} changes in [{iso(a)}, {iso(b)})"))

    emit(out, args, reg, f, query=query_of(args, start=iso(a), end=iso(b)),
          result=[fmt.transition_doc(reg, t) for t in ts], table=table,
          csv=lambda: fmt.csv_text(_CHANGE_COLUMNS, map(row, ts)))
    if not ts:
        raise NothingFound(f"no transition effective in [{iso(a)}, {iso(b)}) matches the query")
    return 0


def cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    """``diff A B``: the measures whose state differs between two dates."""
    f = output_format(args)
    a, b = when(args.a), when(args.b)
    reg = load_registry(args)
    cs = reg.diff(a, b, **filters_of(args))

    def table() -> str:
        rows = [(c.measure.id, c.measure.authority, fmt.short_state(c.before), fmt.short_state(c.after)) for c in cs]
        return (fmt.table(("MEASURE", "AUTHORITY", f"ON {iso(a)}", f"ON {iso(b)}"), rows, flex=(0, 2, 3), keep=(0,))
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

    emit(out, args, reg, f, query=query_of(args, a=iso(a), b=iso(b)),
          result=[fmt.change_doc(reg, c) for c in cs], table=table, csv=csv)
    if not cs:
        raise NothingFound(f"no measure differs between {iso(a)} and {iso(b)}")
    return 0


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    """``explain MEASURE DATE``: the transitions and sources behind a state."""
    f = output_format(args)
    on = when(args.date)
    reg = load_registry(args)
    e = reg.explain(args.measure, on)

    def table() -> str:
        text = fmt.state_block(reg, e.state, on) + "\n"
        rows = [(iso(st.transition.effective), str(st.transition.action),
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
        rows = [{"effective": iso(st.transition.effective), "transition": st.transition.id,
                 "action": str(st.transition.action), "instrument": st.instrument.label if st.instrument else "",
                 "confidence": str(st.transition.confidence), "sources": ";".join(s.id for s in st.sources),
                 "urls": " ".join(s.url for s in st.sources)} for st in e.steps]
        return fmt.csv_text(("effective", "transition", "action", "instrument", "confidence", "sources", "urls"),
                            rows)

    emit(out, args, reg, f, query=query_of(args, measure=args.measure, on=iso(on)),
          result=fmt.explanation_doc(reg, e), table=table, csv=csv)
    if not e.state.exists:
        raise NothingFound(f"measure {args.measure!r} did not exist on {iso(on)}")
    return 0


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    """``compare TARGET DATE``: one target across authorities on a date."""
    f = output_format(args)
    on = when(args.date)
    reg = load_registry(args)
    c = reg.compare(args.compare_target, on)

    def table() -> str:
        yes = [a for a, flag in c.by_authority if flag]
        no = [a for a, flag in c.by_authority if not flag]
        head = fmt.block([("target", f"{c.target.name} ({c.target.id})"),
                          ("on", iso(on) + (f" (as known on {reg.known})" if reg.known else "")),
                          ("verdict", "DIVERGENT: the authorities disagree" if c.divergent else "no divergence"),
                          ("in force", ", ".join(yes) or "none"),
                          ("not in force", ", ".join(no) or "none"),
                          *((p.authority, fmt.position_text(p)) for p in c.positions)])
        return head + "\n" + (fmt.state_table(reg, c.states) if c.states else "")

    result = fmt.compare_doc(reg, c)
    emit(out, args, reg, f, query=query_of(args, compare_target=args.compare_target, on=iso(on)), result=result,
          table=table, csv=lambda: fmt.csv_text(fmt.STATE_COLUMNS, (fmt.state_row(reg, s) for s in c.states)))
    if not c.positions:
        raise NothingFound(f"no measure against {args.compare_target!r} existed on {iso(on)}")
    return 0


def cmd_deals(args: argparse.Namespace, out: TextIO) -> int:
    """``deals``: the releases and the transitions linked to them."""
    f = output_format(args)
    reg = load_registry(args)
    deals = reg.deals()

    def rows() -> list[dict[str, str]]:
        out_rows = []
        for d in deals:
            r = d.release
            base = {"release": r.id, "date": iso(r.date), "count": "" if r.count is None else str(r.count)}
            if not d.links:
                out_rows.append(dict(base, transition="", measure="", action="", effective="", basis=""))
            for lt in d.links:
                t = lt.transition
                action = f"{t.action} (announced)" if t.is_pending else str(t.action)
                out_rows.append(dict(base, transition=t.id, measure=t.measure, action=action,
                                     effective=iso(t.when), basis=str(lt.link.basis)))
        return out_rows

    def table() -> str:
        return (fmt.deals_ledger(reg, deals)
                + fmt.footer(reg, f"{len(deals)} releases, {sum(d.release.count or 0 for d in deals)} people, "
                               f"{sum(len(d.links) for d in deals)} links"))

    emit(out, args, reg, f, query=query_of(args), result=[fmt.deal_doc(reg, d) for d in deals], table=table,
          csv=lambda: fmt.csv_text(("release", "date", "count", "transition", "measure", "action", "effective",
                                    "basis"), rows()))
    if not deals:
        raise NothingFound("the registry holds no release")
    return 0
