"""The timeline's text: escaped for SVG, hover titles without empty lines."""

from __future__ import annotations

from sanctrack._timeline_style import PAD, STATUS_COLOURS, WIDTH, esc, tip_el, tip_text
from sanctrack.timeline import STATUS_COLOURS as PUBLIC_COLOURS


def test_text_is_escaped_for_svg() -> None:
    assert esc("GL 11 <draft> & co") == "GL 11 &lt;draft&gt; &amp; co"
    assert esc(3) == "3"


def test_a_hover_title_leaves_out_empty_lines_and_never_says_none() -> None:
    assert tip_text("a", None, "", "b") == "a\nb"
    assert tip_el("x < y", None) == "<title>x &lt; y</title>"


def test_every_status_has_a_colour_and_the_drawing_fits_its_width() -> None:
    assert set(STATUS_COLOURS) == {"in_force", "relieved", "suspended", "lifted", "expired"}
    assert PUBLIC_COLOURS is STATUS_COLOURS
    assert 0 < PAD < WIDTH / 2
