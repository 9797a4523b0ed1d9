"""The cross-record checks (``sanctrack._validate.check_records``) report every hole, each once.

Generated registries are valid by construction; the law below takes some
records out (so references dangle) and repeats some (so ids clash), and states
what must be reported, read straight from the registry format: every reference
to an undefined record is one ``unknown <kind> '<id>'`` problem on the record
and field that holds it, every repeated id one ``duplicate <kind> id``
problem. It is written here, from the format, and imports nothing from the
module it checks but the function under test.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrack import Measure, Transition, strategies
from sanctrack._errors import Problem
from sanctrack._validate import check_records

_DAY = dt.date(2025, 1, 1)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: What each kind of record is called in messages.
_KINDS = {"authorities": "authority", "entities": "entity", "instruments": "instrument", "sources": "source",
          "measures": "measure", "transitions": "transition", "releases": "release"}


@st.composite
def _records_with_holes(draw: Any) -> dict[str, Any]:
    """A valid registry's records with some referenced records left out (unknown references)."""
    records = dict(draw(strategies.registry_records(max_size=4, with_corrections=True, with_pending=True,
                                                   with_windows=True)))
    for kind in _KINDS:
        items = list(records[kind])
        if items and draw(st.integers(0, 3)) == 0:
            del items[draw(st.integers(0, len(items) - 1))]
        if items and draw(st.integers(0, 7)) == 0:
            items.append(items[draw(st.integers(0, len(items) - 1))])  # a duplicate id
        records[kind] = tuple(items)
    del records["info"]
    return records


def _expected(records: dict[str, Any]) -> Counter[tuple[str, str | None, str]]:
    """(message, record, field) of every dangling reference and repeated id, from the format."""
    ids = {kind: {getattr(r, "code" if kind == "authorities" else "id") for r in records[kind]} for kind in _KINDS}
    out: Counter[tuple[str, str | None, str]] = Counter()

    def ref(kind: str, value: str | None, record: str, field: str) -> None:
        if value is not None and value not in ids[kind]:
            out[(f"unknown {_KINDS[kind]} {value!r}", record, field)] += 1

    for kind in _KINDS:
        key = "code" if kind == "authorities" else "id"
        seen: set[str] = set()
        for r in records[kind]:
            i = getattr(r, key)
            if i in seen:
                out[(f"duplicate {_KINDS[kind]} id {i!r}", i, key)] += 1
            seen.add(i)
    for i in records["instruments"]:
        ref("authorities", i.authority, i.id, "authority")
        for s in i.sources:
            ref("sources", s, i.id, "sources")
    m: Measure
    for m in records["measures"]:
        ref("authorities", m.authority, m.id, "authority")
        for e in m.targets:
            ref("entities", e, m.id, "targets")
        for s in m.sources:
            ref("sources", s, m.id, "sources")
    t: Transition
    for t in records["transitions"]:
        if t.measure not in ids["measures"]:
            ref("measures", t.measure, t.id, "measure")
            continue  # nothing else is said of a record of no known measure
        ref("instruments", t.instrument, t.id, "instrument")
        for s in t.sources:
            ref("sources", s, t.id, "sources")
        for e in t.targets or ():
            ref("entities", e, t.id, "targets")
        ref("transitions", t.relief, t.id, "relief")
        ref("transitions", t.corrects, t.id, "corrects")
    for r in records["releases"]:
        for s in r.sources:
            ref("sources", s, r.id, "sources")
        for n, f in enumerate(r.figures):
            for s in f.sources:
                ref("sources", s, r.id, f"figures[{n}].sources")
    for ln in records["links"]:
        ref("releases", ln.release, ln.id, "release")
        ref("transitions", ln.transition, ln.id, "transition")
        for s in ln.sources:
            ref("sources", s, ln.id, "sources")
    return out


def _reported(problems: list[Problem]) -> Counter[tuple[str, str | None, str]]:
    return Counter((p.message, p.record, p.field or "") for p in problems
                   if p.message.startswith(("unknown ", "duplicate ")) and not p.message.startswith("duplicate link"))


@_SETTINGS
@given(_records_with_holes())
def test_every_dangling_reference_and_repeated_id_is_reported_once(records: dict[str, Any]) -> None:
    assert _reported(check_records(**records)) == _expected(records)


def test_an_unknown_reference_names_the_record_the_field_and_a_near_miss() -> None:
    records = dict(
        authorities=(), entities=(), instruments=(), sources=(), releases=(), links=(),
        measures=(Measure("m1", "US-OFAC", "blocking", "M"),),
        transitions=(Transition("t1", "m11", "impose", recorded=_DAY, effective=_DAY),),
    )
    got = [(p.message, p.record, p.field, p.hint) for p in check_records(**records)]
    assert got == [
        ("unknown authority 'US-OFAC'", "m1", "authority", "define it in authorities first"),
        ("unknown measure 'm11'", "t1", "measure", "did you mean 'm1'?"),
    ]
