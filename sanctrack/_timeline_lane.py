"""One measure's lane of the timeline: its state runs, licence bands, uncertain windows, transitions and
pending announcements, on the date axis, cut at the projection horizon."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import quoteattr

from ._layout import clip_text, text_width
from ._model import MeasureState
from ._timeline_style import (
    BAR_DY,
    BAR_H,
    FONT,
    LANE_H,
    PAD,
    PROJECTION_DASH,
    RELIEF_COLOUR,
    STATUS_COLOURS,
    TITLE_DY,
    WIDTH,
    esc,
    tip_el,
    tip_text,
)

__all__ = ["Axis", "pieces", "relief_spans", "sources_text", "instrument_text", "draw_lane"]


class Axis:
    """Dates to x in user units over ``[lo, hi]``."""

    def __init__(self, lo: _dt.date, hi: _dt.date) -> None:
        self.lo, self.hi = lo, hi
        self.x0, self.x1 = PAD, WIDTH - PAD
        self.span = max((hi - lo).days, 1)

    def __call__(self, d: _dt.date | None) -> float:
        if d is None:
            return self.x1
        return self.x0 + (self.x1 - self.x0) * min(max((d - self.lo).days, 0), self.span) / self.span

    def shows(self, a: _dt.date, b: _dt.date | None) -> bool:
        return not ((b is not None and b <= self.lo) or a >= self.hi)


def pieces(a: _dt.date, b: _dt.date | None, horizon: _dt.date | None) -> list[tuple[_dt.date, _dt.date | None, bool]]:
    """``[a, b)`` split at the horizon: (start, end, projected) pieces."""
    if horizon is None or (b is not None and b <= horizon):
        return [(a, b, False)]
    if a >= horizon:
        return [(a, b, True)]
    return [(a, horizon, False), (horizon, b, True)]


def relief_spans(versions: Iterable[MeasureState]) -> list[tuple[Any, _dt.date, _dt.date | None]]:
    """(relief, since, end) for every relief in a history; end None = still in effect."""
    spans: dict[str, list[Any]] = {}
    for s in versions:
        for r in s.reliefs:
            if r.transition.id not in spans:
                spans[r.transition.id] = [r, r.since, s.valid.end]
            else:
                spans[r.transition.id][2] = s.valid.end
    return [tuple(v) for v in spans.values()]


def sources_text(reg: Any, ids: Iterable[str]) -> str:
    """The sources of a hover title (``sources:`` then one line each), empty without sources."""
    out = []
    for sid in ids:
        try:
            s = reg.source(sid)
            out.append(f"{s.id} {s.publisher}: {s.url}")
        except LookupError:
            out.append(sid)
    return ("sources:\n" + "\n".join(out)) if out else ""


def instrument_text(reg: Any, t: Any) -> str:
    """The instrument of a transition in a hover title (``GL 11 — its title``), empty without one."""
    if t is None or not t.instrument:
        return ""
    try:
        i = reg.instrument(t.instrument)
    except LookupError:
        return str(t.instrument)
    return f"{i.label} — {i.title}" if i.label != i.title else str(i.title)


def draw_lane(w: Any, reg: Any, m: Any, h: Any, trans: list[Any], x: Axis, y: float, n: int,
          horizon: _dt.date | None) -> None:
    top = y + BAR_DY
    w(f'<g class="lane" data-measure={quoteattr(m.id)}>')
    w(tip_el(f"{m.title} ({m.authority}, {m.kind}{', ' + m.program if m.program else ''})", f"measure {m.id}"))
    if n % 2:
        w(f'<rect x="0" y="{y}" width="{WIDTH}" height="{LANE_H}" fill="#fafbfc"/>')
    suffix = f" · {m.authority}"
    title = clip_text(m.title, FONT, WIDTH - 2 * PAD - text_width(suffix, FONT))
    w(f'<text class="lane-title" x="{PAD}" y="{y + TITLE_DY}">{esc(title)}'
      f'<tspan fill="#777">{esc(suffix)}</tspan></text>')
    w(f'<line x1="{x.x0}" y1="{top + BAR_H / 2:.1f}" x2="{x.x1}" y2="{top + BAR_H / 2:.1f}" stroke="#eeeeee"/>')
    for s in h.versions:
        if not s.exists or not x.shows(s.valid.start, s.valid.end):
            continue  # before it existed (an announcement only): no bar; the pending marker says it
        status = str(s.status)
        inst = instrument_text(reg, s.transition)
        t = s.transition
        for a, b, projected in pieces(s.valid.start, s.valid.end, horizon):
            if not x.shows(a, b):
                continue
            xa, xb = x(a), x(b if b is not None else x.hi)
            tip = tip_text(f"{m.title}: {status.replace('_', ' ')} {s.valid}",
                       f"projection: after {horizon}, later records may change it" if projected else None,
                       (f"{'scheduled to lapse' if horizon is None or s.until > horizon else 'lapses'} on {s.until}"
                        if s.until is not None else None),
                       f"by {t.id} ({t.action}, {t.confidence})" if t is not None else f"began by {s.cause}",
                       f"instrument: {inst}" if inst else None,
                       *(f"licence: {r.label}" for r in s.reliefs),
                       "uncertain: inside an effective window" if s.uncertain else None,
                       f"version {s.version} of {m.id}",
                       sources_text(reg, t.sources) if t is not None else None)
            fill = STATUS_COLOURS.get(status, "#999999")
            if projected:
                w(f'<rect class="projection" data-status="{status}" x="{xa:.1f}" y="{top:.1f}" '
                  f'width="{max(xb - xa, 1.0):.1f}" height="{BAR_H}" fill="{fill}" fill-opacity="0.4" '
                  f'stroke="#555555" stroke-width="1" stroke-dasharray="{PROJECTION_DASH}"><title>{esc(tip)}</title>'
                  '</rect>')
            else:
                w(f'<rect class="run" data-status="{status}" x="{xa:.1f}" y="{top:.1f}" '
                  f'width="{max(xb - xa, 1.0):.1f}" height="{BAR_H}" fill="{fill}"><title>{esc(tip)}</title></rect>')
            if s.uncertain:
                w(f'<rect class="uncertain" x="{xa:.1f}" y="{top:.1f}" width="{max(xb - xa, 1.0):.1f}" '
                  f'height="{BAR_H}" fill="url(#uncertain)"><title>{esc(tip)}</title></rect>')
    for r, since, until in relief_spans(h.versions):
        scope = r.scope
        tip = tip_text(f"licence {r.label}: {since} to {until or 'open'}",
                   r.instrument.title if r.instrument is not None else None,
                   f"authorises: {scope.authorises}" if scope is not None and scope.authorises else None,
                   f"excludes: {'; '.join(scope.excludes)}" if scope is not None and scope.excludes else None,
                   *(f"condition: {c}" for c in r.conditions),
                   sources_text(reg, r.transition.sources))
        for a, b, projected in pieces(since, until, horizon):
            if not x.shows(a, b):
                continue
            xa, xb = x(a), x(b if b is not None else x.hi)
            cls = "relief-projection" if projected else "relief"
            extra = f' fill-opacity="0.5" stroke-dasharray="{PROJECTION_DASH}"' if projected else ""
            w(f'<rect class="{cls}" data-transition={quoteattr(r.transition.id)} x="{xa:.1f}" '
              f'y="{top + BAR_H * 0.45:.1f}" width="{max(xb - xa, 2.0):.1f}" height="{BAR_H * 0.55:.1f}" '
              f'fill="url(#relief)" stroke="{RELIEF_COLOUR}" stroke-width="1"{extra}><title>{esc(tip)}</title></rect>')
    for t in (t for t in trans if t.measure == m.id):
        if not x.lo <= t.when <= x.hi:
            continue
        tx = x(t.when)
        inst = instrument_text(reg, t)
        tip = tip_text(f"{t.id}: {t.action} {'announced ' if t.is_pending else 'effective '}{t.when}"
                   f" (recorded {t.recorded}, {t.confidence})",
                   f"until {t.until}" if t.until is not None else None,
                   f"instrument: {inst}" if inst else None, t.note, sources_text(reg, t.sources))
        if t.is_pending:
            bottom = top + BAR_H
            w(f'<path class="pending" data-transition={quoteattr(t.id)} '
              f'd="M{tx:.1f},{bottom + 1:.1f} l-5,7 h10 z" fill="#ffffff" stroke="#333" stroke-width="1.2">'
              f'<title>{esc(tip)}</title></path>')
        else:
            w(f'<line class="transition" data-transition={quoteattr(t.id)} x1="{tx:.1f}" y1="{top - 2:.1f}" '
              f'x2="{tx:.1f}" y2="{top + BAR_H + 2:.1f}" stroke="#222" stroke-width="1.5">'
              f'<title>{esc(tip)}</title></line>')
    w('</g>')
