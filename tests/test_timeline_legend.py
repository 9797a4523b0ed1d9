"""The legend names every colour and line the drawing uses, the dates it is made for, and the registry."""

from __future__ import annotations

import datetime

import pytest

import sanctrack
from sanctrack import Status
from sanctrack._timeline_legend import draw_legend

D = datetime.date


@pytest.fixture(scope="module")
def bundled() -> sanctrack.Registry:
    return sanctrack.load()


def _labels(elements: list[str]) -> list[str]:
    return [e.rsplit(">", 3)[-3].split("</text")[0] for e in elements if e.startswith('<g class="legend-item">')]


def test_every_status_and_mark_is_in_the_legend(bundled: sanctrack.Registry) -> None:
    out, height = draw_legend(bundled, D(2026, 12, 5), D(2026, 12, 6), D(2026, 12, 5), 100)
    labels = _labels(out)
    assert labels[:len(Status)] == [str(s).replace("_", " ") for s in Status]
    assert "licence in effect" in labels and "pending announcement" in labels
    assert [label for label in labels if label.startswith("link ")] == ["link stated", "link reported",
                                                                         "link inferred"]
    assert "as of 2026-12-06" in labels and "registry's knowledge: 2026-12-05" in labels
    assert "projection: after 2026-12-05, later records may change it" in labels
    assert out[0] == '<g class="legend">' and out[-1] == "</g>"
    assert f"{bundled.digest[:23]}…" in out[-2]
    assert height > 0


def test_without_a_horizon_nothing_is_marked_as_projection(bundled: sanctrack.Registry) -> None:
    out, _ = draw_legend(bundled, None, None, None, 0)
    labels = _labels(out)
    assert not any(label.startswith(("projection", "as of", "registry's knowledge")) for label in labels)
