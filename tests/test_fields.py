"""The loader's record specs (sanctrack._fields), derived from the format's one field list.

Each spec knows exactly the declared keys, in the declared order (the order of
the "the keys of … are" hint), requires exactly the declared required keys, and
reads each key as its declared kind.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sanctrack import Problem, Scope, _fields, _schema
from sanctrack._yaml import parse_yaml

SPECS = {"registry": _fields.INFO, "authority": _fields.AUTHORITY, "entity": _fields.ENTITY,
         "instrument": _fields.INSTRUMENT, "source": _fields.SOURCE, "measure": _fields.MEASURE,
         "transition": _fields.TRANSITION, "release": _fields.RELEASE, "figure": _fields.FIGURE,
         "link": _fields.LINK, "scope": _fields._SCOPE}


def read(spec: _fields.SpecTable, yaml_text: str, what: str = "a record") -> tuple[dict | None, list[str]]:
    doc, problems = parse_yaml(yaml_text.encode("utf-8"), "f.yaml")
    assert problems == []
    found: list[Problem] = []
    out = _fields.fields(_fields.Ctx(found), doc, (), spec, what, (1, 1))
    return out, [p.message + (f" [{p.hint}]" if p.hint else "") for p in found]


@pytest.mark.parametrize("kind", list(_schema.RECORDS))
def test_a_spec_has_the_declared_keys_in_order_and_requires_the_declared_ones(kind: str) -> None:
    declared = _schema.RECORDS[kind]
    spec = SPECS[kind]
    assert spec.keys == tuple(f.name for f in declared)
    assert spec.required == tuple(f.name for f in declared if f.required)
    assert set(spec.nested) == {f.name for f in declared if f.kind in ("texts", "ids", "source_ids", "window",
                                                                       "scope", "changes")}
    assert set(spec.simple) | set(spec.nested) == {f.name for f in declared if f.kind != "records"}


def test_an_unknown_key_is_refused_with_the_declared_keys_in_order() -> None:
    out, problems = read(_fields.AUTHORITY, "code: EU\nname: European Union\njurisdiction: EU\ntimezone: UTC\n"
                                            "colour: blue\n", "an authority")
    assert out is None
    assert problems == ["unknown key 'colour' in an authority [the keys of an authority are: code, name, "
                        "jurisdiction, timezone]"]


def test_a_missing_required_key_is_named() -> None:
    out, problems = read(_fields.LINK, "transition: t1\nbasis: stated\nrecorded: 2024-01-01\n", "a link")
    assert out is None
    assert problems == ["missing required key 'sources' in a link [add `sources: ...`]"]


def test_each_key_is_read_as_its_declared_kind() -> None:
    out, problems = read(_fields.TRANSITION, (
        "id: m.t\naction: amend\neffective: 2024-03-01\neffective_at: 2024-03-01T00:01:00-05:00\n"
        "recorded: 2024-03-02\neffective_window: [2024-02-01, 2024-03-01]\n"
        "scope:\n  authorises: Wind-down\n  excludes: [new contracts]\n"
        "targets: []\nchanges:\n  title: [Old, New]\nconfidence: reported\nsources: [S1]\nnote: '114'\n"))
    assert problems == []
    assert out == {
        "id": "m.t", "action": "amend", "effective": dt.date(2024, 3, 1),
        "effective_at": dt.datetime(2024, 3, 1, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        "recorded": dt.date(2024, 3, 2), "effective_window": (dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
        "scope": Scope("Wind-down", ("new contracts",)), "targets": (), "changes": {"title": ("Old", "New")},
        "confidence": "reported", "sources": ("S1",), "note": "114",
    }


def test_a_vocabulary_key_accepts_only_its_words() -> None:
    out, problems = read(_fields.LINK, "transition: t1\nbasis: rumoured\nrecorded: 2024-01-01\nsources: [S1]\n")
    assert out is None
    assert problems == ["basis: 'rumoured' is not one of: inferred, reported, stated"]
