"""The model gathers the vocabularies, the records and the answers under one name, the public one."""

from __future__ import annotations

import sanctrack
from sanctrack import _answers, _model, _records, _vocabulary


def test_every_model_name_is_the_public_one() -> None:
    for name in _model.__all__:
        assert getattr(_model, name) is getattr(sanctrack, name, getattr(_model, name))
    assert _model.Transition is _records.Transition is sanctrack.Transition
    assert _model.MeasureState is _answers.MeasureState is sanctrack.MeasureState
    assert _model.Action is _vocabulary.Action is sanctrack.Action


def test_the_model_names_are_the_parts_names() -> None:
    parts = set(_vocabulary.__all__) | set(_records.__all__) | set(_answers.__all__)
    assert set(_model.__all__) == parts
