"""Layout helpers of the timeline: text widths, labels packed into rows, dates on an axis.

Pure arithmetic on user units of an SVG ``viewBox``: the page scales the whole
drawing to the window, so anything laid out apart here stays apart at every
window width.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

__all__ = ["text_width", "pack_rows", "clip_text", "year_step"]

#: Average advance of a character of DejaVu Sans / Helvetica in ems, on the generous side for
#: text (DejaVu Sans digits are 0.636 em, lower-case letters 0.3-0.65 em, capitals up to 0.78 em);
#: the browser test measures the real boxes and fails if any label runs out or into another.
EM_PER_CHAR = 0.6
EM_PER_CHAR_BOLD = 0.68


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """A safe estimate of the width of ``text`` set at ``size`` user units."""
    return len(text) * size * (EM_PER_CHAR_BOLD if bold else EM_PER_CHAR)


def clip_text(text: str, size: float, width: float, *, bold: bool = False) -> str:
    """``text`` cut (with an ellipsis) so that it fits ``width`` at ``size``; whole if it fits."""
    if text_width(text, size, bold=bold) <= width:
        return text
    n = max(int(width / (size * (EM_PER_CHAR_BOLD if bold else EM_PER_CHAR))) - 1, 1)
    return text[:n].rstrip() + "…"


def pack_rows(extents: Sequence[tuple[float, float]], *, gap: float = 4.0) -> list[int]:
    """The row of each horizontal extent ``(x0, x1)`` so that no two in a row overlap.

    First fit, in the order given (callers pass them left to right): an extent goes into
    the first row whose last extent ends ``gap`` before it starts.
    """
    ends: list[float] = []
    rows: list[int] = []
    for x0, x1 in extents:
        for r, end in enumerate(ends):
            if end + gap <= x0:
                ends[r] = x1
                rows.append(r)
                break
        else:
            ends.append(x1)
            rows.append(len(ends) - 1)
    return rows


def year_step(px_per_year: float, label_width: float) -> int:
    """Label every n-th year so that year labels never touch: n in 1, 2, 5, 10, 20, 50."""
    for n in (1, 2, 5, 10, 20, 50):
        if px_per_year * n >= label_width + 6:
            return n
    return 100


def month_starts(lo: _dt.date, hi: _dt.date) -> list[_dt.date]:
    """The first days of the months in ``[lo, hi]``."""
    d = _dt.date(lo.year, lo.month, 1)
    out = []
    while d <= hi:
        if d >= lo:
            out.append(d)
        d = _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out
