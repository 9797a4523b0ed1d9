"""Rendering answers as JSON documents, CSV rows and terminal tables.

Pure: builds text and plain data, prints nothing (the CLI prints). The JSON documents are built
by :mod:`sanctrack._answer_docs` and the table layout by :mod:`sanctrack._text_table`; this module
holds the CSV rows and the answers in words, and gathers all three under one name.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from ._answer_docs import (
    JSON_SCHEMA_VERSION,
    change_doc,
    compare_doc,
    deal_doc,
    dumps,
    envelope,
    explanation_doc,
    history_doc,
    iso,
    position_doc,
    relief_doc,
    screen_doc,
    state_doc,
    transition_doc,
)
from ._model import Deal, MeasureState
from ._text_table import WIDTH, block, clip, table, terminal_width, url_line, wrap

__all__ = [
    "JSON_SCHEMA_VERSION",
    "iso",
    "state_doc",
    "relief_doc",
    "transition_doc",
    "change_doc",
    "deal_doc",
    "explanation_doc",
    "history_doc",
    "compare_doc",
    "screen_doc",
    "envelope",
    "dumps",
    "STATE_COLUMNS",
    "state_row",
    "csv_text",
    "table",
    "terminal_width",
    "wrap",
    "url_line",
    "clip",
    "block",
    "label_of",
    "instrument_label",
    "cause_text",
    "status_text",
    "licences_text",
    "footer",
    "state_table",
    "state_block",
    "short_state",
    "position_text",
    "position_doc",
]


# -- CSV ---------------------------------------------------------------------

STATE_COLUMNS = ("measure", "authority", "kind", "program", "targets", "status", "in_force", "valid_from",
                 "valid_to", "version", "licences", "instrument", "transition", "pending", "uncertain", "digest",
                 "knowledge", "projection", "scheduled", "basis", "lapsed")


def label_of(reg: Any, inst_id: str | None) -> str:
    """An instrument's short label by id (the id itself if unknown, empty for None)."""
    if inst_id is None:
        return ""
    try:
        return cast(str, reg.instrument(inst_id).label)
    except LookupError:
        return inst_id


def state_row(reg: Any, s: MeasureState) -> dict[str, str]:
    t = s.transition
    b = s.basis or t
    return {
        "measure": s.measure.id,
        "authority": s.measure.authority,
        "kind": s.measure.kind,
        "program": s.program or "",
        "targets": ";".join(s.targets),
        "status": "" if s.status is None else str(s.status),
        "in_force": "true" if s.in_force else "false",
        "valid_from": iso(s.valid.start) or "",
        "valid_to": iso(s.valid.end) or "",
        "version": str(s.version),
        "licences": ";".join(r.label for r in s.reliefs),
        "instrument": label_of(reg, b.instrument if b is not None else None),
        "transition": t.id if t is not None else "",
        "pending": ";".join(p.id for p in s.pending),
        "uncertain": "true" if s.uncertain else "false",
        "digest": s.digest,
        "knowledge": iso(s.knowledge) or "",
        "projection": "true" if s.projection else "false",
        "scheduled": "true" if s.scheduled else "false",
        "basis": b.id if b is not None else "",
        "lapsed": ";".join(x.id for x in s.lapsed),
    }


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


# -- text answers --------------------------------------------------------------


def instrument_label(reg: Any, s: Any) -> str:
    """The label of the act that made a state's status (``MeasureState.basis``: the transition that
    began it, or after a lapse the act the status rests on), else ``(transition id)`` or ``(cause)``."""
    t = getattr(s, "basis", None) or s.transition
    if t is not None and t.instrument:
        try:
            return cast(str, reg.instrument(t.instrument).label)
        except LookupError:
            return cast(str, t.instrument)
    if t is not None:
        return f"({t.id})"
    return f"({s.cause})"


def cause_text(reg: Any, s: Any) -> str:
    """What began a state: its cause, and for a lapse what lapsed (``lapse of GL 9``)."""
    labels = [label_of(reg, t.instrument) for t in getattr(s, "lapsed", ()) if t.instrument]
    if s.cause == "lapse" and labels:
        return "lapse of " + ", ".join(labels)
    return cast(str, s.cause)


def status_text(s: Any) -> str:
    """The status word; ``—`` before the measure existed, ``?`` appended inside an effective window;
    `` (scheduled)`` for a scheduled lapse after the knowledge date, `` (projected)`` for any other
    answer after it."""
    if s.status is None:
        text = "—"
    else:
        text = str(s.status)
        if s.uncertain:
            text += "?"
    if getattr(s, "scheduled", False):
        text += " (scheduled)"
    elif getattr(s, "projection", False):
        text += " (projected)"
    return text


def licences_text(s: Any) -> str:
    """The labels of the licences in effect, or ``—``."""
    return ", ".join(r.label for r in s.reliefs) or "—"


def footer(reg: Any, text: str) -> str:
    """The ``# …`` line under a table: counts, knowledge date, registry name and digest prefix (wrapped)."""
    known = f", as known on {reg.known}" if reg.known is not None else ""
    return "".join(f"# {line}\n" for line in wrap(f"{text}{known} · {reg.info.name} {reg.digest[:19]}…",
                                                    terminal_width() - 2))


def state_table(reg: Any, states: Sequence[Any]) -> str:
    """The in-force table: status, licences in effect, since-date and instrument of each state."""
    rows = [(s.measure.id, s.measure.authority, status_text(s), iso(s.since) or "—", licences_text(s),
             instrument_label(reg, s)) for s in states]
    return table(("MEASURE", "AUTHORITY", "STATUS", "SINCE", "LICENCES", "INSTRUMENT"), rows, flex=(0, 4, 5),
                 keep=(0,))


def state_block(reg: Any, s: Any, on: Any) -> str:
    """One state as ``key  value`` lines: status, since/until, instrument, licences, pending, digest."""
    m = s.measure
    pairs = [("measure", f"{m.id} ({m.authority}, {m.kind}{', ' + s.program if s.program else ''})"),
             ("title", m.title),
             ("on", cast(str, iso(on)) + (f" (as known on {reg.known})" if reg.known else ""))]
    if not s.exists:
        first = f"; first state from {iso(s.valid.end)}" if s.valid.end else ""
        pairs.append(("status", f"did not exist on that date{first}"))
    else:
        word = "in force" if s.in_force else "not in force"
        doubt = " — uncertain (inside an effective window)" if s.uncertain else ""
        mark = " (scheduled)" if s.scheduled else " (projected)" if s.projection else ""
        pairs.append(("status", f"{s.status}{mark} ({word}){doubt}"))
        until = f", until {iso(s.valid.end)}" if s.valid.end else ", open"
        pairs.append(("since", f"{iso(s.valid.start)}{until} (version {s.version}, by {cause_text(reg, s)})"))
        basis = s.basis or s.transition
        confidence = f" [{basis.confidence}]" if basis else ""
        pairs.append(("instrument", instrument_label(reg, s) + confidence))
        for r in s.reliefs:
            text = f"{r.label} since {iso(r.since)}"
            if r.until:
                text += f" until {iso(r.until)}"
            if r.scope is not None and r.scope.authorises:
                text += f": {r.scope.authorises}"
            if r.scope is not None and r.scope.excludes:
                text += f"; excludes {', '.join(r.scope.excludes)}"
            pairs.append(("licence", text))
        for p in s.pending:
            pairs.append(("pending", f"{p.action} announced {iso(p.announced)} ({p.id})"))
    if s.scheduled:
        pairs.append(("projection", f"scheduled: the lapse on {iso(s.valid.start)} lies after the knowledge date "
                                    f"{iso(s.knowledge)}; a later record (a renewal) may change it"))
    elif s.projection:
        pairs.append(("projection", f"{iso(on)} is after the knowledge date {iso(s.knowledge)}: "
                                    "later records may change this answer"))
    pairs.append(("digest", s.digest))
    return block(pairs)


def position_text(p: Any) -> str:
    """An authority's position in words: ``licensed by GL 13: authorises …; excludes …``, ``blocked (…)``."""
    ids = ", ".join(s.measure.id for s in p.states)
    mark = " — projected" if p.projection else ""
    if p.position == "licensed":
        parts = []
        for r in p.reliefs:
            text = r.label
            if r.scope is not None and r.scope.authorises:
                text += f": authorises {r.scope.authorises}"
            if r.scope is not None and r.scope.excludes:
                text += f"; excludes {', '.join(r.scope.excludes)}"
            parts.append(text)
        return f"licensed by {' | '.join(parts)} ({ids}){mark}"
    if p.position == "lifted":
        return f"lifted/expired: {', '.join(p.statuses)} ({ids}){mark}"
    if p.position == "no measure":
        return f"no measure on that date{mark}"
    return f"{p.position} ({ids}){mark}"


def short_state(s: Any) -> str:
    """A state in a few words: ``relieved [GL 13]``, ``lifted``, ``—``."""
    if not s.exists:
        return "—"
    return status_text(s) + (f" [{licences_text(s)}]" if s.reliefs else "") + (" +pending" if s.pending else "")


# -- the deals ledger ----------------------------------------------------------------

_GIVEN = {
    "relieve": "licence", "lift": "removal", "suspend": "suspension", "resume": "measures reinstated",
    "revoke_relief": "licence revoked", "extend": "extension", "impose": "imposed", "reimpose": "re-imposed",
    "amend": "amendment",
}


def _target_names(reg: Any, measure: Any, t: Any) -> str:
    targets = measure.targets
    if t.effective is not None:  # the targets of the state the transition made (an amend may have moved them)
        targets = reg.state(measure.id, t.effective).targets or targets
    names = []
    for e in targets:
        try:
            names.append(reg.entity(e).name)
        except LookupError:
            names.append(e)
    return ", ".join(names)


def deals_ledger(reg: Any, deals: Sequence[Deal], width: int = WIDTH) -> str:
    """The deals as a ledger a reader can follow: each release (date, how many, who), then what was given
    for it — by which authority, on which date, under which instrument, to whom — and how sure the link is
    (``stated`` by an official, ``reported`` by the press, ``inferred``). Announcements not (yet) carried
    out say so; records the registry later corrected are marked ``superseded``."""
    import textwrap

    corrected = {t.corrects: t.id for t in reg.transitions if t.corrects is not None}
    out: list[str] = []

    def para(text: str, indent: str) -> None:
        out.extend(textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "    ",
                                 break_on_hyphens=False)
                   or [indent.rstrip()])

    for d in deals:
        r = d.release
        count = "?" if r.count is None else str(r.count)
        head = f"{iso(r.date)}  {count} released"
        if r.date_window:
            head += f" (date only known within {iso(r.date_window[0])}…{iso(r.date_window[1])})"
        if r.people:
            head += ": " + ", ".join(r.people)
        para(head, "")
        extra = []
        if r.destinations:
            extra.append("to " + ", ".join(r.destinations))
        if r.negotiators:
            extra.append("negotiated by " + ", ".join(r.negotiators))
        if extra:
            para("; ".join(extra), "    ")
        if not d.links:
            para("nothing given in return is recorded", "    ")
        for lt in d.links:
            t, ln = lt.transition, lt.link
            m = reg.measure(t.measure)
            what = _GIVEN.get(str(t.action), str(t.action))
            label = ""
            if t.instrument:
                try:
                    label = reg.instrument(t.instrument).label
                except LookupError:
                    label = t.instrument
            if t.is_pending:
                what += " announced" + (f" ({label})" if label else "")
            elif label:
                what += " " + label
            when = f"on {iso(t.announced)}" if t.is_pending else f"from {iso(t.effective)}"
            if t.until is not None and not t.is_pending:
                when += f" to {iso(t.until - _dt.timedelta(days=1))}"
            flag = ""
            if t.id in corrected and not t.is_pending:
                flag = f" [superseded by {corrected[t.id]}]"
            elif t.is_pending and t.id in corrected:
                flag = f" (followed by {corrected[t.id]})"
            para(f"{m.authority} gave: {what} for {_target_names(reg, m, t)}, {when}{flag} — basis: {ln.basis}"
                 f" ({t.measure})", "    ")
    return "\n".join(out) + "\n"
