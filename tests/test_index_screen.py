"""sanctrack._index.screen: the one screen path choice, and the columnar answer."""

from __future__ import annotations

import pytest

import sanctrack as s
from sanctrack._index import screen as screen_module
from sanctrack._index.screen import Screening, screen_path

from ._index_fixtures import D, lifecycle, one_measure


def _path(**kw):
    base = dict(questions=100, measures=100, calendar_dates=True, numpy_dates=False, numpy=True,
                flips_built=False, keys_built=False)
    return screen_path(**{**base, **kw})


def test_the_path_choice():
    assert _path() == "flips"  # fewer measures than NUMPY_MEASURES: the pure bisects
    assert _path(numpy_dates=True, calendar_dates=False) == "numpy"
    many = screen_module.NUMPY_MEASURES
    assert _path(measures=many, questions=many) == "numpy"
    assert _path(measures=many, questions=10) == "measure flips"  # too small a share of the measures
    assert _path(measures=many, questions=100, keys_built=True) == "numpy"
    assert _path(measures=many, questions=many, numpy=False) == "flips"
    assert _path(questions=10) == "measure flips"  # a small batch over a view not built
    assert _path(questions=10, flips_built=True) == "flips"
    assert _path(calendar_dates=False) == "each"
    assert _path(questions=10, numpy_dates=True, calendar_dates=False) == "each"


def test_the_thresholds_are_the_knobs(monkeypatch):
    monkeypatch.setattr(screen_module, "NUMPY_MEASURES", 0)
    assert _path() == "numpy"
    monkeypatch.setattr(screen_module, "BATCH_SHARE", 0)
    assert _path() == "measure flips"


def test_a_screening_is_a_sequence_of_hits_equal_to_a_list():
    reg = s.Registry.build(**one_measure(*lifecycle()))
    cols = reg.screen(["m", "m", "m"], [D(2020, 1, 5), D(2020, 3, 5), D(2020, 4, 5)])
    assert isinstance(cols, Screening) and len(cols) == 3
    assert cols.hits == [True, False, True]
    assert cols == [s.ScreenHit("m", d, None, (reg.state("m", d),) if h else ())
                    for d, h in zip([D(2020, 1, 5), D(2020, 3, 5), D(2020, 4, 5)], [True, False, True])]
    assert cols[-1] == cols[2] and cols[0:2] == list(cols)[:2]
    assert cols.states[1] == () and "3 questions, 2 hits" in repr(cols)
    with pytest.raises(IndexError):
        cols[3]


def test_with_pyarrow_a_large_batch_is_vectorised_at_any_size():
    big = screen_module.ARROW_FROM
    assert _path(questions=big, measures=100, arrow=True) == "numpy"
    assert _path(questions=big, measures=100) == "flips"
    assert _path(questions=big - 1, measures=100, arrow=True) == "flips"
    assert _path(questions=big, measures=100, arrow=True, numpy=False) == "flips"
