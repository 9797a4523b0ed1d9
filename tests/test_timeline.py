"""The HTML/SVG timeline: it parses, holds the expected lanes and markers, renders headless."""

from __future__ import annotations

import datetime as dt
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

import sanctrack
from sanctrack.timeline import LABEL_W, RIGHT_PAD, WIDTH, render_html, render_svg

from ._small_registry import build as build_small

NS = {"s": "http://www.w3.org/2000/svg"}
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def bundled():
    return sanctrack.load()


@pytest.fixture(scope="module")
def belavia_svg(bundled):
    return ET.fromstring(render_svg(bundled, target="belavia"))


def _all(root, selector):
    return root.findall(selector, NS)


def test_belavia_lanes_grouped_by_authority(bundled, belavia_svg):
    groups = [g.get("data-authority") for g in _all(belavia_svg, ".//s:g[@class='authority']")]
    assert groups == sorted(groups)
    assert {"US-OFAC", "US-BIS", "EU", "UK"} <= set(groups)
    lanes = [g.get("data-measure") for g in _all(belavia_svg, ".//s:g[@class='lane']")]
    assert {"us-ofac-belavia-sdn", "us-bis-belavia-tdo", "us-bis-belarus-aircraft-licence-req",
            "eu-belarus-airspace-ban", "eu-belavia-listing", "uk-belavia-flying-restriction"} <= set(lanes)
    # exactly the measures that ever targeted Belavia, each once
    expected = {m.id for m in bundled.measures
                if "belavia" in m.targets or any("belavia" in s.targets for s in bundled.history(m.id))}
    assert sorted(lanes) == sorted(expected)


def test_belavia_ofac_lane_runs_reliefs_and_pending(belavia_svg):
    lane = belavia_svg.find(".//s:g[@data-measure='us-ofac-belavia-sdn']", NS)
    runs = [r.get("data-status") for r in lane.findall("s:rect[@class='run']", NS)]
    assert runs == ["relieved", "in_force", "relieved", "lifted"]
    reliefs = {r.get("data-transition"): r.find("s:title", NS).text
               for r in lane.findall("s:rect[@class='relief']", NS)}
    assert set(reliefs) == {"us-ofac-belavia-sdn.gl9", "us-ofac-belavia-sdn.gl11"}
    assert reliefs["us-ofac-belavia-sdn.gl11"].startswith("licence GL 11: 2025-09-11 to 2025-11-04")
    assert "excludes: unblocking of property already blocked" in reliefs["us-ofac-belavia-sdn.gl11"]
    assert "https://" in reliefs["us-ofac-belavia-sdn.gl11"]  # the sources, in the hover title
    (pending,) = lane.findall("s:path[@class='pending']", NS)
    assert pending.get("data-transition") == "us-ofac-belavia-sdn.announce-2025-09-11"
    ticks = {t.get("data-transition") for t in lane.findall("s:line[@class='transition']", NS)}
    assert {"us-ofac-belavia-sdn.impose", "us-ofac-belavia-sdn.gl11", "us-ofac-belavia-sdn.lift"} <= ticks
    run_titles = [r.find("s:title", NS).text for r in lane.findall("s:rect[@class='run']", NS)]
    assert "instrument: GL 11" in run_titles[2]


def test_belavia_release_markers_and_links(belavia_svg):
    releases = {g.get("data-release") for g in _all(belavia_svg, ".//s:g[@class='release']")}
    assert {"release-2025-09-11", "release-2025-11-22"} <= releases
    assert "release-2025-12-13" not in releases  # linked only to potash measures
    links = {(ln.get("data-release"), ln.get("data-transition"), ln.get("data-basis"))
             for ln in _all(belavia_svg, ".//s:line[@class='link']")}
    assert ("release-2025-09-11", "us-ofac-belavia-sdn.gl11", "reported") in links
    assert ("release-2025-09-11", "us-ofac-belavia-sdn.lift", "reported") in links
    marker = belavia_svg.find(".//s:g[@data-release='release-2025-09-11']", NS)
    assert marker.find("s:title", NS).text.startswith("release-2025-09-11: 52 released on 2025-09-11")


def test_links_end_on_their_transition_lane(belavia_svg):
    lane_y = {}
    for g in _all(belavia_svg, ".//s:g[@class='lane']"):
        line = g.find("s:line", NS)
        lane_y[g.get("data-measure")] = float(line.get("y1"))
    for ln in _all(belavia_svg, ".//s:line[@class='link']"):
        measure = ln.get("data-transition").rsplit(".", 1)[0]
        assert float(ln.get("y2")) == lane_y[measure]


def test_a_date_range_clips_every_shape_to_the_plot(bundled):
    root = ET.fromstring(render_svg(bundled, target="belavia", start=dt.date(2025, 1, 1), end=dt.date(2026, 1, 1)))
    rects = _all(root, ".//s:rect[@class='run']") + _all(root, ".//s:rect[@class='relief']")
    assert rects
    for r in rects:
        x, w = float(r.get("x")), float(r.get("width"))
        assert LABEL_W - 0.05 <= x and x + w <= WIDTH - RIGHT_PAD + 2.05
    lane = root.find(".//s:g[@data-measure='us-bis-belavia-tdo']", NS)
    assert [r.get("data-status") for r in lane.findall("s:rect[@class='run']", NS)] == ["expired"]


def test_html_is_self_contained(bundled):
    html = render_html(bundled, target="belavia")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    for needle in ('src="', "href=", "@import", "url(http"):
        assert needle not in html
    body = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
    ET.fromstring(body)  # the inline SVG is well-formed XML
    assert bundled.digest in html


def test_timeline_of_a_small_registry_as_known_on_a_date():
    reg = build_small().as_known_on("2026-03-27")
    root = ET.fromstring(render_svg(reg))
    lane = root.find(".//s:g[@data-measure='us-ofac-belaruskali-sdn']", NS)
    runs = [(r.get("data-status"), r.find("s:title", NS).text.split("\n")[0])
            for r in lane.findall("s:rect[@class='run']", NS)]
    assert runs[-1] == ("lifted", "us-ofac-belaruskali-sdn v4: lifted [2026-03-25, open)")  # the draft, then believed


def _png_facts(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the image data) from a PNG file, without PIL."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return size[0], size[1], len(set(zlib.decompress(idat)))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_chromium_renders_the_belavia_timeline(bundled, tmp_path):
    page = tmp_path / "belavia.html"
    page.write_text(render_html(bundled, target="belavia"), encoding="utf-8")
    png = tmp_path / "belavia.png"
    proc = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1400,540",
         page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    width, height, values = _png_facts(png.read_bytes())
    assert (width, height) == (1400, 540)
    assert values > 50  # not a blank page: bars, text, colours


def test_the_docs_png_is_a_real_png():
    path = Path(__file__).resolve().parents[1] / "docs" / "timeline-belavia.png"
    width, height, values = _png_facts(path.read_bytes())
    assert width == 1400 and height > 300 and values > 50
