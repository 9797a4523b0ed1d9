"""Rendering answers as JSON documents, CSV rows and terminal tables.

Pure: builds text and plain data, prints nothing (the CLI prints). The JSON
shapes are the contract documented in ``docs/json.md``; change them only by
adding keys.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
import shutil
from typing import Any, Iterable, Mapping, Sequence

from ._model import Deal, Explanation, History, MeasureState, Relief, StateChange, Transition

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

#: Bumped only for incompatible changes of the JSON shapes (adding keys is compatible).
JSON_SCHEMA_VERSION = 1

WIDTH = 100


def iso(d: _dt.date | _dt.datetime | None) -> str | None:
    return None if d is None else d.isoformat()


def _instrument(reg: Any, inst_id: str | None) -> dict[str, Any] | None:
    if inst_id is None:
        return None
    try:
        i = reg.instrument(inst_id)
    except LookupError:
        return {"id": inst_id}
    out: dict[str, Any] = {"id": i.id, "kind": i.kind, "label": i.label, "title": i.title}
    if i.url:
        out["url"] = i.url
    return out


def relief_doc(r: Relief) -> dict[str, Any]:
    scope = r.scope
    return {
        "transition": r.transition.id,
        "instrument": r.instrument.id if r.instrument is not None else None,
        "label": r.label,
        "since": iso(r.since),
        "until": iso(r.until),
        "authorises": scope.authorises if scope is not None else None,
        "excludes": list(scope.excludes) if scope is not None else [],
        "conditions": list(r.conditions),
        "confidence": str(r.transition.confidence),
    }


def _pending_doc(t: Transition) -> dict[str, Any]:
    return {"transition": t.id, "action": str(t.action), "announced": iso(t.announced),
            "confidence": str(t.confidence), "note": t.note}


def state_doc(reg: Any, s: MeasureState) -> dict[str, Any]:
    """The JSON form of a :class:`MeasureState`."""
    m = s.measure
    t = s.transition
    b = s.basis or t
    return {
        "measure": m.id,
        "authority": m.authority,
        "kind": m.kind,
        "title": m.title,
        "program": s.program,
        "targets": list(s.targets),
        "exists": s.exists,
        "status": None if s.status is None else str(s.status),
        "in_force": s.in_force,
        "valid_from": iso(s.valid.start),
        "valid_to": iso(s.valid.end),
        "version": s.version,
        "cause": s.cause,
        "transition": t.id if t is not None else None,
        "instrument": _instrument(reg, b.instrument if b is not None else None),
        "confidence": str(b.confidence) if b is not None else None,
        "basis": b.id if b is not None else None,
        "lapsed": [{"transition": x.id, "instrument": _instrument(reg, x.instrument)} for x in s.lapsed],
        "uncertain": s.uncertain,
        "knowledge": iso(s.knowledge),
        "projection": s.projection,
        "scheduled": s.scheduled,
        "reliefs": [relief_doc(r) for r in s.reliefs],
        "pending": [_pending_doc(p) for p in s.pending],
    }


def transition_doc(reg: Any, t: Transition) -> dict[str, Any]:
    """The JSON form of a :class:`Transition` (with its measure's authority)."""
    m = reg.measure(t.measure)
    return {
        "id": t.id,
        "measure": t.measure,
        "authority": m.authority,
        "action": str(t.action),
        "effective": iso(t.effective),
        "effective_at": iso(t.effective_at),
        "announced": iso(t.announced),
        "published": iso(t.published),
        "recorded": iso(t.recorded),
        "until": iso(t.until),
        "effective_window": [iso(d) for d in t.effective_window] if t.effective_window else None,
        "instrument": _instrument(reg, t.instrument),
        "authorises": t.scope.authorises if t.scope is not None else None,
        "excludes": list(t.scope.excludes) if t.scope is not None else [],
        "conditions": list(t.conditions),
        "confidence": str(t.confidence),
        "sources": list(t.sources),
        "corrects": t.corrects,
        "note": t.note,
    }


def change_doc(reg: Any, c: StateChange) -> dict[str, Any]:
    return {"measure": c.measure.id, "authority": c.measure.authority,
            "before": state_doc(reg, c.before), "after": state_doc(reg, c.after)}


def deal_doc(reg: Any, d: Deal) -> dict[str, Any]:
    r = d.release
    return {
        "release": r.id,
        "date": iso(r.date),
        "date_window": [iso(x) for x in r.date_window] if r.date_window else None,
        "recorded": iso(r.recorded),
        "count": r.count,
        "people": list(r.people),
        "nationalities": list(r.nationalities),
        "destinations": list(r.destinations),
        "negotiators": list(r.negotiators),
        "figures": [{"quantity": f.quantity, "value": f.value, "used": f.used, "sources": list(f.sources)}
                    for f in r.figures],
        "sources": list(r.sources),
        "links": [{"transition": lt.transition.id, "measure": lt.transition.measure,
                   "action": str(lt.transition.action), "effective": iso(lt.transition.effective),
                   "announced": iso(lt.transition.announced),
                   "basis": str(lt.link.basis), "recorded": iso(lt.link.recorded),
                   "quote": lt.link.quote, "sources": list(lt.link.sources)} for lt in d.links],
    }


def explanation_doc(reg: Any, e: Explanation) -> dict[str, Any]:
    def src(s: Any) -> dict[str, Any]:
        return {"id": s.id, "publisher": s.publisher, "url": s.url, "title": s.title,
                "published": iso(s.published)}

    return {
        "state": state_doc(reg, e.state),
        "steps": [dict(transition_doc(reg, st.transition), sources=[src(s) for s in st.sources])
                  for st in e.steps],
        "measure_sources": [src(s) for s in e.measure_sources],
        "superseded": [{"record": s.record.id, "by": s.by.id} for s in e.superseded],
    }


def history_doc(reg: Any, h: History) -> dict[str, Any]:
    return {"measure": h.measure.id, "authority": h.measure.authority, "title": h.measure.title,
            "versions": [state_doc(reg, s) for s in h.versions],
            "superseded": [{"record": s.record.id, "by": s.by.id} for s in h.superseded]}


def compare_doc(reg: Any, c: Any) -> dict[str, Any]:
    """The JSON form of a :class:`Comparison` (one target across authorities)."""
    return {"target": c.target.id, "name": c.target.name, "divergent": c.divergent,
            "by_authority": {a: flag for a, flag in c.by_authority},
            "positions": [position_doc(p) for p in c.positions],
            "states": [state_doc(reg, s) for s in c.states]}


def screen_doc(reg: Any, h: Any) -> dict[str, Any]:
    """The JSON form of a :class:`ScreenHit`: the question, and the states in force that answer it."""
    return {"query": h.query, "on": iso(h.on) if not isinstance(h.on, str) else h.on, "known": iso(h.known),
            "hit": h.hit, "states": [state_doc(reg, s) for s in h.states]}


def envelope(reg: Any, command: str, query: Mapping[str, Any], result: Any) -> dict[str, Any]:
    """The JSON document every CLI answer is wrapped in: enough to reproduce it."""
    from . import __version__

    info = reg.info
    return {
        "schema": JSON_SCHEMA_VERSION,
        "sanctrack": __version__,
        "command": command,
        "query": dict(query),
        "registry": {"name": info.name, "version": info.version, "digest": reg.digest},
        "result": result,
    }


def dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# -- CSV ---------------------------------------------------------------------

STATE_COLUMNS = ("measure", "authority", "kind", "program", "targets", "status", "in_force", "valid_from",
                 "valid_to", "version", "licences", "instrument", "transition", "pending", "uncertain", "digest",
                 "knowledge", "projection", "scheduled", "basis", "lapsed")


def label_of(reg: Any, inst_id: str | None) -> str:
    """An instrument's short label by id (the id itself if unknown, empty for None)."""
    if inst_id is None:
        return ""
    try:
        return reg.instrument(inst_id).label
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


# -- tables ------------------------------------------------------------------

#: The smallest width a table is laid out for: a terminal narrower than this still gets 80 columns.
MIN_WIDTH = 80
#: Words never broken across lines: URLs and digests (a reader copies them whole).
_WHOLE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://\S+|sha256:[0-9a-f]+)$", re.IGNORECASE)
_AFTER_HYPHEN = re.compile(r"(?<=[^\W\d_]-)")  # a break after a hyphen that follows a letter (not in dates)


def terminal_width() -> int:
    """The width tables are laid out for: the terminal's (``COLUMNS`` honoured), at least 80.

    When the output is not a terminal (a pipe, a file) and ``COLUMNS`` is not set, the
    width is :data:`WIDTH` (100).
    """
    return max(MIN_WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)


def clip(text: str, width: int) -> str:
    """Cut text to ``width`` characters, marking a cut with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def _pieces(word: str, width: int) -> list[str]:
    """A word too long for ``width`` in pieces: after hyphens where it has them, else cut; a URL or digest whole."""
    if len(word) <= width or _WHOLE.match(word):
        return [word]
    parts = [p for p in _AFTER_HYPHEN.split(word) if p]
    out: list[str] = []
    for part in parts:
        while len(part) > width:
            out.append(part[:width])
            part = part[width:]
        if out and len(out[-1]) + len(part) <= width and out[-1].endswith("-"):
            out[-1] += part
        elif part:
            out.append(part)
    return out


def wrap(text: str, width: int) -> list[str]:
    """Text in lines no wider than ``width``: broken at spaces, then hyphens; a URL is never broken.

    A URL longer than ``width`` stays whole on a line of its own (that line is wider than
    ``width``): a URL must stay one string a reader can copy.
    """
    return _wrap(" ".join(str(text).split()), width)


def _wrap(text: str, width: int) -> list[str]:
    """:func:`wrap` of a text whose white space is already single spaces."""
    if len(text) <= width:
        return [text]
    words = text.split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        for n, piece in enumerate(_pieces(word, max(width, 1))):
            if not line:
                line = piece
            elif n == 0 and len(line) + 1 + len(piece) <= width:
                line += " " + piece
            else:  # a word that does not fit, or the next piece of a broken word: a new line
                lines.append(line)
                line = piece
    lines.append(line)
    return lines


def _min_width(texts: Sequence[str], floor: int, *, whole_words: bool) -> int:
    """The narrowest a column may get: ``floor``, its longest URL or digest (never broken) and, with
    ``whole_words``, its longest word (an id counts its parts between hyphens)."""
    words = [w for t in texts for w in t.split(" ")]
    out = max([floor] + [len(w) for w in words if _WHOLE.match(w)])
    if whole_words:
        out = max([out] + [len(p) for w in words for p in _AFTER_HYPHEN.split(w)])
    return out


_SAMPLE = 200


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, flex: Sequence[int] = (),
          width: int | None = None, keep: Sequence[int] = ()) -> str:
    """A plain-text table no wider than ``width`` (default: :func:`terminal_width`).

    Nothing is cut: when the natural widths do not fit, the ``flex`` columns get
    narrower and their cells wrap onto continuation lines (at spaces, then after
    hyphens). Each step narrows the column that adds the fewest lines to the
    table; the ``keep`` columns (ids) only when no other column can give way.
    Words are kept whole as long as that fits, then broken. A URL is never broken: a
    column holding one is at least as wide as it, so a table with a URL longer
    than the width runs past it.
    """
    width = terminal_width() if width is None else width
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    heads = [" ".join(str(h).split()) for h in headers]
    table_rows = [heads] + cells
    widths = [max(len(r[i]) for r in table_rows) for i in range(len(heads))]
    gap = 2
    flex = list(flex) or [len(heads) - 1]
    # the line counts are weighed on at most _SAMPLE rows, evenly spread (a long table stays fast)
    sample = table_rows if len(table_rows) <= _SAMPLE else table_rows[::-(-len(table_rows) // _SAMPLE)]
    column = {i: [r[i] for r in sample] for i in flex}
    made: dict[tuple[int, int], list[int]] = {}

    def heights_at(i: int, w: int) -> list[int]:  # the line count of each sampled cell of column i at width w
        hs = made.get((i, w))
        if hs is None:
            hs = made[(i, w)] = [len(_wrap(t, w)) if len(t) > w else 1 for t in column[i]]
        return hs

    heights = {i: heights_at(i, widths[i]) for i in flex}

    def total(i: int, hs: list[int]) -> int:
        """The table's line count (on the sample) with column i's heights hs."""
        return sum(max([h] + [heights[j][n] for j in flex if j != i]) for n, h in enumerate(hs))

    whole = {i: _min_width(column[i], 12 if i in keep else 10, whole_words=True) for i in flex}
    broken = {i: _min_width(column[i], 6, whole_words=False) for i in flex}
    soft = [i for i in flex if i not in keep]
    for floor, pools in ((whole, (soft, flex)), (broken, (soft, flex))):
        for pool_of in pools:
            while sum(widths) + gap * (len(widths) - 1) > width:
                best = None
                for i in (j for j in pool_of if widths[j] > floor[j]):
                    hs = heights_at(i, widths[i] - 1)
                    key = (total(i, hs), i in keep, -widths[i])
                    if best is None or key < best[0]:
                        best = (key, i, hs)
                if best is None:
                    break
                _, i, heights[i] = best
                widths[i] -= 1
    lines = []
    for row in table_rows:
        wrapped = [[c] if len(c) <= w else _wrap(c, w) for c, w in zip(row, widths)]
        for k in range(max(len(w) for w in wrapped)):
            parts = [(w[k] if k < len(w) else "").ljust(n) for w, n in zip(wrapped, widths)]
            lines.append((" " * gap).join(parts).rstrip())
    return "\n".join(lines) + "\n"


def url_line(label: str, url: str, *, indent: int = 2, width: int | None = None) -> str:
    """``label url`` on one line when it fits ``width``; else the label (wrapped), then the whole URL on a
    line of its own, indented (wider than ``width`` if the URL is: a URL is never cut)."""
    width = terminal_width() if width is None else width
    pad = " " * indent
    label = " ".join(label.split())
    one = f"{pad}{label} {url}"
    if len(one) <= width:
        return one + "\n"
    head = "".join(f"{pad}{line}\n" for line in wrap(label, width - indent))
    return head + f"{pad}  {url}\n"


# -- text answers --------------------------------------------------------------


def instrument_label(reg: Any, s: Any) -> str:
    """The label of the act that made a state's status (``MeasureState.basis``: the transition that
    began it, or after a lapse the act the status rests on), else ``(transition id)`` or ``(cause)``."""
    t = getattr(s, "basis", None) or s.transition
    if t is not None and t.instrument:
        try:
            return reg.instrument(t.instrument).label
        except LookupError:
            return t.instrument
    if t is not None:
        return f"({t.id})"
    return f"({s.cause})"


def cause_text(reg: Any, s: Any) -> str:
    """What began a state: its cause, and for a lapse what lapsed (``lapse of GL 9``)."""
    labels = [label_of(reg, t.instrument) for t in getattr(s, "lapsed", ()) if t.instrument]
    if s.cause == "lapse" and labels:
        return "lapse of " + ", ".join(labels)
    return s.cause


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
             ("on", iso(on) + (f" (as known on {reg.known})" if reg.known else ""))]
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


def position_doc(p: Any) -> dict[str, Any]:
    """The JSON form of a :class:`~sanctrack.Position`."""
    return {"authority": p.authority, "position": p.position,
            "measures": [s.measure.id for s in p.states], "statuses": list(p.statuses),
            "licences": [relief_doc(r) for r in p.reliefs], "projection": p.projection}


def short_state(s: Any) -> str:
    """A state in a few words: ``relieved [GL 13]``, ``lifted``, ``—``."""
    if not s.exists:
        return "—"
    return status_text(s) + (f" [{licences_text(s)}]" if s.reliefs else "") + (" +pending" if s.pending else "")


def block(pairs: Sequence[tuple[str, str]], width: int | None = None) -> str:
    """Key/value lines (``key  value``), wrapped to ``width`` (default: :func:`terminal_width`); URLs kept whole."""
    width = terminal_width() if width is None else width
    kw = max(len(k) for k, _ in pairs)
    out = []
    for k, v in pairs:
        lines = wrap(v, width - kw - 2)
        if len(lines[0]) > width - kw - 2:  # a URL or digest too long beside its key: on its own lines
            out.append(f"{k}\n")
            out.extend(f"  {line}\n" for line in wrap(v, width - 2))
            continue
        out.append(f"{k.ljust(kw)}  {lines[0]}".rstrip() + "\n")
        out.extend(f"{'':{kw}}  {line}\n" for line in lines[1:])
    return "".join(out)


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
        out.extend(textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "    ", break_on_hyphens=False)
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
