"""An entry's data comes back as the records that were written: equal, type for type."""

from __future__ import annotations

import datetime as _dt
import enum
import json
from typing import Any

import pytest

from sanctrack._columnar import document
from sanctrack._columnar_read import records, restore
from sanctrack._model import Figure, Measure, Release, Scope, Transition
from sanctrack._reading import Records

from .test_cache_records import same


def round_trip(written: Records) -> dict[str, Any]:
    return records(json.loads(json.dumps(document("0" * 64, written, "digest"))))


def test_true_and_one_stay_apart() -> None:
    def release(value: Any) -> Release:
        return Release(id="r1", date=_dt.date(2024, 1, 1), recorded=_dt.date(2024, 1, 1), count=value,
                       figures=(Figure("killed", value, True),))

    releases = [release(1), release(True), release(1), release(True)]  # equal records in Python
    for back, original in zip(round_trip(Records(releases=releases))["releases"], releases, strict=True):
        same(back, original)


def _transition(**kw: Any) -> Transition:
    base = dict(id="m.t1", measure="m", action="impose", recorded=_dt.date(2024, 1, 1),
                effective=_dt.date(2024, 1, 1))
    return Transition(**{**base, **kw})


def test_fixed_offsets_and_enums_are_restored_as_such() -> None:
    at = _dt.datetime(2024, 1, 1, 12, 30, 15, 250, tzinfo=_dt.timezone(-_dt.timedelta(hours=5, minutes=30)))
    t = _transition(effective_at=at, confidence="reported", until=_dt.date(2024, 2, 1),
                    scope=Scope(authorises="x", excludes=("y",)), changes={"title": (None, "new")},
                    effective_window=(_dt.date(2023, 12, 30), _dt.date(2024, 1, 2)))
    back = round_trip(Records(transitions=[t, _transition(id="m.t2")]))["transitions"]
    same(back[0], t)
    same(back[1], _transition(id="m.t2"))
    assert isinstance(back[0].confidence, enum.Enum)


def _measure(mid: str) -> Measure:
    return Measure(id=mid, authority="EU", kind="trade", title="T", sources=("s1",))


def test_restore_makes_each_measures_transitions_when_asked() -> None:
    ts = [_transition(id="a.t1", measure="a"), _transition(id="b.t1", measure="b"),
          _transition(id="a.t2", measure="a", effective=_dt.date(2024, 2, 1))]
    doc = json.loads(json.dumps(document("0" * 64, Records(measures=[_measure("a"), _measure("b")], transitions=ts),
                                         "digest")))
    got = restore(doc)
    assert [m.id for m in got.kinds["measures"]] == ["a", "b"] and got.kinds["transitions"] == []
    count, records, latest = got.deferred
    assert (count, sorted(records), latest) == (3, ["a", "b"], _dt.date(2024, 1, 1))
    second = records["a"][1]  # one record made alone, then the rest: the same object in both
    same(second, ts[2])
    a = list(records["a"])
    assert a[1] is second and len(records["a"]) == 2
    for made, original in zip(a, [ts[0], ts[2]], strict=True):
        same(made, original)
    same(records["b"][0], ts[1])
    swapped = records["a"].reordered([1, 0])
    assert list(swapped) == [a[1], a[0]] and swapped[0] is a[1]


@pytest.mark.parametrize("breakage", [
    lambda doc: doc["transitions"].update(n=doc["transitions"]["n"] + 1),  # columns shorter than the table
    lambda doc: doc["schema"]["Transition"].pop(),  # written for other record types
    lambda doc: doc["measures"]["columns"][0].__setitem__(1, "a"),  # a duplicate id
    lambda doc: doc["measures"]["columns"][0].__setitem__(0, "c"),  # a transition of an unknown measure
])
def test_a_malformed_or_inconsistent_entry_is_refused(breakage: Any) -> None:
    ts = [_transition(id="a.t1", measure="a"), _transition(id="b.t1", measure="b")]
    doc = json.loads(json.dumps(document("0" * 64, Records(measures=[_measure("a"), _measure("b")], transitions=ts),
                                         "digest")))
    restore(doc)
    breakage(doc)
    with pytest.raises((ValueError, KeyError, TypeError)):
        restore(doc)
