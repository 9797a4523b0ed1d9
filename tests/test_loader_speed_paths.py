"""The loader's fast paths give what the straightforward paths give.

Two shortcuts make a cold YAML load cheaper, and each is checked against a
plain reference on many generated inputs:

* the YAML event loop (``sanctrack._yaml._parse``) keeps the innermost
  container in locals: it must give the same values, quoting, marks and
  problems as the reference loop (``tests/_yaml_reference.py``, the loop as it
  was), including for hostile input (tags, anchors and aliases, duplicate and
  non-text keys, nesting and expansion limits, several documents, syntax
  errors);
* ``_fields`` dispatches on split converter tables: it must give the same
  fields and problems as the loop it replaced (written out below).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrack import Action, Basis, Confidence, _model
from sanctrack._errors import Problem
from sanctrack._fields import _SCOPE, _Bad, _Reported
from sanctrack._fields import AUTHORITY as _AUTHORITY
from sanctrack._fields import ENTITY as _ENTITY
from sanctrack._fields import FIGURE as _FIGURE
from sanctrack._fields import INSTRUMENT as _INSTRUMENT
from sanctrack._fields import LINK as _LINK
from sanctrack._fields import MEASURE as _MEASURE
from sanctrack._fields import RELEASE as _RELEASE
from sanctrack._fields import SOURCE as _SOURCE
from sanctrack._fields import TRANSITION as _TRANSITION
from sanctrack._fields import Ctx as _Ctx
from sanctrack._fields import fields as _fields
from sanctrack._fields import kind_of as _kind_of
from sanctrack._validate import did_you_mean
from sanctrack._yaml import MarkedList, MarkedMap, Quoted, parse_yaml

from ._yaml_reference import parse_yaml_reference

_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the YAML reader ----------------------------------------------------------------------


def _shape(value: Any, seen: int = 0) -> Any:
    """Everything the reader promises about a value: types, text, marks; containers recursively."""
    if isinstance(value, MarkedMap):
        return ("map", value.mark, [(k, type(k).__name__, value.keys_at.get(k), value.values_at.get(k), _shape(v))
                                    for k, v in value.items()], sorted(value.keys_at.items()))
    if isinstance(value, MarkedList):
        return ("list", value.mark, [_shape(v) for v in value], list(value.items_at))
    return (type(value).__name__, value)


def _same_reading(data: bytes | str, **limits: int) -> None:
    fast, fast_problems = parse_yaml(data, "f.yaml", **limits)
    ref, ref_problems = parse_yaml_reference(data, "f.yaml", **limits)
    assert fast_problems == ref_problems
    assert _shape(fast) == _shape(ref)


_TOKENS = ["- ", "id: ", "a", "b: ", ": ", "\n", "  ", "    ", "[", "]", "{", "}", ", ", "'", '"', "'x'", "&a ", "&b ",
           "*a", "*b", "!!str ", "!!int ", "!!null ", "!!bool ", "!!float ", "!!map ", "!!seq ", "!!binary ",
           "!custom ", "!!python/object:os.system ", "!!set ", "? ", "|\n", ">\n", "# c\n", "---\n", "...\n",
           "2025-09-11", "~", "null", "", "yes", "1.10", "a: 1\n", "a: 2\n", "- x\n", "\t", "%YAML 1.1\n", "é",
           "\ufeff", "\u2003"]
_LIMITS = st.fixed_dictionaries({}, optional={"max_depth": st.integers(1, 8), "max_nodes": st.integers(1, 2000)})


@_SETTINGS
@given(st.lists(st.sampled_from(_TOKENS), max_size=60).map("".join), _LIMITS)
def test_the_reader_reads_yaml_like_text_as_the_reference_does(text: str, limits: dict[str, int]) -> None:
    _same_reading(text.encode("utf-8"), **limits)


_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
                    st.sampled_from(["", " ", "~", "null", "yes", "2025-09-11", "1.10", "a: b", "- x", "&a", "*a"]))
_TREES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.text(max_size=6), st.sampled_from(["id", "a", "b"])),
                                            inner, max_size=5)),
    max_leaves=25,
)


@st.composite
def _documents(draw: Any) -> str:
    """A dumped tree; parts of it shared (PyYAML writes those as anchors and aliases); block or flow style."""
    tree = draw(_TREES)
    if isinstance(tree, (dict, list)) and draw(st.booleans()):
        shared = draw(_TREES)
        tree = {"x": shared, "y": [shared, tree], "z": shared}
    return yaml.dump(tree, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                     default_flow_style=draw(st.sampled_from([False, True, None])))


@_SETTINGS
@given(_documents(), _LIMITS)
def test_the_reader_reads_documents_as_the_reference_does(text: str, limits: dict[str, int]) -> None:
    _same_reading(text, **limits)


@_SETTINGS
@given(_documents(), st.integers(0, 400), st.sampled_from(["a: 1\n", "- 2\n", ": x\n", "'\n", "!!x y\n", "]\n",
                                                          "? [k]\n: v\n", "*nope\n", "id: &a [1]\nid: *a\n"]))
def test_the_reader_reads_broken_documents_as_the_reference_does(text: str, at: int, insert: str) -> None:
    at = min(at, len(text))
    _same_reading(text[:at] + insert + text[at:])


@pytest.mark.parametrize("text", [
    "name: " + "[" * 100 + "]" * 100 + "\n",
    "".join("  " * i + "a:\n" for i in range(80)),
    'a: &a ["lol","lol","lol"]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\nd: [*c,*c,*c,*c]\n',
    "a: !!python/object/apply:os.system [x]\nb: !!binary aGVsbG8=\n",
    "[a, b]: 1\n{c: d}: 2\n~: 3\n'': 4\n!!binary x: 5\n*x : 6\n",
    "a: 1\na: 2\nb: {c: 1, c: [2, 3]}\n",
    "- &k key\n- {*k : 1, *k : 2}\n",
    "--- a\n--- b\n",
    "a: 'unterminated\n",
    "a:\n  - x\n - y\n",
    "",
    "# only a comment\n",
    "!!str\n",
    "!!map {a: b}\n",
    "!!seq [a, !!map {b: !!null x}]\n",
    "&r [1, *r]\n",
])
def test_the_reader_reads_hostile_corners_as_the_reference_does(text: str) -> None:
    _same_reading(text)
    _same_reading(text, max_depth=3, max_nodes=10)


def test_a_billion_laughs_stops_at_the_same_place() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    _same_reading(text)
    value, problems = parse_yaml(text, "f.yaml")
    assert value is None and len(problems) == 1
    assert (problems[0].line, problems[0].location) == (7, "$.g[3]")  # 0.67M values before g, 0.6M per *f


# -- _fields ----------------------------------------------------------------------------------


def _fields_reference(ctx: _Ctx, node: Any, parts: tuple[Any, ...], spec: Any, what: str,
                      mark: tuple[int, int] | None) -> dict[str, Any] | None:
    """The field loop as it was (one converter table; a required key checked one by one)."""
    if type(node) is not MarkedMap:
        ctx.add(f"expected {what} (a mapping of keys to values), got {_kind_of(node)}", None, mark, parts)
        return None
    convs = {k: spec.simple.get(k) or spec.nested.get(k) for k in spec.keys}
    out: dict[str, Any] = {}
    ok = True
    for key, value in node.items():
        if key not in convs:
            hint = did_you_mean(key, spec.keys) or f"the keys of {what} are: {', '.join(spec.keys)}"
            ctx.add(f"unknown key {key!r} in {what}", hint, node.keys_at.get(key), parts + (key,))
            ok = False
            continue
        conv = convs[key]
        if value is None or conv is None:
            continue
        try:
            out[key] = conv(ctx, value, parts + (key,)) if key in spec.nested else conv(value)
        except _Bad as bad:
            ctx.add(f"{key}: {bad.message}", bad.hint, node.at(key), parts + (key,))
            ok = False
        except _Reported:
            ok = False
    for key in spec.required:
        if node.get(key) is None:
            if key in node:
                ctx.add(f"{key} is empty in {what}", f"give {key} a value", node.at(key), parts + (key,))
            else:
                ctx.add(f"missing required key {key!r} in {what}", f"add `{key}: ...`", node.mark, parts)
            ok = False
    return out if ok else None


# each kind of value: (good values, values that are wrong for it)
_POOLS: dict[str, tuple[list[str], list[str]]] = {
    "date": (["2025-01-01", "2025-03-01", "2024-12-31", "'2025-03-02'", " 2025-01-05", "2025-01-02"],
             ["2025-02-30", "2025-1-1", "2025-01-01T00:00:00Z", "20250101"]),
    "id": (["m1.t1", "m1.t2", "m1", "a-b_c.d", "'m1.t1'", "x9"], ["S1", "Upper", ".dot", "a b"]),
    "sids": (["[S1]", "[S1, s2]", "[m1.x]", "[]"], ["[' ']", "[~]", "S1", "[[x]]", "[a b]"]),
    "ids": (["[m1]", "[m1, m2.x]", "[]"], ["[S1]", "[~]", "m1", "[{a: b}]"]),
    "texts": (["[x]", "['\u00a0x']", "[a b, c]", "[]", "['x']"],
              ["[' ']", '["\u2003"]', "[{a: b}]", "[~]", "['', x]", "x"]),
    "instant": (["2025-01-01T10:00:00+01:00", "2025-01-01T10:00Z", "2025-01-01T23:30:00-05:00",
                 "2025-01-01 10:00:00.5+00:00"], ["2025-01-01T10:00:00", "2025-01-01T10:00:00+24:00"]),
    "text": (["x", "A title", "'quoted'", "|\n    block\n", "\u00e9t\u00e9", "1.10", "!!int 7"], ["' '", "''"]),
    "window": (["[2025-01-01, 2025-02-01]", "[2025-01-01, 2025-01-01]", "[2024-12-01, 2025-06-01]",
                "[2024-12-31, 2025-03-01]"], ["[2025-02-01, 2025-01-01]", "[2025-01-01]", "[2025-01-01, x]"]),
    "scope": (["{authorises: flights, excludes: [a]}", "{}", "{excludes: [x, y]}"],
              ["{excludes: ' '}", "{authorises: ''}", "{other: 1}"]),
    "changes": (["{program: [A, B]}", "{targets: [~, x]}", "{}", "{a: [1, '2']}"], ["{a: b}", "{a: [1, 2, 3]}",
                                                                                   "{a: [[1], 2]}"]),
    "int": (["0", "7", "12"], ["-1", "'7'", "07", "1.5"]),
    "bool": (["true", "false"], ["yes", "True"]),
    "action": (["impose", "amend", "relieve", "revoke_relief", "extend", "suspend", "resume", "lift", "reimpose"],
               ["lifted", "Impose"]),
    "confidence": (["confirmed", "reported", "inferred"], ["sure"]),
    "basis": (["stated", "reported", "inferred"], ["guess"]),
    "kind": (["blocking", "sectoral", "trade", "organisation", "person", "executive_order", "statute"], ["bogus"]),
    "code": (["US-OFAC", "EU"], ["us-ofac", "' '"]),
}
_BAD = ["", "~", "''", "' '", '"\u2003"', "[]", "{}", "[x]", "{a: b}", "!!str 12", "yes", "12", "x y", "US-OFAC"]
_KINDS = {
    "effective": "date", "announced": "date", "published": "date", "recorded": "date", "until": "date",
    "signed": "date", "issued": "date", "date": "date", "effective_at": "instant",
    "id": "id", "relief": "id", "instrument": "id", "corrects": "id", "transition": "id",
    "sources": "sids", "targets": "ids", "conditions": "texts", "excludes": "texts", "aliases": "texts",
    "identifiers": "texts", "people": "texts", "nationalities": "texts", "destinations": "texts",
    "negotiators": "texts",
    "effective_window": "window", "date_window": "window", "scope": "scope", "changes": "changes",
    "count": "int", "used": "bool", "value": "int", "action": "action", "confidence": "confidence",
    "basis": "basis", "kind": "kind", "authority": "code", "code": "code",
}


def _value(draw: Any, key: str) -> str:
    """Mostly a good value of the key's kind; one time in twenty a wrong one."""
    good, bad = _POOLS[_KINDS.get(key, "text")]
    return draw(st.sampled_from(bad + _BAD if draw(st.integers(0, 19)) == 0 else good))


@st.composite
def _mapping_text(draw: Any, spec: Any) -> str:
    """A YAML mapping with some of ``spec``'s keys (often the required ones), maybe an unknown or empty key."""
    keys = [k for k in spec.keys if k not in ("transitions", "figures", "links")]
    chosen = [k for k in keys if (k in spec.required and draw(st.integers(0, 19)) > 0) or draw(st.booleans())]
    lines = [f"{k}: {_value(draw, k)}" for k in chosen]
    if draw(st.integers(0, 9)) == 0:
        lines.append(f"{draw(st.sampled_from(['efective', 'Id', 'extra', 'sources ']))}: x")
    if draw(st.integers(0, 9)) == 0:
        lines.append(f"{draw(st.sampled_from(keys))}:")
    order = draw(st.permutations(range(len(lines))))
    return "".join(lines[i].replace("\n", "\n  ") + "\n" for i in order)


def _read_fields(fields: Any, spec: Any, text: str) -> tuple[Any, list[Problem]]:
    node, problems = parse_yaml(text, "f.yaml")
    assert not any("YAML syntax" in p.message for p in problems), (text, problems)
    ctx = _Ctx([])
    ctx.path = "f.yaml"
    out = fields(ctx, node, ("transitions", 0), spec, "a record", (3, 5))
    return out, ctx.problems


_SPECS = [_TRANSITION, _MEASURE, _RELEASE, _LINK, _FIGURE, _SOURCE, _INSTRUMENT, _ENTITY, _AUTHORITY, _SCOPE]


@_SETTINGS
@given(st.sampled_from(_SPECS).flatmap(lambda spec: st.tuples(st.just(spec), _mapping_text(spec))))
def test_fields_reads_records_as_the_reference_does(spec_text: tuple[Any, str]) -> None:
    spec, text = spec_text
    assert _read_fields(_fields, spec, text) == _read_fields(_fields_reference, spec, text)


@pytest.mark.parametrize("node", [None, "text", Quoted("q")])
def test_fields_refuses_what_is_not_a_mapping_as_the_reference_does(node: Any) -> None:
    a, b = _Ctx([]), _Ctx([])
    assert _fields(a, node, (), _TRANSITION, "a transition", (1, 1)) is None
    assert _fields_reference(b, node, (), _TRANSITION, "a transition", (1, 1)) is None
    assert a.problems == b.problems and len(a.problems) == 1


# -- the enumerations' converters ---------------------------------------------------------------


@pytest.mark.parametrize("enum_cls", [Action, Confidence, Basis])
def test_the_enumeration_converters_give_what_the_enumeration_gives(enum_cls: Any) -> None:
    conv = {Action: _model._to_action, Confidence: _model._to_confidence, Basis: _model._to_basis}[enum_cls]
    for value in [*enum_cls, *(str(m) for m in enum_cls), *(Quoted(str(m)) for m in enum_cls), "x", "", None, 3,
                  "IMPOSE", " impose"]:
        expected = enum_cls(value) if value in enum_cls._value2member_map_ else value
        assert conv(value) is expected
    with pytest.raises(TypeError, match="unhashable"):
        conv(["impose"])


