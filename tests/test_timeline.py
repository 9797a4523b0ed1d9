"""The HTML/SVG timeline: it parses, holds the expected lanes and markers, and fits the window in a real browser."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

import sanctrack
from sanctrack.timeline import PAD, WIDTH, render_html, render_svg

from ._small_registry import build as build_small

NS = {"s": "http://www.w3.org/2000/svg"}
CHROMIUM = Path("/usr/bin/chromium") if Path("/usr/bin/chromium").exists() else (
    Path(shutil.which("chromium")) if shutil.which("chromium") else None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
TODAY = dt.date(2026, 12, 6)  # after the bundled registry's knowledge (latest recorded 2026-12-05)
KNOWN = dt.date(2026, 12, 5)


@pytest.fixture(scope="module")
def bundled():
    return sanctrack.load()


@pytest.fixture(scope="module")
def belavia_svg(bundled):
    return ET.fromstring(render_svg(bundled, target="belavia", as_of=TODAY))


def _all(root, selector):
    return root.findall(selector, NS)


def _text(el) -> str:
    return "".join(el.itertext())


def test_the_svg_scales_to_the_window(belavia_svg):
    assert belavia_svg.get("width") == "100%"
    assert belavia_svg.get("height") is None  # the height follows from the viewBox's aspect ratio
    x0, y0, w, h = map(float, belavia_svg.get("viewBox").split())
    assert (x0, y0, w) == (0, 0, WIDTH) and h > 300


def test_belavia_lanes_grouped_by_authority_and_titled_by_title_and_authority(bundled, belavia_svg):
    groups = [g.get("data-authority") for g in _all(belavia_svg, ".//s:g[@class='authority']")]
    assert groups == ["EU", "UK", "US-BIS", "US-OFAC"]
    heads = [_text(t) for t in _all(belavia_svg, ".//s:text[@class='group-title']")]
    assert heads[0] == "EU — Council of the European Union"
    lanes = {g.get("data-measure"): _text(g.find("s:text[@class='lane-title']", NS))
             for g in _all(belavia_svg, ".//s:g[@class='lane']")}
    # exactly the measures that ever targeted Belavia, each once
    expected = {m.id for m in bundled.measures
                if "belavia" in m.targets or any("belavia" in s.targets for s in bundled.history(m.id))}
    assert set(lanes) == expected
    assert lanes["us-ofac-belavia-sdn"] == "SDN blocking of OJSC Belavia Belarusian Airlines · US-OFAC"
    assert lanes["eu-belavia-listing"] == "EU asset-freeze listing of Belavia (fifth Belarus package) · EU"
    for mid, title in lanes.items():  # titles, not ids
        assert mid not in title
        m = bundled.measure(mid)
        assert title.endswith(f" · {m.authority}")
        assert m.title.startswith(title[: -len(f" · {m.authority}")].rstrip("…"))


def test_belavia_ofac_lane_runs_reliefs_and_pending(belavia_svg):
    lane = belavia_svg.find(".//s:g[@data-measure='us-ofac-belavia-sdn']", NS)
    runs = [r.get("data-status") for r in lane.findall("s:rect[@class='run']", NS)]
    assert runs == ["relieved", "in_force", "relieved", "lifted"]
    # the lifted run is a fact up to the registry's knowledge (2026-12-05), a projection after it
    assert [r.get("data-status") for r in lane.findall("s:rect[@class='projection']", NS)] == ["lifted"]
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


def test_the_eu_lapse_after_the_registrys_knowledge_is_drawn_as_a_projection(belavia_svg):
    lane = belavia_svg.find(".//s:g[@data-measure='eu-belavia-listing']", NS)
    facts = lane.findall("s:rect[@class='run']", NS)
    projected = lane.findall("s:rect[@class='projection']", NS)
    assert {r.get("data-status") for r in facts} == {"in_force"}  # listed 2021-12-02, renewed every February
    assert [r.get("data-status") for r in projected] == ["in_force", "expired"]  # the 2027-03-01 lapse
    for r in projected:
        assert r.get("stroke-dasharray")  # dashed
        assert "projection: after 2026-12-05, later records may change it" in r.find("s:title", NS).text
    # the fact ends exactly where the projection begins: on the knowledge date
    assert float(facts[-1].get("x")) + float(facts[-1].get("width")) == pytest.approx(
        float(projected[0].get("x")), abs=0.11)
    knowledge = belavia_svg.find(".//s:line[@class='knowledge']", NS)
    assert float(knowledge.get("x1")) == pytest.approx(float(projected[0].get("x")), abs=0.11)
    assert "scheduled to lapse on 2027-03-01" in projected[0].find("s:title", NS).text


def test_an_as_of_line_and_a_knowledge_line_with_their_labels(belavia_svg):
    (asof,) = _all(belavia_svg, ".//s:line[@class='as-of']")
    (label,) = _all(belavia_svg, ".//s:text[@class='as-of-label']")
    assert label.text == "as of 2026-12-06"
    (klabel,) = _all(belavia_svg, ".//s:text[@class='knowledge-label']")
    assert klabel.text == "registry's knowledge: 2026-12-05"
    knowledge = belavia_svg.find(".//s:line[@class='knowledge']", NS)
    assert float(knowledge.get("x1")) < float(asof.get("x1"))  # 2026-12-05 is left of 2026-12-06


def test_a_page_made_for_an_earlier_date_projects_from_that_date(bundled):
    root = ET.fromstring(render_svg(bundled, target="belavia", as_of=dt.date(2025, 10, 1)))
    lane = root.find(".//s:g[@data-measure='us-ofac-belavia-sdn']", NS)
    assert [r.get("data-status") for r in lane.findall("s:rect[@class='run']", NS)] == [
        "relieved", "in_force", "relieved"]  # the GL 11 run is cut at 2025-10-01
    assert [r.get("data-status") for r in lane.findall("s:rect[@class='projection']", NS)] == ["relieved", "lifted"]
    assert root.find(".//s:text[@class='as-of-label']", NS).text == "as of 2025-10-01"


def test_the_legend_names_every_pattern_used(belavia_svg):
    legend = [_text(t) for t in _all(belavia_svg, ".//s:g[@class='legend-item']/s:text")]
    assert legend == ["in force", "relieved", "suspended", "lifted", "expired", "licence in effect",
                      "date uncertain (effective window)",
                      "projection: after 2026-12-05, later records may change it",
                      "pending announcement", "transition", "release (people freed)",
                      "link stated", "link reported", "link inferred",
                      "as of 2026-12-06", "registry's knowledge: 2026-12-05"]
    fills = {el.get("fill") for el in belavia_svg.iter() if el.get("fill", "").startswith("url(#")}
    assert fills == {"url(#relief)", "url(#uncertain)"}  # each pattern the drawing uses has its entry above


def test_uncertain_windows_are_hatched(bundled):
    root = ET.fromstring(render_svg(bundled, as_of=TODAY))
    lane = root.find(".//s:g[@data-measure='us-ofac-belarus-soe-sdn']", NS)
    windows = [s for s in bundled.history("us-ofac-belarus-soe-sdn").versions if s.exists and s.uncertain]
    assert windows  # dates only bracketed by two list snapshots
    hatched = lane.findall("s:rect[@class='uncertain']", NS)
    assert len(hatched) == len(windows)
    assert {r.get("fill") for r in hatched} == {"url(#uncertain)"}


def test_release_rows_never_overlap(bundled):
    for target in ("belavia", None):
        root = ET.fromstring(render_svg(bundled, target=target, as_of=TODAY))
        placed = []
        for g in _all(root, ".//s:g[@class='release']"):
            text = g.find("s:text", NS)
            path = g.find("s:path", NS).get("d")
            x = float(re.match(r"M([\d.]+),", path).group(1))
            placed.append((int(g.get("data-row")), x - 6, float(text.get("x")) + 0.7 * 12 * len(text.text)))
        assert placed
        for i, a in enumerate(placed):
            for b in placed[i + 1:]:
                if a[0] == b[0]:
                    assert a[2] <= b[1] or b[2] <= a[1], (a, b)


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
    assert marker.find("s:text", NS).text == "52"


def test_links_end_on_their_transition_lane(belavia_svg):
    lane_y = {}
    for g in _all(belavia_svg, ".//s:g[@class='lane']"):
        line = g.find("s:line", NS)
        lane_y[g.get("data-measure")] = float(line.get("y1"))
    for ln in _all(belavia_svg, ".//s:line[@class='link']"):
        measure = ln.get("data-transition").rsplit(".", 1)[0]
        assert float(ln.get("y2")) == lane_y[measure]


def test_a_date_range_clips_every_shape_to_the_plot(bundled):
    root = ET.fromstring(render_svg(bundled, target="belavia", start=dt.date(2025, 1, 1), end=dt.date(2026, 1, 1),
                                    as_of=TODAY))
    rects = [r for cls in ("run", "relief", "projection") for r in _all(root, f".//s:rect[@class='{cls}']")]
    assert rects
    for r in rects:
        x, w = float(r.get("x")), float(r.get("width"))
        assert x >= PAD - 0.05 and x + w <= WIDTH - PAD + 2.05
    lane = root.find(".//s:g[@data-measure='us-bis-belavia-tdo']", NS)
    assert [r.get("data-status") for r in lane.findall("s:rect[@class='run']", NS)] == ["expired"]
    assert not _all(root, ".//s:line[@class='as-of']")  # 2026-12-06 is outside the range shown


@pytest.mark.parametrize("target", ["belavia", None])
def test_no_none_anywhere(bundled, target):
    page = render_html(bundled, target=target, as_of=TODAY)
    assert "None" not in page
    assert "None" not in render_html(build_small().as_known_on("2026-03-27"))


def test_html_is_self_contained(bundled):
    html = render_html(bundled, target="belavia", as_of=TODAY)
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    for needle in ('src="', "href=", "@import", "url(http"):
        assert needle not in html
    body = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
    ET.fromstring(body)  # the inline SVG is well-formed XML
    assert bundled.digest in html
    assert "Made as of 2026-12-06." in html


def test_timeline_of_a_small_registry_as_known_on_a_date():
    reg = build_small().as_known_on("2026-03-27")
    root = ET.fromstring(render_svg(reg))  # as of its knowledge date: no projection before it
    lane = root.find(".//s:g[@data-measure='us-ofac-belaruskali-sdn']", NS)
    runs = [(r.get("data-status"), r.find("s:title", NS).text.split("\n")[0])
            for r in lane.findall("s:rect[@class='run']", NS)]
    assert runs[-1] == ("lifted", "SDN blocking of Belaruskali OAO: lifted [2026-03-25, open)")  # the draft
    assert root.find(".//s:text[@class='as-of-label']", NS).text == "as of 2026-03-27"


# -- in a real browser ------------------------------------------------------------------

_MEASURE = """<script>
(function () {
  var de = document.documentElement, svg = document.querySelector("svg.timeline");
  var vb = svg.viewBox.baseVal, boxes = [];
  svg.querySelectorAll("text").forEach(function (t) {
    var b = t.getBBox();
    boxes.push([b.x, b.y, b.x + b.width, b.y + b.height, t.textContent]);
  });
  var outside = boxes.filter(function (b) { return b[0] < -0.5 || b[2] > vb.width + 0.5; })
                     .map(function (b) { return b[4]; });
  var overlaps = [];
  for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
    var a = boxes[i], c = boxes[j];
    if (a[0] < c[2] - 0.5 && c[0] < a[2] - 0.5 && a[1] < c[3] - 0.5 && c[1] < a[3] - 0.5)
      overlaps.push(a[4] + " | " + c[4]);
  }
  var r = {scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, innerWidth: window.innerWidth,
           svgWidth: svg.getBoundingClientRect().width, height: de.scrollHeight, texts: boxes.length,
           outside: outside, overlaps: overlaps};
  var pre = document.createElement("pre");
  pre.id = "measure";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
</script>"""


def _chromium(tmp_path: Path, *args: str) -> str:
    proc = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _measure(page_html: str, width: int, tmp_path: Path) -> dict:
    """Open the page at ``width`` px and read what the page itself measured (layout after load)."""
    page = tmp_path / f"measure-{width}.html"
    page.write_text(page_html.replace("</body>", _MEASURE + "\n</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, f"--window-size={width},900", "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="measure">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(htmllib.unescape(found.group(1)))


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


@pytest.mark.heavy  # a browser: nothing of .ci/oldest.txt
@needs_chromium
@pytest.mark.parametrize("width", [800, 1400])
@pytest.mark.parametrize("target", ["belavia", None])
def test_chromium_shows_the_timeline_without_horizontal_overflow(bundled, tmp_path, width, target):
    page = render_html(bundled, target=target, as_of=TODAY)
    m = _measure(page, width, tmp_path)
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= m["clientWidth"], m  # nothing runs past the window
    assert m["svgWidth"] <= m["clientWidth"]
    assert m["svgWidth"] >= min(width - 40, 1200) - 1  # and the drawing uses the width it has (up to 1,200 px)
    assert m["texts"] >= 40
    assert m["outside"] == [], m["outside"]  # every label inside the drawing
    assert m["overlaps"] == [], m["overlaps"]  # and no two labels overlap
    shown = tmp_path / "page.html"
    shown.write_text(page, encoding="utf-8")
    png = tmp_path / f"timeline-{width}.png"
    _chromium(tmp_path, f"--screenshot={png}", f"--window-size={width},{m['height']}", shown.as_uri())
    w, h, values = _png_facts(png.read_bytes())
    assert (w, h) == (width, m["height"])
    assert values > 50  # not a blank page: bars, text, colours


@pytest.mark.heavy  # a browser: nothing of .ci/oldest.txt
@needs_chromium
def test_the_overflow_check_catches_a_fixed_width_page(bundled, tmp_path):
    # the layout before: a drawing 1,360 px wide whatever the window; the same check must fail on it
    page = render_html(bundled, target="belavia", as_of=TODAY).replace('width="100%"', 'width="1360"', 1)
    page = page.replace("svg.timeline{display:block;width:100%;height:auto}", "")
    m = _measure(page, 800, tmp_path)
    assert m["scrollWidth"] > m["clientWidth"]


def test_the_docs_png_is_a_real_png():
    path = Path(__file__).resolve().parents[1] / "docs" / "timeline-belavia.png"
    width, height, values = _png_facts(path.read_bytes())
    assert width == 1400 and height > 300 and values > 50
