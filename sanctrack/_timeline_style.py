"""How the timeline looks: its colours, dash patterns and sizes (user units of the SVG ``viewBox``), and
the escaping of the text and hover titles it draws."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

__all__ = ["STATUS_COLOURS", "RELIEF_COLOUR", "RELEASE_COLOUR", "BASIS_DASH", "PROJECTION_DASH", "WIDTH", "PAD",
           "FONT", "SMALL", "ROW_H", "GROUP_H", "LANE_H", "TITLE_DY", "BAR_DY", "BAR_H", "LEGEND_CELL", "esc",
           "tip_text", "tip_el"]

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
PROJECTION_DASH = "4 3"

WIDTH = 960  # the viewBox width, in user units: the page scales it to the window
PAD = 12
FONT = 14
SMALL = 12
ROW_H = 18
GROUP_H = 28
LANE_H = 44
TITLE_DY = 15  # a lane's title baseline below its top
BAR_DY = 20  # a lane's bar below its top
BAR_H = 14
LEGEND_CELL = (WIDTH - 2 * PAD + 12) / 8  # the legend's grid: eight cells a row


def esc(text: Any) -> str:
    """``text`` escaped for SVG/HTML text."""
    return escape(str(text))


def tip_text(*lines: Any) -> str:
    """A hover title from lines, leaving out the empty ones (and never printing ``None``)."""
    return "\n".join(str(x) for x in lines if x not in (None, ""))


def tip_el(*lines: Any) -> str:
    """A ``<title>`` element (a hover title) from lines."""
    return f"<title>{esc(tip_text(*lines))}</title>"
