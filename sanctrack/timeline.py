"""A self-contained HTML/SVG timeline of measures, licences and releases.

One lane per measure, lanes grouped by authority. Each state run is a bar
coloured by its status; every licence (relief) in effect is drawn as a striped
band over the runs it relieves; pending announcements are open triangles;
releases sit on their own row at the top, with a line to every transition they
are linked to (solid: ``stated``, dashed: ``reported``, dotted: ``inferred``).
Every shape has a hover title naming the instrument and the sources.

The output is one HTML file with an inline SVG and a little CSS: no
JavaScript, no fonts or images fetched from anywhere. Pure: builds text.

>>> html = render_html(registry, target="belavia")            # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

from ._model import MeasureState, Status

__all__ = ["STATUS_COLOURS", "render_svg", "render_html", "select_measures"]

#: Fill colour of a state run per status.
STATUS_COLOURS: dict[str, str] = {
    "in_force": "#c0392b",
    "relieved": "#e8893a",
    "suspended": "#8e9eb5",
    "lifted": "#cfe8cf",
    "expired": "#dddddd",
}
RELIEF_COLOUR = "#1e8449"
RELEASE_COLOUR = "#1f4e9c"
BASIS_DASH = {"stated": "", "reported": "6 3", "inferred": "2 3"}

WIDTH = 1360
LABEL_W = 330
RIGHT_PAD = 30
TOP = 74  # axis labels and the release row above the lanes
LANE_H = 24
BAR_H = 16
GROUP_H = 22
LEGEND_H = 70


def _e(text: Any) -> str:
    return escape(str(text))


def select_measures(reg: Any, *, target: str | None = None, authority: str | None = None,
                    kind: str | None = None, program: str | None = None) -> list[Any]:
    """The measures a timeline shows: filtered, sorted by authority then first date then id."""
    ids = frozenset(e.id for e in reg.resolve(target)) if target is not None else None
    out = []
    for m in reg.measures:
        if authority is not None and m.authority != authority:
            continue
        if kind is not None and m.kind != kind:
            continue
        h = reg.history(m.id)
        if program is not None and m.program != program and not any(s.program == program for s in h.versions):
            continue
        if ids is not None:
            targets = set(m.targets) | {t for s in h.versions for t in s.targets}
            if not ids & targets:
                continue
        first = h.versions[0].valid.start if h.versions else None
        out.append((m.authority, first or _dt.date.max, m.id, m, h))
    out.sort(key=lambda x: x[:3])
    return [(m, h) for _, _, _, m, h in out]


def _relief_spans(versions: Iterable[MeasureState]) -> list[tuple[Any, _dt.date, _dt.date | None]]:
    """(relief, since, end) for every relief in a history; end None = still in effect."""
    spans: dict[str, list[Any]] = {}
    for s in versions:
        for r in s.reliefs:
            if r.transition.id not in spans:
                spans[r.transition.id] = [r, r.since, s.valid.end]
            else:
                spans[r.transition.id][2] = s.valid.end
    return [tuple(v) for v in spans.values()]  # type: ignore[misc]


def _sources(reg: Any, ids: Iterable[str]) -> str:
    out = []
    for sid in ids:
        try:
            s = reg.source(sid)
            out.append(f"{s.id} {s.publisher}: {s.url}")
        except LookupError:
            out.append(sid)
    return "\n".join(out)


def _instrument(reg: Any, t: Any) -> str:
    if t is None or not t.instrument:
        return ""
    try:
        i = reg.instrument(t.instrument)
    except LookupError:
        return t.instrument
    return f"{i.label} — {i.title}" if i.label != i.title else i.title


def render_svg(reg: Any, *, target: str | None = None, authority: str | None = None, kind: str | None = None,
               program: str | None = None, start: _dt.date | None = None, end: _dt.date | None = None) -> str:
    """The timeline as an SVG document (text)."""
    rows = select_measures(reg, target=target, authority=authority, kind=kind, program=program)
    shown = {m.id for m, _ in rows}
    dates: list[_dt.date] = []
    for m, h in rows:
        dates.extend(s.valid.start for s in h.versions)
    trans = [t for t in reg.transitions if t.measure in shown]
    dates.extend(t.when for t in trans)
    deals = [d for d in reg.deals() if any(lt.transition.measure in shown for lt in d.links)]
    dates.extend(d.release.date for d in deals)
    lo = start or (min(dates) - _dt.timedelta(days=60) if dates else _dt.date(2000, 1, 1))
    hi = end or (max(dates) + _dt.timedelta(days=120) if dates else lo + _dt.timedelta(days=365))
    if hi <= lo:
        hi = lo + _dt.timedelta(days=1)
    x0, x1 = LABEL_W, WIDTH - RIGHT_PAD
    span = (hi - lo).days

    def x(d: _dt.date | None) -> float:
        if d is None:
            return x1
        return x0 + (x1 - x0) * min(max((d - lo).days, 0), span) / span

    groups: list[tuple[str, list[tuple[Any, Any]]]] = []
    for m, h in rows:
        if not groups or groups[-1][0] != m.authority:
            groups.append((m.authority, []))
        groups[-1][1].append((m, h))
    height = TOP + sum(GROUP_H + LANE_H * len(g) for _, g in groups) + LEGEND_H + 10

    out: list[str] = []
    w = out.append
    w(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
      f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11" '
      f'role="img" aria-label="sanctrack timeline">')
    w(f'<title>{_e(reg.info.name)} timeline {lo.isoformat()} to {hi.isoformat()} ({_e(reg.digest)})</title>')
    w('<defs><pattern id="relief" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
      f'<rect width="6" height="6" fill="{RELIEF_COLOUR}" fill-opacity="0.35"/>'
      f'<line x1="0" y1="0" x2="0" y2="6" stroke="{RELIEF_COLOUR}" stroke-width="3"/></pattern>'
      '<pattern id="uncertain" width="4" height="4" patternUnits="userSpaceOnUse">'
      '<rect width="4" height="4" fill="#ffffff" fill-opacity="0.45"/><rect width="2" height="2" fill="#000" '
      'fill-opacity="0.15"/></pattern></defs>')
    w(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')

    # axis: a tick per year (per month when the range is short)
    lanes_bottom = height - LEGEND_H
    w('<g class="axis">')
    yearly = span > 800
    if yearly and lo.month > 2:  # label the partial first year at the left edge
        w(f'<text x="{x0 + 3:.1f}" y="{TOP - 50}" fill="#555">{lo.year}</text>')
    d = _dt.date(lo.year, 1, 1) if yearly else _dt.date(lo.year, lo.month, 1)
    while d <= hi:
        if d >= lo:
            xx = x(d)
            w(f'<line x1="{xx:.1f}" y1="{TOP - 16}" x2="{xx:.1f}" y2="{lanes_bottom}" stroke="#e3e3e3"/>')
            label = str(d.year) if yearly else d.strftime("%Y-%m")
            w(f'<text x="{xx + 3:.1f}" y="{TOP - 50}" fill="#555">{label}</text>')
        d = _dt.date(d.year + 1, 1, 1) if yearly else (_dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1))
    w('</g>')

    # lanes
    lane_y: dict[str, float] = {}
    y = TOP
    w('<g class="lanes">')
    for auth, lanes in groups:
        w(f'<g class="authority" data-authority={quoteattr(auth)}>')
        w(f'<rect x="0" y="{y}" width="{WIDTH}" height="{GROUP_H}" fill="#f2f4f7"/>')
        try:
            aname = reg.authority(auth).name
        except LookupError:
            aname = auth
        w(f'<text x="8" y="{y + 15}" font-weight="bold" font-size="12">{_e(auth)}'
          f'<tspan font-weight="normal" fill="#666"> — {_e(aname)}</tspan></text>')
        y += GROUP_H
        for m, h in lanes:
            cy = y + LANE_H / 2
            lane_y[m.id] = cy
            top = cy - BAR_H / 2
            w(f'<g class="lane" data-measure={quoteattr(m.id)}>')
            w(f'<title>{_e(m.id)}: {_e(m.title)} ({_e(m.kind)}{", " + _e(m.program) if m.program else ""})</title>')
            w(f'<text x="8" y="{cy + 4:.1f}">{_e(m.id if len(m.id) <= 50 else m.id[:49] + "…")}</text>')
            w(f'<line x1="{x0}" y1="{cy:.1f}" x2="{x1}" y2="{cy:.1f}" stroke="#eeeeee"/>')
            for s in h.versions:
                a, b = s.valid.start, s.valid.end
                if b is not None and b <= lo or a >= hi:
                    continue
                xa, xb = x(a), x(b if b is not None else hi)
                status = str(s.status)
                inst = _instrument(reg, s.transition)
                tip = (f"{m.id} v{s.version}: {status} {s.valid}"
                       + (f"\nby {s.transition.id} ({s.transition.action}, {s.transition.confidence})"
                          if s.transition else f"\nbegan by {s.cause}")
                       + (f"\ninstrument: {inst}" if inst else "")
                       + ("".join(f"\nlicence: {r.label}" for r in s.reliefs))
                       + ("\nuncertain: inside an effective window" if s.uncertain else "")
                       + (f"\nsources:\n{_sources(reg, s.transition.sources)}" if s.transition else ""))
                w(f'<rect class="run" data-status="{status}" x="{xa:.1f}" y="{top:.1f}" '
                  f'width="{max(xb - xa, 1.0):.1f}" height="{BAR_H}" fill="{STATUS_COLOURS.get(status, "#999")}">'
                  f'<title>{_e(tip)}</title></rect>')
                if s.uncertain:
                    w(f'<rect x="{xa:.1f}" y="{top:.1f}" width="{max(xb - xa, 1.0):.1f}" height="{BAR_H}" '
                      f'fill="url(#uncertain)"/>')
            for r, since, until in _relief_spans(h.versions):
                if until is not None and until <= lo or since >= hi:
                    continue
                xa, xb = x(since), x(until if until is not None else hi)
                scope = r.scope
                tip = (f"licence {r.label}: {since} to {until or 'open'}"
                       + (f"\n{r.instrument.title}" if r.instrument is not None else "")
                       + (f"\nauthorises: {scope.authorises}" if scope is not None and scope.authorises else "")
                       + (f"\nexcludes: {'; '.join(scope.excludes)}" if scope is not None and scope.excludes else "")
                       + "".join(f"\ncondition: {c}" for c in r.conditions)
                       + f"\nsources:\n{_sources(reg, r.transition.sources)}")
                w(f'<rect class="relief" data-transition={quoteattr(r.transition.id)} x="{xa:.1f}" '
                  f'y="{top + BAR_H * 0.45:.1f}" width="{max(xb - xa, 2.0):.1f}" height="{BAR_H * 0.55:.1f}" '
                  f'fill="url(#relief)" stroke="{RELIEF_COLOUR}" stroke-width="1"><title>{_e(tip)}</title></rect>')
            for t in (t for t in trans if t.measure == m.id):
                if not lo <= t.when <= hi:
                    continue
                tx = x(t.when)
                inst = _instrument(reg, t)
                tip = (f"{t.id}: {t.action} {'announced ' if t.is_pending else 'effective '}{t.when}"
                       f" (recorded {t.recorded}, {t.confidence})"
                       + (f"\ninstrument: {inst}" if inst else "") + (f"\n{t.note}" if t.note else "")
                       + f"\nsources:\n{_sources(reg, t.sources)}")
                if t.is_pending:
                    w(f'<path class="pending" data-transition={quoteattr(t.id)} '
                      f'd="M{tx:.1f},{top - 1:.1f} l-5,-7 h10 z" fill="#ffffff" stroke="#333" stroke-width="1.2">'
                      f'<title>{_e(tip)}</title></path>')
                else:
                    w(f'<line class="transition" data-transition={quoteattr(t.id)} x1="{tx:.1f}" y1="{top - 2:.1f}" '
                      f'x2="{tx:.1f}" y2="{top + BAR_H + 2:.1f}" stroke="#222" stroke-width="1.5">'
                      f'<title>{_e(tip)}</title></line>')
            w('</g>')
            y += LANE_H
        w('</g>')
    w('</g>')

    # releases and their links
    ry = TOP - 26
    w('<g class="releases">')
    w(f'<text x="8" y="{ry + 4}" font-weight="bold" fill="{RELEASE_COLOUR}">prisoner releases</text>')
    by_id = {t.id: t for t in trans}
    for n, dl in enumerate(deals):
        r = dl.release
        rx = x(r.date)
        for lt in dl.links:
            t = by_id.get(lt.transition.id)
            if t is None or t.measure not in lane_y:
                continue
            basis = str(lt.link.basis)
            tip = (f"{r.id} → {t.id} ({basis}, recorded {lt.link.recorded})"
                   + (f"\n“{lt.link.quote}”" if lt.link.quote else "")
                   + f"\nsources:\n{_sources(reg, lt.link.sources)}")
            dash = BASIS_DASH.get(basis, "")
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            w(f'<line class="link" data-release={quoteattr(r.id)} data-transition={quoteattr(t.id)} '
              f'data-basis="{basis}" x1="{rx:.1f}" y1="{ry + 6}" x2="{x(t.when):.1f}" y2="{lane_y[t.measure]:.1f}" '
              f'stroke="{RELEASE_COLOUR}" stroke-opacity="0.75" stroke-width="1.3"{dash_attr}>'
              f'<title>{_e(tip)}</title></line>')
        tip = (f"{r.id}: {r.count if r.count is not None else '?'} released on {r.date}"
               + (f"\npeople: {', '.join(r.people)}" if r.people else "")
               + (f"\ndestinations: {', '.join(r.destinations)}" if r.destinations else "")
               + (f"\nnegotiators: {', '.join(r.negotiators)}" if r.negotiators else "")
               + f"\nsources:\n{_sources(reg, r.sources)}")
        w(f'<g class="release" data-release={quoteattr(r.id)}><title>{_e(tip)}</title>'
          f'<path d="M{rx:.1f},{ry - 6} l6,6 l-6,6 l-6,-6 z" fill="{RELEASE_COLOUR}"/>'
          f'<text x="{rx:.1f}" y="{ry - 10 - 9 * (n % 2)}" text-anchor="middle" font-size="10" '
          f'fill="{RELEASE_COLOUR}">{_e(r.count if r.count is not None else "?")}</text></g>')
    w('</g>')

    # legend
    ly = lanes_bottom + 22
    w('<g class="legend">')
    lx = 8
    for status in Status:
        w(f'<rect x="{lx}" y="{ly - 10}" width="18" height="12" fill="{STATUS_COLOURS[str(status)]}"/>'
          f'<text x="{lx + 23}" y="{ly}">{status}</text>')
        lx += 110
    w(f'<rect x="{lx}" y="{ly - 10}" width="18" height="12" fill="url(#relief)" stroke="{RELIEF_COLOUR}"/>'
      f'<text x="{lx + 23}" y="{ly}">licence in effect</text>')
    lx += 130
    w(f'<path d="M{lx + 9},{ly + 1} l-5,-9 h10 z" fill="#fff" stroke="#333"/>'
      f'<text x="{lx + 23}" y="{ly}">pending announcement</text>')
    lx += 165
    w(f'<line x1="{lx + 9}" y1="{ly - 11}" x2="{lx + 9}" y2="{ly + 2}" stroke="#222" stroke-width="1.5"/>'
      f'<text x="{lx + 23}" y="{ly}">transition</text>')
    ly2 = ly + 22
    w(f'<path d="M14,{ly2 - 10} l6,6 l-6,6 l-6,-6 z" fill="{RELEASE_COLOUR}"/>'
      f'<text x="31" y="{ly2}">release (count)</text>')
    lx = 150
    for basis, dash in BASIS_DASH.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        w(f'<line x1="{lx}" y1="{ly2 - 4}" x2="{lx + 30}" y2="{ly2 - 4}" stroke="{RELEASE_COLOUR}" '
          f'stroke-width="1.5"{dash_attr}/><text x="{lx + 36}" y="{ly2}">link {basis}</text>')
        lx += 140
    known = f" · as known on {reg.known}" if reg.known is not None else ""
    w(f'<text x="{WIDTH - RIGHT_PAD}" y="{ly2}" text-anchor="end" fill="#777" font-size="10">'
      f'{_e(reg.info.name)} {_e(reg.info.version or "")} · {_e(reg.digest[:23])}…{known}</text>')
    w('</g>')
    w('</svg>')
    return "\n".join(out)


def render_html(reg: Any, *, target: str | None = None, authority: str | None = None, kind: str | None = None,
                program: str | None = None, start: _dt.date | None = None, end: _dt.date | None = None) -> str:
    """One self-contained HTML page holding the SVG timeline (no script, nothing fetched)."""
    svg = render_svg(reg, target=target, authority=authority, kind=kind, program=program, start=start, end=end)
    what = []
    if target is not None:
        ents = reg.resolve(target)
        what.append(f"target {ents[0].name}")
    for label, value in (("authority", authority), ("kind", kind), ("program", program)):
        if value is not None:
            what.append(f"{label} {value}")
    if start or end:
        what.append(f"{start or '…'} to {end or '…'}")
    title = f"sanctrack timeline — {reg.info.name}" + (f" — {', '.join(what)}" if what else "")
    known = f", as known on {reg.known}" if reg.known is not None else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{_e(title)}</title>\n"
        "<style>body{margin:16px;font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222;background:#fff}"
        "h1{font-size:18px;margin:0 0 4px}p{margin:0 0 10px;color:#555;font-size:12px}"
        "svg .lane:hover text{font-weight:bold}svg rect.run:hover,svg rect.relief:hover{stroke:#000}"
        "svg line.link:hover{stroke-width:3}</style>\n</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f"<p>Registry {_e(reg.info.name)} {_e(reg.info.version or '')}, digest <code>{_e(reg.digest)}</code>{known}. "
        "Hover over a bar, band, marker or line for its instrument and sources.</p>\n"
        f"{svg}\n</body>\n</html>\n"
    )
