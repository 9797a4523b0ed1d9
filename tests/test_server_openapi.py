"""A property test of the server from its own OpenAPI document.

For every operation in ``/openapi.json``, hypothesis builds requests from the
parameters' schemas (:func:`_from_schema`: strings by their pattern or enum)
(valid values from the bundled registry mixed with arbitrary text, required
parameters sometimes left out, request bodies from the body's schema and
arbitrary JSON), sends them to a real server on 127.0.0.1 and checks
each response: never a 5xx, a status the document declares for the operation,
and a body valid against the schema declared for that status. Bounded by
``max_examples`` per operation.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")
jsonschema = pytest.importorskip("jsonschema")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import sanctrack  # noqa: E402
from sanctrack.server import create_app, openapi  # noqa: E402
from sanctrack.server._app import Served  # noqa: E402

from ._serving import serving  # noqa: E402

SPEC = openapi()
KEY = b"p" * 32
REG = sanctrack.load()

# values that exercise the answers, not only the refusals
GOOD = {
    "measure": [m.id for m in REG.measures[:6]] + ["us-ofac-belavia-sdn"],
    "target": ["Belavia", "Belaruskali", "belavia", "BPC"],
    "on": ["2025-09-20", "2025-12-20", "2024-01-01", "2025-11-10", "2021-06-05T00:00+02:00", "2025-09"],
    "a": ["2025-09-01", "2020-01-01"], "b": ["2025-12-20", "2026-05-01"],
    "from": ["2025-01-01", "2025-09-01"], "to": ["2025-12-31", "2026-01-01"],
    "known": ["2025-10-01", "2024-06-01", "2025-13-01"],
    "authority": ["US-OFAC", "EU", "XX"], "kind": ["blocking", "nope"], "program": ["BELARUS-EO14038"],
    "digest": [REG.digest, "sha256:0"], "If-Match": [f'"{REG.digest}"', "*", '"x"'],
    "receipt": ["true", "false", "maybe"],
}
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**schema, "components": SPEC["components"]})


def _operations() -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, ops in SPEC["paths"].items() for method, op in ops.items()
            if path != "/admin/reload"]


def _from_schema(schema: dict) -> st.SearchStrategy:
    """Values of a parameter's string schema: from its enum, its pattern, or any text."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda x: "\n" not in x)
    return TEXT


def _body_from_schema(schema: dict) -> st.SearchStrategy:
    """Objects with the body schema's keys (each sometimes absent), values of its types or anything."""
    item_keys = schema["properties"]["queries"]["items"]["properties"]
    anything = st.recursive(st.none() | st.booleans() | TEXT | st.integers(),
                            lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3), max_leaves=8)
    item = st.fixed_dictionaries({}, optional={k: st.one_of(_from_schema(v), anything) for k, v in item_keys.items()})
    return st.fixed_dictionaries({}, optional={"queries": st.one_of(st.lists(item, max_size=4), anything),
                                               "known": st.one_of(_from_schema(schema["properties"]["known"]),
                                                                  anything),
                                               "receipt": anything, "extra": anything})


def _param_value(p: dict) -> st.SearchStrategy:
    good = GOOD.get(p["name"], [])
    choices = [_from_schema(p["schema"]), TEXT]
    if good:
        choices.insert(0, st.sampled_from(good))
    return st.one_of(*choices)


def _request(op: dict) -> st.SearchStrategy:
    parts = {}
    for p in op.get("parameters", []):
        value = _param_value(p)
        if p["in"] != "path":  # required query parameters are sometimes left out too: that must be a 4xx
            value = st.one_of(st.none(), value) if not p.get("required") else st.one_of(value, value, st.none())
        parts[(p["in"], p["name"])] = value
    if "requestBody" in op:
        good_body = st.fixed_dictionaries({"queries": st.lists(
            st.one_of(st.fixed_dictionaries({"target": st.sampled_from(GOOD["target"]),
                                             "on": st.sampled_from(GOOD["on"])}),
                      st.fixed_dictionaries({"measure": st.sampled_from(GOOD["measure"]),
                                             "on": st.sampled_from(GOOD["on"])},
                                            optional={"known": st.sampled_from(GOOD["known"])})), max_size=4)},
            optional={"receipt": st.booleans()})
        parts[("body", "")] = st.one_of(good_body, _body_from_schema(SPEC["components"]["schemas"]["ScreenRequest"]))
    return st.fixed_dictionaries(parts)


@pytest.fixture(scope="module")
def base() -> str:
    with serving(create_app(Served(sanctrack.load), receipt_key=KEY)) as url:
        yield url


def test_the_document_describes_every_endpoint(base) -> None:
    served = httpx.get(base + "/openapi.json").json()
    assert served == SPEC
    jsonschema.Draft202012Validator.check_schema({**SPEC["components"]["schemas"]["State"]})
    paths = set(served["paths"])
    assert paths == {"/state/{measure}", "/in-force", "/screen", "/changes", "/diff", "/compare/{target}",
                     "/history/{measure}", "/explain/{measure}", "/deals", "/registry", "/openapi.json",
                     "/admin/reload"}
    refs = set(__import__("re").findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(served)))
    assert refs <= set(served["components"]["schemas"])  # every reference resolves
    for path, ops in served["paths"].items():
        for op in ops.values():
            assert "200" in op["responses"] and "401" in op["responses"]
            names = {p["name"] for p in op.get("parameters", [])}
            assert {seg[1:-1] for seg in path.split("/") if seg.startswith("{")} <= names


@pytest.mark.parametrize("path, method, op", _operations(), ids=[f"{m.upper()} {p}" for p, m, _ in _operations()])
def test_no_5xx_and_every_response_matches_the_document(base, path, method, op) -> None:
    client = httpx.Client(base_url=base, timeout=30)

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(_request(op))
    def check(req: dict) -> None:
        url = path
        params, headers, body = {}, {}, None
        for (where, name), value in req.items():
            if value is None:
                continue
            if where == "path":
                url = url.replace("{" + name + "}", urllib.parse.quote(value, safe="") or "%20")
            elif where == "query":
                params[name] = value
            elif where == "header":
                if not value.isascii() or not value.isprintable() or value != value.strip():
                    continue  # not a value an HTTP client may send
                headers[name] = value
            else:
                body = value
        if method == "post":
            r = client.post(url, params=params, headers=headers, json=body)
        else:
            r = client.get(url, params=params, headers=headers)
        assert r.status_code < 500, (url, params, body, r.text)
        declared = op["responses"].get(str(r.status_code))
        if declared is None and r.status_code == 404 and ("%2F" in url or url.count("/") > path.count("/")):
            declared = op["responses"].get("404") or {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Error"}}}}
        assert declared is not None, f"{r.status_code} not declared for {method.upper()} {path}: {r.text}"
        assert "Traceback" not in r.text
        schema = declared["content"]["application/json"]["schema"]
        errors = sorted(_validator(schema).iter_errors(r.json()), key=str)
        assert not errors, (url, params, r.status_code, errors[0].message, list(errors[0].absolute_path))

    try:
        check()
    finally:
        client.close()
