"""The timeline's layout arithmetic: labels that fit, rows that never overlap, axis dates."""

from __future__ import annotations

import datetime
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctrack._layout import clip_text, month_starts, pack_rows, text_width, year_step


def test_text_width_is_a_generous_estimate_bold_wider() -> None:
    assert text_width("abcd", 10) == pytest.approx(24.0)
    assert text_width("abcd", 10, bold=True) == pytest.approx(27.2)


def test_a_label_that_fits_is_kept_whole_else_cut_with_an_ellipsis() -> None:
    assert clip_text("GL 11", 10, 100) == "GL 11"
    assert clip_text("a long instrument title", 10, 60) == "a long in…"
    assert clip_text("abc", 10, 1) == "a…"  # never less than one character


def test_labels_go_into_the_first_row_where_they_fit() -> None:
    assert pack_rows([(0, 10), (5, 20), (16, 30), (40, 50)]) == [0, 1, 0, 0]
    assert pack_rows([(0, 10), (12, 20)], gap=4.0) == [0, 1]  # 2 apart is not apart enough


@given(st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 100)), max_size=30))
def test_no_two_extents_in_a_row_overlap(raw: list[tuple[float, float]]) -> None:
    extents = sorted((x, x + w) for x, w in raw)
    rows = pack_rows(extents)
    for r in set(rows):
        mine = [e for e, row in zip(extents, rows) if row == r]
        assert all(a[1] + 4.0 <= b[0] for a, b in pairwise(mine))


def test_year_labels_every_n_years_so_they_never_touch() -> None:
    assert year_step(100, 30) == 1
    assert year_step(20, 30) == 2
    assert year_step(1, 30) == 50
    assert year_step(0.1, 30) == 100


def test_month_starts_within_the_range() -> None:
    d = datetime.date
    assert month_starts(d(2024, 11, 15), d(2025, 2, 1)) == [d(2024, 12, 1), d(2025, 1, 1), d(2025, 2, 1)]
    assert month_starts(d(2025, 3, 1), d(2025, 3, 31)) == [d(2025, 3, 1)]
