"""The timeline's legend: every colour, pattern and line the drawing uses, laid out on a grid, and the
registry's name and digest under it."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ._layout import text_width
from ._model import Status
from ._timeline_style import (
    BASIS_DASH,
    LEGEND_CELL,
    PAD,
    PROJECTION_DASH,
    RELEASE_COLOUR,
    RELIEF_COLOUR,
    SMALL,
    STATUS_COLOURS,
    WIDTH,
    esc,
)

__all__ = ["draw_legend"]


def draw_legend(reg: Any, horizon: _dt.date | None, as_of: _dt.date | None, known: _dt.date | None,
            top: float) -> tuple[list[str], float]:
    """The legend's SVG elements (every colour, pattern and line the drawing uses) and its height."""
    swatch = '<rect x="{x}" y="{y}" width="20" height="12" {attrs}/>'
    entries: list[tuple[str, str]] = []  # (shape with {x} {y} for its top-left corner, label)
    for status in Status:
        entries.append((swatch.replace("{attrs}", f'fill="{STATUS_COLOURS[str(status)]}"'),
                        str(status).replace("_", " ")))
    entries.append((swatch.replace("{attrs}", f'fill="url(#relief)" stroke="{RELIEF_COLOUR}"'), "licence in effect"))
    entries.append((swatch.replace("{attrs}", f'fill="{STATUS_COLOURS["in_force"]}"') +
                    swatch.replace("{attrs}", 'fill="url(#uncertain)"'), "date uncertain (effective window)"))
    if horizon is not None:
        entries.append((swatch.replace("{attrs}", f'fill="{STATUS_COLOURS["in_force"]}" fill-opacity="0.4" '
                                       f'stroke="#555555" stroke-dasharray="{PROJECTION_DASH}"'),
                        f"projection: after {horizon.isoformat()}, later records may change it"))
    entries.append(('<path d="M{x10},{y} l-5,9 h10 z" fill="#ffffff" stroke="#333"/>', "pending announcement"))
    entries.append(('<line x1="{x10}" y1="{y}" x2="{x10}" y2="{y12}" stroke="#222" stroke-width="1.5"/>',
                    "transition"))
    entries.append((f'<path d="M{{x10}},{{y}} l6,6 l-6,6 l-6,-6 z" fill="{RELEASE_COLOUR}"/>',
                    "release (people freed)"))
    for basis, dash in BASIS_DASH.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        entries.append((f'<line x1="{{x}}" y1="{{y6}}" x2="{{x20}}" y2="{{y6}}" stroke="{RELEASE_COLOUR}" '
                        f'stroke-width="1.5"{dash_attr}/>', f"link {basis}"))
    if as_of is not None:
        entries.append(('<line x1="{x10}" y1="{y}" x2="{x10}" y2="{y12}" stroke="#111111" stroke-width="1.6"/>',
                        f"as of {as_of.isoformat()}"))
    if known is not None and known != as_of:
        entries.append(('<line x1="{x10}" y1="{y}" x2="{x10}" y2="{y12}" stroke="#777777" stroke-width="1.6" '
                        'stroke-dasharray="5 3"/>', f"registry's knowledge: {known.isoformat()}"))
    out = ['<g class="legend">']
    lx: float = PAD
    row = 0
    for shape, label in entries:
        cells = -(-(26 + text_width(label, SMALL) + 12) // LEGEND_CELL)  # items aligned on a grid of cells
        item_w = cells * LEGEND_CELL
        if lx + item_w > WIDTH - PAD + 12 and lx > PAD:
            lx, row = PAD, row + 1
        ly = top + row * 20
        out.append('<g class="legend-item">' + shape.format(x=f"{lx:.1f}", y=f"{ly:.1f}", x10=f"{lx + 10:.1f}",
                                                            x20=f"{lx + 20:.1f}", y6=f"{ly + 6:.1f}",
                                                            y12=f"{ly + 12:.1f}")
                   + f'<text x="{lx + 26:.1f}" y="{ly + 10:.1f}" font-size="{SMALL}">{esc(label)}</text></g>')
        lx += item_w
    fy = top + (row + 1) * 20 + 8
    known_text = f" · as known on {reg.known}" if reg.known is not None else ""
    footer = (f"{reg.info.name} {reg.info.version or ''} · {reg.digest[:23]}…{known_text}")
    out.append(f'<text class="footer" x="{PAD}" y="{fy:.1f}" fill="#777" font-size="{SMALL - 1}">'
               f'{esc(" ".join(footer.split()))}</text>')
    out.append('</g>')
    return out, (row + 1) * 20 + 16
