"""The questions the server answers, as plain functions of a registry and the query.

One table, :data:`ENDPOINTS`, names every endpoint with its parameters; the
application routes with it, the OpenAPI document is generated from it, and
``sanctrack verify-receipt`` re-runs a receipt's query through the same
:func:`answer`. Each answer is ``(query, result)``: ``query`` has the keys the
CLI's JSON envelope puts there (``docs/json.md``) and ``result`` is built by the
same ``sanctrack._format`` functions as the CLI's, so the two cannot drift.

No I/O here: the application reads requests and writes responses.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .. import Registry
from .. import _format as fmt
from .._errors import SanctrackError
from .._time import parse_date, parse_when

__all__ = ["Param", "Endpoint", "ENDPOINTS", "BadRequest", "answer", "registry_facts", "SCREEN_LIMIT"]

#: The most questions one ``POST /screen`` may carry; more is refused with 413.
SCREEN_LIMIT = 10_000

_FILTERS = ("authority", "target", "kind", "program")


class BadRequest(SanctrackError, ValueError):
    """A request the server cannot answer as given (422): a missing or unknown parameter, a bad body."""


class NotFound(SanctrackError, LookupError):
    """An unknown measure or target in a screening batch (404), located: ``queries[3]: unknown measure …``."""


@attrs.frozen
class Param:
    """One parameter of an endpoint: ``where`` is ``path`` or ``query``; ``kind`` ``date``, ``when`` or ``text``."""

    name: str
    where: str = "query"
    kind: str = "text"
    required: bool = False
    doc: str = ""


@attrs.frozen
class Endpoint:
    """One endpoint: its CLI command name, method, path template, parameters and what it answers."""

    command: str
    method: str
    path: str
    params: tuple[Param, ...]
    summary: str
    result: str  # the name of the result's schema in the OpenAPI document
    run: Callable[[Registry, Mapping[str, Any]], tuple[dict[str, Any], Any]]
    receipts: bool = False


_ON = Param("on", kind="when", required=True, doc="the date asked about (YYYY-MM-DD or an aware instant)")
_KNOWN = Param("known", kind="date", doc="answer as the registry stood on this date (knowledge time); "
                                         "omitted: everything recorded")
_FILTER_PARAMS = (Param("authority", doc="only measures of this authority (e.g. US-OFAC)"),
                  Param("target", doc="only measures against this target (entity id, name, alias or identifier)"),
                  Param("kind", doc="only measures of this kind (e.g. blocking)"),
                  Param("program", doc="only measures of this program"))


def _required(args: Mapping[str, Any], name: str, shape: str) -> object:
    v = args.get(name)
    if v is None or v == "":
        raise BadRequest(f"missing parameter {name!r}: expected {shape}")
    return v


def _when(args: Mapping[str, Any], name: str = "on") -> _dt.date | _dt.datetime:
    return parse_when(_required(args, name, "a date YYYY-MM-DD or an aware instant"))


def _view(reg: Registry, args: Mapping[str, Any]) -> tuple[Registry, dict[str, Any]]:
    """The registry as known on ``known`` (the CLI's ``--known``), and the query's ``known`` key."""
    known = args.get("known")
    if known is None:
        return reg, {"known": None}
    return reg.as_known_on(parse_date(known)), {"known": known}


def _filters(args: Mapping[str, Any]) -> dict[str, Any]:
    return {k: args[k] for k in _FILTERS if args.get(k) is not None}


def _state(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    on = _when(args)
    view, known = _view(reg, args)
    s = view.state(args["measure"], on)
    return {"measure": args["measure"], "on": on.isoformat(), **known}, fmt.state_doc(view, s)


def _in_force(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    on = _when(args)
    view, known = _view(reg, args)
    f = _filters(args)
    states = view.in_force(on, **f)
    return {"on": on.isoformat(), **known, **f}, [fmt.state_doc(view, s) for s in states]


def _history(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    view, known = _view(reg, args)
    return {"measure": args["measure"], **known}, fmt.history_doc(view, view.history(args["measure"]))


def _changes(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    a = parse_date(_required(args, "from", "a date YYYY-MM-DD"))
    b = parse_date(_required(args, "to", "a date YYYY-MM-DD"))
    if b < a:
        raise BadRequest(f"TO {args['to']!r} is before FROM {args['from']!r}: expected FROM <= TO")
    view, known = _view(reg, args)
    f = _filters(args)
    ts = view.changes(a, b, **f)
    return {"start": a.isoformat(), "end": b.isoformat(), **known, **f}, [fmt.transition_doc(view, t) for t in ts]


def _diff(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    a, b = _when(args, "a"), _when(args, "b")
    view, known = _view(reg, args)
    f = _filters(args)
    cs = view.diff(a, b, **f)
    return {"a": a.isoformat(), "b": b.isoformat(), **known, **f}, [fmt.change_doc(view, c) for c in cs]


def _explain(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    on = _when(args)
    view, known = _view(reg, args)
    e = view.explain(args["measure"], on)
    return {"measure": args["measure"], "on": on.isoformat(), **known}, fmt.explanation_doc(view, e)


def _compare(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    on = _when(args)
    view, known = _view(reg, args)
    c = view.compare(args["target"], on)
    return {"compare_target": args["target"], "on": on.isoformat(), **known}, fmt.compare_doc(view, c)


def _deals(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    view, known = _view(reg, args)
    return dict(known), [fmt.deal_doc(view, d) for d in view.deals()]


def registry_facts(reg: Registry) -> dict[str, Any]:
    """Name, version, digest, record counts and knowledge date (the latest ``recorded`` date) of a registry."""
    recorded = [t.recorded for t in reg.transitions] + [r.recorded for r in reg.releases] + \
               [ln.recorded for ln in reg.links]
    return {"name": reg.info.name, "version": reg.info.version, "digest": reg.digest,
            "counts": {"measures": len(reg.measures), "transitions": len(reg.transitions),
                       "releases": len(reg.releases), "links": len(reg.links), "entities": len(reg.entities),
                       "sources": len(reg.sources)},
            "knowledge_date": max(recorded).isoformat() if recorded else None}


def _registry(reg: Registry, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    return {}, registry_facts(reg)


_ITEM_KEYS = frozenset({"target", "measure", "on", "known"})


def _screen(reg: Registry, body: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """``{"queries": [{"target"|"measure", "on", "known"?}], "known"?}`` → one answer per question."""
    if not isinstance(body, Mapping) or not isinstance(body.get("queries"), list):
        raise BadRequest('invalid body: expected a JSON object {"queries": [{"target" or "measure", "on", '
                         '"known"?}, ...], "known"?}')
    extra = set(body) - {"queries", "known", "receipt"}
    if extra:
        raise BadRequest(f"unknown key {sorted(extra)[0]!r} in the body: expected queries, known, receipt")
    default_known = body.get("known")
    if default_known is not None:
        parse_date(_text(default_known, "known"))
    items = []
    canonical = []
    checked: dict[tuple[str, str], None] = {}
    dates: dict[str, Any] = {}  # each distinct date text parsed once
    for i, q in enumerate(body["queries"]):
        where = f"queries[{i}]"
        if not isinstance(q, Mapping):
            raise BadRequest(f"{where} is not an object: expected {{\"target\" or \"measure\", \"on\", \"known\"?}}")
        bad = set(q) - _ITEM_KEYS
        if bad:
            raise BadRequest(f"unknown key {sorted(bad)[0]!r} in {where}: expected target or measure, on, known")
        if ("target" in q) == ("measure" in q):
            raise BadRequest(f"{where} must name exactly one of 'target' and 'measure'")
        key = "target" if "target" in q else "measure"
        name = _text(q[key], f"{where}.{key}")
        try:
            text = _text(q.get("on"), f"{where}.on")
            on = dates.get(text) or dates.setdefault(text, parse_when(text))
            kn = q.get("known", default_known)
            y = parse_date(_text(kn, f"{where}.known")) if kn is not None else None
        except SanctrackError as exc:
            raise _located(exc, where) from None
        if (key, name) not in checked:  # an unknown name is a 404 with a did-you-mean, not a silent miss
            try:
                if key == "measure":
                    reg.measure(name)
                elif _is_measure(reg, name):
                    raise BadRequest(f"{where}.target {name!r} is a measure id: ask with \"measure\"")
                else:
                    reg.resolve(name)
            except LookupError as exc:
                raise NotFound(f"{where}: {exc}") from None
            checked[(key, name)] = None
        items.append((name, on, y))
        canonical.append({key: name, "on": on.isoformat(), "known": y.isoformat() if y else None})
    if all(y is None for _, _, y in items):  # (query, date) pairs: the registry answers them column by column
        hits = reg.screen([(name, on) for name, on, _ in items])
    else:
        hits = reg.screen(items)
    return ({"queries": canonical, "known": default_known},
            [fmt.screen_doc(reg, h) for h in hits])


def _is_measure(reg: Registry, name: str) -> bool:
    try:
        reg.measure(name)
    except LookupError:
        return False
    return True


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{where} must be a non-empty string, got {value!r}")
    return value


def _located(exc: SanctrackError, where: str) -> SanctrackError:
    """The same error, its message prefixed with the question's place in the batch."""
    out = BadRequest(f"{where}: {exc}")
    out.__cause__ = exc
    return out


_MEASURE = Param("measure", "path", doc="a measure id")

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("state", "GET", "/state/{measure}", (_MEASURE, _ON, _KNOWN),
             "the state of one measure on a date", "State", _state),
    Endpoint("in-force", "GET", "/in-force", (_ON, _KNOWN) + _FILTER_PARAMS,
             "the measures in force on a date", "StateList", _in_force, receipts=True),
    Endpoint("screen", "POST", "/screen", (),
             f"a batch of up to {SCREEN_LIMIT:,} screening questions", "ScreenAnswerList", _screen, receipts=True),
    Endpoint("changes", "GET", "/changes",
             (Param("from", kind="date", required=True, doc="first day (included)"),
              Param("to", kind="date", required=True, doc="last day (excluded)"), _KNOWN) + _FILTER_PARAMS,
             "transitions effective in [from, to)", "TransitionList", _changes),
    Endpoint("diff", "GET", "/diff",
             (Param("a", kind="when", required=True, doc="the first date"),
              Param("b", kind="when", required=True, doc="the second date"), _KNOWN) + _FILTER_PARAMS,
             "measures whose state differs between two dates", "ChangeList", _diff),
    Endpoint("compare", "GET", "/compare/{target}",
             (Param("target", "path", doc="an entity id, name, alias or identifier"), _ON, _KNOWN),
             "one target across authorities on a date", "Comparison", _compare),
    Endpoint("history", "GET", "/history/{measure}", (_MEASURE, _KNOWN),
             "every version of one measure, oldest first", "History", _history),
    Endpoint("explain", "GET", "/explain/{measure}", (_MEASURE, _ON, _KNOWN),
             "the chain of transitions and sources behind a state", "Explanation", _explain),
    Endpoint("deals", "GET", "/deals", (_KNOWN,), "releases and the transitions linked to them", "DealList", _deals),
    Endpoint("registry", "GET", "/registry", (), "the served registry: name, digest, counts, knowledge date",
             "RegistryFacts", _registry),
)

BY_COMMAND = {e.command: e for e in ENDPOINTS}


def answer(reg: Registry, command: str, args: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """Run one endpoint's question on ``reg``: ``(query, result)`` as the JSON envelope holds them."""
    e = BY_COMMAND.get(command)
    if e is None:
        raise BadRequest(f"unknown command {command!r}: expected one of {', '.join(BY_COMMAND)}")
    return e.run(reg, args)
