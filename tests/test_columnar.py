"""The load cache's entry data: a schema per record type, a table of columns per kind of record.

An entry must come back exactly (see ``tests/test_cache_records.py``), so what
cannot is never written; and the entry's layout is the cache's on-disk format,
kept stable (a change needs a new :data:`sanctrack._columnar.FORMAT`).
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from sanctrack import _cache, _columnar
from sanctrack._columnar import (
    _column,
    _frozen,
    _thawed,
    document,
    indexes,
    schema,
    schemas,
)
from sanctrack._model import Transition
from sanctrack._reading import Records


def test_schema_says_how_each_transition_field_is_stored() -> None:
    assert schemas()["Transition"] == [
        ["id", "v"], ["measure", "v"], ["action", "e:Action"], ["recorded", "d"], ["effective", "d"],
        ["effective_at", "i"], ["announced", "d"], ["published", "d"], ["until", "d"],
        ["effective_window", "w"], ["instrument", "v"], ["scope", "r:Scope"], ["conditions", "t"],
        ["program", "v"], ["targets", "t"], ["changes", "c"], ["relief", "v"], ["confidence", "e:Confidence"],
        ["sources", "t"], ["corrects", "v"], ["note", "v"]]
    assert schemas()["Release"][-2:] == [["figures", "R:Figure"], ["note", "v"]]
    assert [name for name, _codec in schema(Transition)] == [a.name for a in attrs.fields(Transition)]


def test_columns_repeat_a_value_once_or_index_distinct_values() -> None:
    def column(values: list[Any]) -> Any:
        return _column([_frozen(v) for v in values], _thawed)

    assert column([]) == []
    assert column([None, None, None]) == {"all": None}
    # indexes: little-endian unsigned bytes [0, 0, 1, 0] in base64
    assert column([["a"], ["a"], ["b"], ["a"]]) == {"keys": [["a"], ["b"]], "width": 1, "idx": "AAABAA=="}
    assert column(["a", "b", "c"]) == ["a", "b", "c"]
    mixed = column([1, True, 1, True, [True], [1], 1, True])  # compared as JSON text: True == 1 in Python
    assert json.dumps(mixed["keys"]) == json.dumps([1, True, [True], [1]])
    assert list(indexes(mixed, 8)) == [0, 1, 0, 1, 2, 3, 0, 1]
    assert json.dumps(column([True, 1, [1], [True]])) == json.dumps([True, 1, [1], [True]])
    days = [_dt.date(2024, 1, 1), None, _dt.date(2024, 1, 1), None]
    assert _column(days, _columnar._date_out) == {"keys": ["2024-01-01", None], "width": 1, "idx": "AAEAAQ=="}


@pytest.mark.parametrize("distinct, width", [(256, 1), (257, 2), (65536, 2), (65537, 4)])
def test_indexes_are_as_wide_as_needed(distinct: int, width: int) -> None:
    values = [f"v{i}" for i in range(distinct)] * 2
    col = _column(values, str)
    assert col["width"] == width and col["keys"] == values[:distinct]
    assert list(indexes(col, len(values))) == list(range(distinct)) * 2
    with pytest.raises(ValueError):
        indexes(col, len(values) + 1)


def _transition(**kw: Any) -> Transition:
    base = dict(id="m.t1", measure="m", action="impose", recorded=_dt.date(2024, 1, 1),
                effective=_dt.date(2024, 1, 1))
    return Transition(**{**base, **kw})


@pytest.mark.parametrize("field, value", [
    ("sources", ["s1"]),  # a list where a tuple is declared
    ("recorded", _dt.datetime(2024, 1, 1, tzinfo=_dt.UTC)),  # a datetime where a date is
    ("action", "impose"),  # text where an Action is
    ("effective_at", _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=1), "CET"))),  # a named zone
    ("note", 1.5),  # not a JSON value that comes back as itself
])
def test_a_value_that_would_not_come_back_exactly_is_not_written(field: str, value: Any, tmp_path: Path) -> None:
    t = _transition()
    object.__setattr__(t, field, value)  # past the validators, as a buggy importer might
    records = Records(transitions=[t])
    with pytest.raises(_columnar._Unsupported):
        document("0" * 64, records, "digest")
    assert _cache.put("0" * 64, records, "digest", tmp_path) is False
    assert list(tmp_path.glob("registry-*.json")) == []


def test_only_classes_whose_state_is_their_slotted_fields_are_stored() -> None:
    @attrs.frozen(slots=True, cache_hash=True)  # a hidden slot restoring would leave unset
    class Hashed:
        name: str

    @attrs.frozen(slots=False)
    class Plain:
        name: str

    for cls in (Hashed, Plain):
        with pytest.raises(_columnar._Unsupported):
            schema(cls)
