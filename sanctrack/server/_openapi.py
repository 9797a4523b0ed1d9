"""The OpenAPI 3.1 document of the server, generated from the endpoint table.

Every endpoint, parameter, body and error response is described; the result
schemas are those of ``docs/json.md`` (every key listed there is required;
more keys may be added within a schema version).
"""

from __future__ import annotations

from typing import Any

from ._answers import ENDPOINTS, SCREEN_LIMIT

__all__ = ["openapi"]

_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_DATE_OR_INSTANT = {"type": "string", "description": "YYYY-MM-DD, or an aware instant YYYY-MM-DDTHH:MM[:SS]±HH:MM"}


def _n(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(props: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"type": "object", "properties": props, **({"required": sorted(props)} if required else {})}


_S = {"type": "string"}
_SN = _n(_S)
_DN = _n(_DATE)
_LS = {"type": "array", "items": _S}
_B = {"type": "boolean"}


def _REF(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


_INSTRUMENT = _n({"type": "object", "required": ["id"],
                  "properties": {"id": _S, "kind": _S, "label": _S, "title": _SN, "url": _S}})
_SOURCE = _obj({"id": _S, "publisher": _SN, "url": _SN, "title": _SN, "published": _DN})
_SUPERSEDED = {"type": "array", "items": _obj({"record": _S, "by": _S})}

SCHEMAS: dict[str, Any] = {
    "Relief": _obj({"transition": _S, "instrument": _SN, "label": _S, "since": _DN, "until": _DN,
                    "authorises": _SN, "excludes": _LS, "conditions": _LS, "confidence": _S}),
    "Pending": _obj({"transition": _S, "action": _S, "announced": _DN, "confidence": _S, "note": _SN}),
    "State": _obj({"measure": _S, "authority": _S, "kind": _S, "title": _S, "program": _SN, "targets": _LS,
                   "exists": _B, "status": _n({"enum": ["in_force", "relieved", "suspended", "lifted", "expired"]}),
                   "in_force": _B, "valid_from": _DN, "valid_to": _DN, "version": {"type": "integer", "minimum": 0},
                   "cause": _S, "transition": _SN, "basis": _SN, "instrument": _INSTRUMENT, "confidence": _SN,
                   "lapsed": {"type": "array", "items": _obj({"transition": _S, "instrument": _INSTRUMENT})},
                   "uncertain": _B, "knowledge": _DN, "projection": _B, "scheduled": _B,
                   "reliefs": {"type": "array", "items": _REF("Relief")},
                   "pending": {"type": "array", "items": _REF("Pending")}}),
    "Transition": _obj({"id": _S, "measure": _S, "authority": _S, "action": _S, "effective": _DN,
                        "effective_at": _SN, "announced": _DN, "published": _DN, "recorded": _DATE, "until": _DN,
                        "effective_window": _n({"type": "array", "items": _DATE, "minItems": 2, "maxItems": 2}),
                        "instrument": _INSTRUMENT, "authorises": _SN, "excludes": _LS, "conditions": _LS,
                        "confidence": _S, "sources": _LS, "corrects": _SN, "note": _SN}),
    "Change": _obj({"measure": _S, "authority": _S, "before": _REF("State"), "after": _REF("State")}),
    "History": _obj({"measure": _S, "authority": _S, "title": _S,
                     "versions": {"type": "array", "items": _REF("State")}, "superseded": _SUPERSEDED}),
    "Explanation": _obj({"state": _REF("State"),
                         "steps": {"type": "array", "items": _REF("Step")},
                         "measure_sources": {"type": "array", "items": _SOURCE}, "superseded": _SUPERSEDED}),
    "Comparison": _obj({"target": _S, "name": _S, "divergent": _B,
                        "by_authority": {"type": "object", "additionalProperties": _B},
                        "positions": {"type": "array", "items": _REF("Position")},
                        "states": {"type": "array", "items": _REF("State")}}),
    "Position": _obj({"authority": _S, "position": {"enum": ["blocked", "licensed", "lifted", "no measure"]},
                      "measures": _LS, "statuses": _LS, "licences": {"type": "array", "items": _REF("Relief")},
                      "projection": _B}),
    "Deal": _obj({"release": _S, "date": _DN, "date_window": _n({"type": "array", "items": _DATE}),
                  "recorded": _DATE, "count": _n({"type": "integer"}), "people": _LS, "nationalities": _LS,
                  "destinations": _LS, "negotiators": _LS,
                  "figures": {"type": "array", "items": {"type": "object"}}, "sources": _LS,
                  "links": {"type": "array", "items": _obj({"transition": _S, "measure": _S, "action": _S,
                                                            "effective": _DN, "announced": _DN, "basis": _S,
                                                            "recorded": _DATE, "quote": _SN, "sources": _LS})}}),
    "ScreenAnswer": _obj({"query": _S, "on": _S, "known": _DN, "hit": _B,
                          "states": {"type": "array", "items": _REF("State")}}),
    "RegistryFacts": _obj({"name": _S, "version": _SN, "digest": _S, "knowledge_date": _DN,
                           "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}}),
    "Receipt": _obj({"receipt": {"const": 1}, "command": _S, "query": {"type": "object"},
                     "registry": _obj({"name": _S, "version": _SN, "digest": _S}), "knowledge_date": _DN,
                     "answer_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "server_time": _S,
                     "signature": {"type": "string", "pattern": "^hmac-sha256:[0-9a-f]{64}$"}}),
    "Error": _obj({"error": {"type": "object", "required": ["status", "type", "message"],
                             "properties": {"status": {"type": "integer"}, "type": _S, "message": _S,
                                            "served_digest": _S, "requested_digest": _S,
                                            "limit": {"type": "integer"}}}}),
    "ScreenRequest": {"type": "object", "required": ["queries"], "additionalProperties": False, "properties": {
        "queries": {"type": "array", "maxItems": SCREEN_LIMIT, "items": {
            "type": "object", "additionalProperties": False, "required": ["on"],
            "properties": {"target": _S, "measure": _S, "on": _DATE_OR_INSTANT, "known": _DATE},
            "oneOf": [{"required": ["target"]}, {"required": ["measure"]}]}},
        "known": _DATE, "receipt": _B}},
}
# a step of an explanation: a transition whose sources are the source records, not their ids
SCHEMAS["Step"] = _obj(dict(SCHEMAS["Transition"]["properties"], sources={"type": "array", "items": _SOURCE}))
for _name in ("State", "Transition", "Change", "Deal", "ScreenAnswer"):
    SCHEMAS[_name + "List"] = {"type": "array", "items": _REF(_name)}


def _envelope(result: str, receipts: bool) -> dict[str, Any]:
    props = {"schema": {"const": 1}, "sanctrack": _S, "command": _S, "query": {"type": "object"},
             "registry": _obj({"name": _S, "version": _SN, "digest": _S}), "result": _REF(result)}
    doc = _obj(props)
    if receipts:
        doc["properties"]["receipt"] = _REF("Receipt")
    return doc


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _REF("Error")}}}


_ETAG = {"ETag": {"description": "the served registry's digest, quoted", "schema": _S}}
_COMMON_PARAMS = [
    {"name": "digest", "in": "query", "required": False, "schema": _S,
     "description": "answer only if the served registry has this digest (else 412)"},
    {"name": "If-Match", "in": "header", "required": False, "schema": _S,
     "description": "the same as ?digest=, as an entity tag"},
]


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh dict)."""
    from .. import __version__

    paths: dict[str, Any] = {}
    for e in ENDPOINTS:
        params = [{"name": p.name, "in": p.where, "required": p.where == "path" or p.required,
                   "description": p.doc,
                   "schema": _DATE if p.kind == "date" else _DATE_OR_INSTANT if p.kind == "when" else _S}
                  for p in e.params] + list(_COMMON_PARAMS)
        if e.receipts:
            params.append({"name": "receipt", "in": "query", "required": False,
                           "schema": {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]},
                           "description": "return a signed receipt (default: yes when the server has a key)"})
        responses: dict[str, Any] = {
            "200": {"description": "the answer, in the envelope of docs/json.md", "headers": _ETAG,
                    "content": {"application/json": {"schema": _envelope(e.result, e.receipts)}}},
            "401": _error("a bearer token is required and was missing or wrong"),
            "412": _error("the request named a digest that is not the served registry's (both are given)"),
            "422": _error("bad input: a bad date (with the expected shape), a missing or unknown parameter"),
        }
        responses["404"] = _error("an unknown measure, target or other record (with a did-you-mean)")
        if e.receipts:
            responses["409"] = _error("a receipt was asked for but the server has no receipt key")
        op: dict[str, Any] = {"operationId": e.command.replace("-", "_"), "summary": e.summary,
                              "parameters": params, "responses": responses}
        if e.command == "screen":
            responses["413"] = _error(f"more than {SCREEN_LIMIT:,} questions, or a body over the size limit")
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _REF("ScreenRequest")}}}
        paths[e.path] = {e.method.lower(): op}
    paths["/openapi.json"] = {"get": {"operationId": "openapi", "summary": "this document",
                                      "responses": {"200": {"description": "the OpenAPI document",
                                                            "content": {"application/json": {"schema": {
                                                                "type": "object"}}}},
                                                    "401": _error("bearer token missing or wrong")}}}
    paths["/admin/reload"] = {"post": {
        "operationId": "reload", "summary": "load --registry again and serve it (loopback clients only)",
        "parameters": list(_COMMON_PARAMS),
        "responses": {"200": {"description": "the new registry is served", "content": {"application/json": {
            "schema": _obj({"reloaded": _B, "old_digest": _S, "digest": _S})}}},
            "401": _error("bearer token missing or wrong"),
            "403": _error("the client is not on the loopback interface"),
            "412": _error("the request named a digest that is not the served registry's"),
            "422": _error("the new registry is invalid: it is refused and the old one keeps serving")}}}
    return {"openapi": "3.1.0",
            "info": {"title": "sanctrack", "version": __version__,
                     "description": "As-of sanctions queries: what was in force on a date, as known on another. "
                                    "Every answer carries its query and the registry digest (also the ETag)."},
            "paths": paths,
            "components": {"schemas": SCHEMAS,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
