"""One measure's lane: the date axis, the projection horizon, licence spans and hover texts."""

from __future__ import annotations

import datetime

import pytest

import sanctrack
from sanctrack._timeline_lane import Axis, instrument_text, pieces, relief_spans, sources_text
from sanctrack._timeline_style import PAD, WIDTH

D = datetime.date


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


def test_the_axis_maps_its_range_onto_the_width_and_clamps_outside_it() -> None:
    x = Axis(D(2020, 1, 1), D(2020, 1, 11))
    assert (x(D(2020, 1, 1)), x(D(2020, 1, 6)), x(D(2020, 1, 11))) == (PAD, (PAD + WIDTH - PAD) / 2, WIDTH - PAD)
    assert x(D(2019, 1, 1)) == PAD and x(D(2030, 1, 1)) == WIDTH - PAD
    assert x(None) == WIDTH - PAD  # an open end runs to the edge
    assert x.shows(D(2019, 1, 1), None) and not x.shows(D(2019, 1, 1), D(2020, 1, 1))


def test_a_run_is_split_at_the_horizon_into_fact_and_projection() -> None:
    assert pieces(D(2025, 1, 1), D(2025, 6, 1), D(2025, 3, 1)) == [(D(2025, 1, 1), D(2025, 3, 1), False),
                                                                   (D(2025, 3, 1), D(2025, 6, 1), True)]
    assert pieces(D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)) == [(D(2025, 1, 1), D(2025, 2, 1), False)]
    assert pieces(D(2025, 4, 1), None, D(2025, 3, 1)) == [(D(2025, 4, 1), None, True)]
    assert pieces(D(2025, 4, 1), None, None) == [(D(2025, 4, 1), None, False)]


def test_each_licence_spans_the_versions_it_relieves(bundled: sanctrack.Registry) -> None:
    spans = relief_spans(bundled.history("us-ofac-belavia-sdn").versions)
    assert [(r.label, since, end) for r, since, end in spans] == [("GL 9", D(2023, 8, 9), D(2023, 9, 8)),
                                                                  ("GL 11", D(2025, 9, 11), D(2025, 11, 4))]


def test_hover_texts_name_the_instrument_and_the_sources(bundled: sanctrack.Registry) -> None:
    t = next(t for t in bundled.transitions if t.id == "us-ofac-belavia-sdn.gl11")
    assert instrument_text(bundled, t) == ("GL 11 — Authorizing Transactions Involving Open Joint Stock Company "
                                           "Belavia Belarusian Airlines")
    assert instrument_text(bundled, None) == ""
    first = bundled.source(t.sources[0])
    assert sources_text(bundled, t.sources).splitlines()[:2] == ["sources:",
                                                                 f"{first.id} {first.publisher}: {first.url}"]
    assert sources_text(bundled, ["no-such-source"]) == "sources:\nno-such-source"
    assert sources_text(bundled, []) == ""
