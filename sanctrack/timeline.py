"""A self-contained HTML/SVG timeline of measures, licences and releases.

One lane per measure, titled by the measure's title and authority, lanes
grouped by authority. Each state run is a bar coloured by its status; every
licence (relief) in effect is a striped band over the runs it relieves; a
state inside an effective window (a date only bracketed by two list snapshots)
is cross-hatched; pending announcements are open triangles under the bar;
releases sit in rows at the top, never overlapping, with a line to every
transition they are linked to (solid: ``stated``, dashed: ``reported``,
dotted: ``inferred``). Every shape has a hover title naming the instrument and
the sources.

The page is made *as of* a date (passed in; the command line passes today's):
a vertical line marks it. What the registry says of dates after the earlier of
that date and the registry's knowledge (its latest ``recorded`` date, or the
``known`` date of a view) is a projection — a scheduled lapse may be renewed —
and is drawn as such: paler, with a dashed outline, never as a fact.

The SVG has a ``viewBox`` and is 100% wide: the browser scales the whole
drawing to the window, so it never overflows it, and labels laid out apart
stay apart. One HTML file with an inline SVG and a little CSS: no JavaScript,
no fonts or images fetched from anywhere. Pure: builds text.

>>> html = render_html(registry, target="belavia", as_of=datetime.date(2026, 12, 6))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from typing import Any
from xml.sax.saxutils import quoteattr

from ._layout import clip_text, month_starts, pack_rows, text_width, year_step
from ._timeline_lane import Axis, draw_lane, sources_text
from ._timeline_legend import draw_legend
from ._timeline_style import (
    BAR_DY,
    BAR_H,
    BASIS_DASH,
    FONT,
    GROUP_H,
    LANE_H,
    PAD,
    RELEASE_COLOUR,
    RELIEF_COLOUR,
    ROW_H,
    SMALL,
    STATUS_COLOURS,
    WIDTH,
    esc,
    tip_text,
)

__all__ = ["STATUS_COLOURS", "WIDTH", "PAD", "render_svg", "render_html", "select_measures", "knowledge_date"]


def knowledge_date(reg: Any) -> _dt.date | None:
    """What the registry knows up to: a view's ``known`` date, else its latest ``recorded`` (None if empty)."""
    if reg.known is not None:
        return reg.known  # type: ignore[no-any-return]
    return max((t.recorded for t in reg.transitions), default=None)


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


def _authority_name(reg: Any, code: str) -> str:
    try:
        return str(reg.authority(code).name)
    except LookupError:
        return code


def render_svg(reg: Any, *, target: str | None = None, authority: str | None = None, kind: str | None = None,
               program: str | None = None, start: _dt.date | None = None, end: _dt.date | None = None,
               as_of: _dt.date | None = None) -> str:
    """The timeline as an SVG document (text), made as of ``as_of`` (default: the registry's knowledge date)."""
    rows = select_measures(reg, target=target, authority=authority, kind=kind, program=program)
    shown = {m.id for m, _ in rows}
    known = knowledge_date(reg)
    as_of = as_of if as_of is not None else known
    horizon = min(d for d in (as_of, known) if d is not None) if (as_of or known) else None
    trans = [t for t in reg.transitions if t.measure in shown]
    deals = [d for d in reg.deals() if any(lt.transition.measure in shown for lt in d.links)]
    dates = [s.valid.start for _, h in rows for s in h.versions] + [t.when for t in trans]
    dates += [d.release.date for d in deals] + [r.until for _, h in rows for s in h.versions for r in s.reliefs
                                                if r.until is not None]
    dates += [s.until for _, h in rows for s in h.versions if s.until is not None]
    lo = start or (min(dates) - _dt.timedelta(days=90) if dates else _dt.date(2000, 1, 1))
    hi = end or (max(dates + [d for d in (as_of,) if d is not None]) + _dt.timedelta(days=120)
                 if dates else lo + _dt.timedelta(days=365))
    if hi <= lo:
        hi = lo + _dt.timedelta(days=1)
    x = Axis(lo, hi)

    out: list[str] = []
    w = out.append

    # -- the rows above the lanes: years, the as-of and knowledge labels, the releases ---------------------
    axis_y = 18
    marks = []  # (date, label, class)
    if as_of is not None and lo <= as_of <= hi:
        marks.append((as_of, f"as of {as_of.isoformat()}", "as-of"))
    if known is not None and known != as_of and lo <= known <= hi:
        marks.append((known, f"registry's knowledge: {known.isoformat()}", "knowledge"))
    marks.sort()
    mark_ext = []
    for d, label, _ in marks:
        tw = text_width(label, SMALL)
        xx = x(d)
        mark_ext.append((xx + 4, xx + 4 + tw) if xx + 4 + tw <= x.x1 else (xx - 4 - tw, xx - 4))
    mark_rows = pack_rows(mark_ext, gap=8) if marks else []
    marks_top = axis_y + 8
    rel_head = marks_top + ROW_H * (max(mark_rows, default=-1) + 1) + 16
    items = sorted(deals, key=lambda d: (d.release.date, d.release.id))
    labels = [str(d.release.count) if d.release.count is not None else "?" for d in items]
    rel_ext = [(x(d.release.date) - 6, x(d.release.date) + 9 + text_width(lab, SMALL)) for d, lab in zip(items, labels)]
    rel_rows = pack_rows(rel_ext, gap=6)
    rel_top = rel_head + 8
    lanes_top = rel_top + ROW_H * (max(rel_rows, default=-1) + 1) + 10 if items else marks_top + ROW_H * (
        max(mark_rows, default=-1) + 1) + 8

    groups: list[tuple[str, list[tuple[Any, Any]]]] = []
    for m, h in rows:
        if not groups or groups[-1][0] != m.authority:
            groups.append((m.authority, []))
        groups[-1][1].append((m, h))
    lanes_bottom = lanes_top + sum(GROUP_H + LANE_H * len(g) for _, g in groups)

    legend, legend_h = draw_legend(reg, horizon, as_of, known, lanes_bottom + 18)
    height = lanes_bottom + 18 + legend_h + 8

    w(f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" width="100%" '
      f'preserveAspectRatio="xMinYMin meet" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" '
      f'font-size="{FONT}" role="img" aria-label="sanctrack timeline">')
    w(f'<title>{esc(reg.info.name)} timeline {lo.isoformat()} to {hi.isoformat()} ({esc(reg.digest)})</title>')
    w('<defs><pattern id="relief" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
      f'<rect width="6" height="6" fill="{RELIEF_COLOUR}" fill-opacity="0.35"/>'
      f'<line x1="0" y1="0" x2="0" y2="6" stroke="{RELIEF_COLOUR}" stroke-width="3"/></pattern>'
      '<pattern id="uncertain" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">'
      '<line x1="0" y1="0" x2="0" y2="5" stroke="#ffffff" stroke-width="2.2" stroke-opacity="0.9"/></pattern></defs>')
    w(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')

    # axis: a line per year (per month when the range is short), labels that never touch
    w('<g class="axis">')
    grid_top, grid_bottom = axis_y + 6, lanes_bottom
    yearly = x.span > 800
    if yearly:
        step = year_step((x.x1 - x.x0) * 365.25 / x.span, text_width("2026", SMALL))
        ticks = [_dt.date(y, 1, 1) for y in range(lo.year, hi.year + 1) if _dt.date(y, 1, 1) >= lo]
        for d in ticks:
            w(f'<line x1="{x(d):.1f}" y1="{grid_top}" x2="{x(d):.1f}" y2="{grid_bottom}" stroke="#e6e6e6"/>')
        for d in (t for t in ticks if t.year % step == 0):
            if x(d) + 2 + text_width(str(d.year), SMALL) <= x.x1:
                w(f'<text x="{x(d) + 2:.1f}" y="{axis_y}" font-size="{SMALL}" fill="#555">{d.year}</text>')
    else:
        months = month_starts(lo, hi)
        step = year_step((x.x1 - x.x0) * 30.44 / x.span, text_width("2026-01", SMALL)) if months else 1
        for n, d in enumerate(months):
            w(f'<line x1="{x(d):.1f}" y1="{grid_top}" x2="{x(d):.1f}" y2="{grid_bottom}" stroke="#e6e6e6"/>')
            if n % step == 0 and x(d) + 2 + text_width("2026-01", SMALL) <= x.x1:
                w(f'<text x="{x(d) + 2:.1f}" y="{axis_y}" font-size="{SMALL}" fill="#555">{d:%Y-%m}</text>')
    w('</g>')

    # lanes
    lane_y: dict[str, float] = {}
    y = lanes_top
    w('<g class="lanes">')
    for auth, lanes in groups:
        w(f'<g class="authority" data-authority={quoteattr(auth)}>')
        w(f'<rect x="0" y="{y}" width="{WIDTH}" height="{GROUP_H - 4}" fill="#eef1f5"/>')
        head = clip_text(f"{auth} — {_authority_name(reg, auth)}", FONT, WIDTH - 2 * PAD, bold=True)
        w(f'<text class="group-title" x="{PAD}" y="{y + 17}" font-weight="bold">{esc(head)}</text>')
        y += GROUP_H
        for n, (m, h) in enumerate(lanes):
            draw_lane(w, reg, m, h, trans, x, y, n, horizon)
            lane_y[m.id] = y + BAR_DY + BAR_H / 2
            y += LANE_H
        w('</g>')
    w('</g>')

    # the as-of and knowledge lines, over the lanes
    w('<g class="dates">')
    for (d, label, cls), (ex0, _), r in zip(marks, mark_ext, mark_rows):
        xx = x(d)
        dash = ' stroke-dasharray="5 3"' if cls == "knowledge" else ""
        colour = "#111111" if cls == "as-of" else "#777777"
        w(f'<line class="{cls}" x1="{xx:.1f}" y1="{marks_top}" x2="{xx:.1f}" y2="{grid_bottom}" stroke="{colour}" '
          f'stroke-width="1.6"{dash}/>')
        w(f'<text class="{cls}-label" x="{ex0:.1f}" y="{marks_top + 12 + r * ROW_H}" font-size="{SMALL}" '
          f'fill="{colour}">{esc(label)}</text>')
    w('</g>')

    # releases and their links
    w('<g class="releases">')
    if items:
        w(f'<text class="releases-title" x="{PAD}" y="{rel_head}" font-size="{SMALL}" font-weight="bold" '
          f'fill="{RELEASE_COLOUR}">Prisoner releases (people freed) and the transitions linked to them</text>')
    by_id = {t.id: t for t in trans}
    for dl, label, r in zip(items, labels, rel_rows):
        rel = dl.release
        rx, ry = x(rel.date), rel_top + 8 + r * ROW_H
        for lt in dl.links:
            t = by_id.get(lt.transition.id)
            if t is None or t.measure not in lane_y:
                continue
            basis = str(lt.link.basis)
            tip = tip_text(f"{rel.id} → {t.id} ({basis}, recorded {lt.link.recorded})",
                       f"“{lt.link.quote}”" if lt.link.quote else None, sources_text(reg, lt.link.sources))
            dash = BASIS_DASH.get(basis, "")
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            w(f'<line class="link" data-release={quoteattr(rel.id)} data-transition={quoteattr(t.id)} '
              f'data-basis="{basis}" x1="{rx:.1f}" y1="{ry + 6:.1f}" x2="{x(t.when):.1f}" y2="{lane_y[t.measure]:.1f}" '
              f'stroke="{RELEASE_COLOUR}" stroke-opacity="0.55" stroke-width="1.2"{dash_attr}>'
              f'<title>{esc(tip)}</title></line>')
        tip = tip_text(f"{rel.id}: {label} released on {rel.date}",
                   f"people: {', '.join(rel.people)}" if rel.people else None,
                   f"destinations: {', '.join(rel.destinations)}" if rel.destinations else None,
                   f"negotiators: {', '.join(rel.negotiators)}" if rel.negotiators else None,
                   sources_text(reg, rel.sources))
        w(f'<g class="release" data-release={quoteattr(rel.id)} data-row="{r}"><title>{esc(tip)}</title>'
          f'<path d="M{rx:.1f},{ry - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{RELEASE_COLOUR}"/>'
          f'<text class="release-label" x="{rx + 9:.1f}" y="{ry + 4:.1f}" font-size="{SMALL}" '
          f'fill="{RELEASE_COLOUR}">{esc(label)}</text></g>')
    w('</g>')
    out.extend(legend)
    w('</svg>')
    return "\n".join(out)


def render_html(reg: Any, *, target: str | None = None, authority: str | None = None, kind: str | None = None,
                program: str | None = None, start: _dt.date | None = None, end: _dt.date | None = None,
                as_of: _dt.date | None = None) -> str:
    """One self-contained HTML page holding the SVG timeline (no script, nothing fetched), fit to the window."""
    svg = render_svg(reg, target=target, authority=authority, kind=kind, program=program, start=start, end=end,
                     as_of=as_of)
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
    when = as_of if as_of is not None else knowledge_date(reg)
    known = f", as known on {reg.known}" if reg.known is not None else ""
    made = f" Made as of {when}." if when is not None else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n"
        "<style>html,body{margin:0;padding:0;background:#fff}"
        "body{padding:16px;font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222}"
        "main{max-width:1200px;margin:0 auto}"
        "h1{font-size:20px;margin:0 0 4px;overflow-wrap:anywhere}"
        "p{margin:0 0 12px;color:#555;font-size:13px;overflow-wrap:anywhere}"
        "svg.timeline{display:block;width:100%;height:auto}"
        "svg .lane:hover .lane-title{font-weight:bold}svg rect.run:hover,svg rect.relief:hover{stroke:#000}"
        "svg line.link:hover{stroke-width:3;stroke-opacity:1}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{esc(title)}</h1>\n"
        f"<p>Registry {esc(reg.info.name)} {esc(reg.info.version or '')}, digest <code>{esc(reg.digest)}</code>{known}."
        f"{esc(made)} Hover over a bar, band, marker or line for its instrument and sources.</p>\n"
        f"{svg}\n</main>\n</body>\n</html>\n"
    )
