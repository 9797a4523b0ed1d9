"""The registry format's one field list (sanctrack._schema) and what is derived from it.

The list says, per kind of record, its keys in the documented order, what each
holds and whether it is required. The loader's specs, the writer's key order and
the JSON export's typed keys all come from it, so they cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import sanctrack
from sanctrack import _schema
from sanctrack._dump import registry_texts
from sanctrack._yaml import parse_yaml
from sanctrack.exports import _json

MODELS = {"registry": sanctrack.RegistryInfo, "authority": sanctrack.Authority, "entity": sanctrack.Entity,
          "instrument": sanctrack.Instrument, "source": sanctrack.Source, "measure": sanctrack.Measure,
          "transition": sanctrack.Transition, "release": sanctrack.Release, "figure": sanctrack.Figure,
          "link": sanctrack.Link, "scope": sanctrack.Scope}
#: attributes that a file does not spell out: the record a transition or link is nested in
PARENTS = {"transition": {"measure"}, "link": {"release"}}
LISTS = {"texts", "ids", "source_ids"}


def test_every_kind_of_record_is_declared_with_its_documented_keys() -> None:
    assert [(kind, [f.name for f in fields]) for kind, fields in _schema.RECORDS.items()] == [
        ("registry", ["name", "version", "description"]),
        ("authority", ["code", "name", "jurisdiction", "timezone"]),
        ("entity", ["id", "kind", "name", "aliases", "identifiers", "note"]),
        ("instrument", ["id", "kind", "authority", "number", "title", "url", "signed", "issued", "published",
                        "sources", "note"]),
        ("source", ["id", "publisher", "title", "url", "published", "quote", "note"]),
        ("measure", ["id", "authority", "kind", "program", "targets", "title", "summary", "sources", "transitions"]),
        ("transition", ["id", "action", "effective", "effective_at", "announced", "published", "recorded", "until",
                        "relief", "effective_window", "instrument", "scope", "conditions", "program", "targets",
                        "changes", "confidence", "sources", "corrects", "note"]),
        ("release", ["id", "date", "date_window", "recorded", "count", "people", "nationalities", "destinations",
                     "negotiators", "sources", "note", "figures", "links"]),
        ("figure", ["quantity", "value", "used", "sources", "note"]),
        ("link", ["transition", "basis", "recorded", "sources", "quote", "note"]),
        ("scope", ["authorises", "excludes"]),
    ]


@pytest.mark.parametrize("kind", list(_schema.RECORDS))
def test_the_declared_keys_are_exactly_the_model_attributes(kind: str) -> None:
    declared = {f.name for f in _schema.RECORDS[kind] if f.kind != "records" or f.name == "figures"}
    model = {a.name for a in attrs.fields(MODELS[kind])} - PARENTS.get(kind, set())
    assert declared == model
    assert all(f.kind in _schema.KINDS for f in _schema.RECORDS[kind])
    assert all(bool(f.vocabulary) == (f.kind == "vocab") for f in _schema.RECORDS[kind])


@pytest.mark.parametrize("kind", list(_schema.RECORDS))
def test_an_empty_list_is_kept_exactly_where_the_model_tells_empty_from_absent(kind: str) -> None:
    # the writer keeps what the canonical form keeps: an empty list whose field defaults to None
    defaults = {a.name: a.default for a in attrs.fields(MODELS[kind])}
    for f in _schema.RECORDS[kind]:
        if f.kind in LISTS:
            assert f.empty_differs == (defaults[f.name] is None), (kind, f.name)
        else:
            assert not f.empty_differs, (kind, f.name)
    assert [(k, f.name) for k, fs in _schema.RECORDS.items() for f in fs if f.empty_differs] == [
        ("transition", "targets")]


def test_a_key_holds_the_same_kind_of_value_in_every_record() -> None:
    # so that a key names its type (the JSON export converts by key)
    kinds: dict[str, set[str]] = {}
    for fields in _schema.RECORDS.values():
        for f in fields:
            kinds.setdefault(f.name, set()).add(f.kind)
    typed = {"date", "instant", "window", "scope"}
    assert {name: ks for name, ks in kinds.items() if len(ks) > 1 and ks & typed} == {}


def test_names_of_kind() -> None:
    assert _schema.names_of_kind("date") == {"signed", "issued", "published", "effective", "announced", "recorded",
                                             "until", "date"}
    assert _schema.names_of_kind("instant") == {"effective_at"}
    assert _schema.names_of_kind("window") == {"effective_window", "date_window"}
    assert _schema.names_of_kind("records") == {"transitions", "figures", "links"}
    with pytest.raises(ValueError, match="unknown field kind 'datum'"):
        _schema.names_of_kind("datum")


def test_the_json_export_types_the_declared_date_fields() -> None:
    assert _schema.names_of_kind("date") == _json._DATE_FIELDS
    assert _schema.names_of_kind("window") == _json._WINDOW_FIELDS


def test_the_vocabularies_are_the_models() -> None:
    vocab = {(kind, f.name): set(f.vocabulary) for kind, fields in _schema.RECORDS.items() for f in fields
             if f.kind == "vocab"}
    from sanctrack._model import ENTITY_KINDS, INSTRUMENT_KINDS, MEASURE_KINDS

    assert vocab == {("entity", "kind"): set(ENTITY_KINDS), ("instrument", "kind"): set(INSTRUMENT_KINDS),
                     ("measure", "kind"): set(MEASURE_KINDS),
                     ("transition", "action"): {a.value for a in sanctrack.Action},
                     ("transition", "confidence"): {c.value for c in sanctrack.Confidence},
                     ("link", "basis"): {b.value for b in sanctrack.Basis}}


def _in_order(keys: list[str], kind: str) -> bool:
    order = [f.name for f in _schema.RECORDS[kind]]
    return all(k in order for k in keys) and [order.index(k) for k in keys] == sorted(order.index(k) for k in keys)


def test_the_writer_writes_every_record_with_its_keys_in_the_declared_order() -> None:
    files = registry_texts(sanctrack.load(cache=False))
    checked: dict[str, int] = {}

    def check(node: object, kind: str) -> None:
        assert isinstance(node, dict) and _in_order(list(node), kind), (kind, list(node))  # type: ignore[arg-type]
        checked[kind] = checked.get(kind, 0) + 1
        for key, inner in (("transitions", "transition"), ("figures", "figure"), ("links", "link")):
            for item in node.get(key) or ():
                check(item, inner)
        if kind == "transition" and node.get("scope") is not None:
            check(node["scope"], "scope")

    lists = {"authorities.yaml": "authority", "entities.yaml": "entity", "instruments.yaml": "instrument",
             "sources.yaml": "source"}
    for rel, text in files.items():
        doc, problems = parse_yaml(text.encode("utf-8"), rel)
        assert problems == []
        if rel in lists:
            for item in doc:
                check(item, lists[rel])
        else:
            check(doc, "registry" if rel == "registry.yaml" else rel.split("/")[0][:-1])
    assert set(checked) == set(_schema.RECORDS)  # the bundled registry has every kind of record


def test_the_format_page_documents_every_declared_key() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "registry-format.md").read_text(encoding="utf-8")
    for fields in _schema.RECORDS.values():
        for f in fields:
            assert f"`{f.name}`" in text or f"{f.name}:" in text, f.name
