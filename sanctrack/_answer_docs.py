"""The JSON documents of the answers: the ``result`` of every command's ``--format json`` and of the
HTTP answers, inside the :func:`envelope` that says which registry answered.

Pure: builds plain data. The shapes are the contract documented in ``docs/json.md``; change them
only by adding keys.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from typing import Any

from ._model import Deal, Explanation, History, MeasureState, Relief, StateChange, Transition

__all__ = ["JSON_SCHEMA_VERSION", "iso", "state_doc", "relief_doc", "transition_doc", "change_doc", "deal_doc",
           "explanation_doc", "history_doc", "compare_doc", "screen_doc", "position_doc", "envelope", "dumps"]

#: Bumped only for incompatible changes of the JSON shapes (adding keys is compatible).
JSON_SCHEMA_VERSION = 1


def iso(d: _dt.date | _dt.datetime | None) -> str | None:
    return None if d is None else d.isoformat()


def _instrument(reg: Any, inst_id: str | None) -> dict[str, Any] | None:
    if inst_id is None:
        return None
    try:
        i = reg.instrument(inst_id)
    except LookupError:
        return {"id": inst_id}
    out: dict[str, Any] = {"id": i.id, "kind": i.kind, "label": i.label, "title": i.title}
    if i.url:
        out["url"] = i.url
    return out


def relief_doc(r: Relief) -> dict[str, Any]:
    scope = r.scope
    return {
        "transition": r.transition.id,
        "instrument": r.instrument.id if r.instrument is not None else None,
        "label": r.label,
        "since": iso(r.since),
        "until": iso(r.until),
        "authorises": scope.authorises if scope is not None else None,
        "excludes": list(scope.excludes) if scope is not None else [],
        "conditions": list(r.conditions),
        "confidence": str(r.transition.confidence),
    }


def _pending_doc(t: Transition) -> dict[str, Any]:
    return {"transition": t.id, "action": str(t.action), "announced": iso(t.announced),
            "confidence": str(t.confidence), "note": t.note}


def state_doc(reg: Any, s: MeasureState) -> dict[str, Any]:
    """The JSON form of a :class:`MeasureState`."""
    m = s.measure
    t = s.transition
    b = s.basis or t
    return {
        "measure": m.id,
        "authority": m.authority,
        "kind": m.kind,
        "title": m.title,
        "program": s.program,
        "targets": list(s.targets),
        "exists": s.exists,
        "status": None if s.status is None else str(s.status),
        "in_force": s.in_force,
        "valid_from": iso(s.valid.start),
        "valid_to": iso(s.valid.end),
        "version": s.version,
        "cause": s.cause,
        "transition": t.id if t is not None else None,
        "instrument": _instrument(reg, b.instrument if b is not None else None),
        "confidence": str(b.confidence) if b is not None else None,
        "basis": b.id if b is not None else None,
        "lapsed": [{"transition": x.id, "instrument": _instrument(reg, x.instrument)} for x in s.lapsed],
        "uncertain": s.uncertain,
        "knowledge": iso(s.knowledge),
        "projection": s.projection,
        "scheduled": s.scheduled,
        "reliefs": [relief_doc(r) for r in s.reliefs],
        "pending": [_pending_doc(p) for p in s.pending],
    }


def transition_doc(reg: Any, t: Transition) -> dict[str, Any]:
    """The JSON form of a :class:`Transition` (with its measure's authority)."""
    m = reg.measure(t.measure)
    return {
        "id": t.id,
        "measure": t.measure,
        "authority": m.authority,
        "action": str(t.action),
        "effective": iso(t.effective),
        "effective_at": iso(t.effective_at),
        "announced": iso(t.announced),
        "published": iso(t.published),
        "recorded": iso(t.recorded),
        "until": iso(t.until),
        "effective_window": [iso(d) for d in t.effective_window] if t.effective_window else None,
        "instrument": _instrument(reg, t.instrument),
        "authorises": t.scope.authorises if t.scope is not None else None,
        "excludes": list(t.scope.excludes) if t.scope is not None else [],
        "conditions": list(t.conditions),
        "confidence": str(t.confidence),
        "sources": list(t.sources),
        "corrects": t.corrects,
        "note": t.note,
    }


def change_doc(reg: Any, c: StateChange) -> dict[str, Any]:
    return {"measure": c.measure.id, "authority": c.measure.authority,
            "before": state_doc(reg, c.before), "after": state_doc(reg, c.after)}


def deal_doc(reg: Any, d: Deal) -> dict[str, Any]:
    r = d.release
    return {
        "release": r.id,
        "date": iso(r.date),
        "date_window": [iso(x) for x in r.date_window] if r.date_window else None,
        "recorded": iso(r.recorded),
        "count": r.count,
        "people": list(r.people),
        "nationalities": list(r.nationalities),
        "destinations": list(r.destinations),
        "negotiators": list(r.negotiators),
        "figures": [{"quantity": f.quantity, "value": f.value, "used": f.used, "sources": list(f.sources)}
                    for f in r.figures],
        "sources": list(r.sources),
        "links": [{"transition": lt.transition.id, "measure": lt.transition.measure,
                   "action": str(lt.transition.action), "effective": iso(lt.transition.effective),
                   "announced": iso(lt.transition.announced),
                   "basis": str(lt.link.basis), "recorded": iso(lt.link.recorded),
                   "quote": lt.link.quote, "sources": list(lt.link.sources)} for lt in d.links],
    }


def explanation_doc(reg: Any, e: Explanation) -> dict[str, Any]:
    def src(s: Any) -> dict[str, Any]:
        return {"id": s.id, "publisher": s.publisher, "url": s.url, "title": s.title,
                "published": iso(s.published)}

    return {
        "state": state_doc(reg, e.state),
        "steps": [dict(transition_doc(reg, st.transition), sources=[src(s) for s in st.sources])
                  for st in e.steps],
        "measure_sources": [src(s) for s in e.measure_sources],
        "superseded": [{"record": s.record.id, "by": s.by.id} for s in e.superseded],
    }


def history_doc(reg: Any, h: History) -> dict[str, Any]:
    return {"measure": h.measure.id, "authority": h.measure.authority, "title": h.measure.title,
            "versions": [state_doc(reg, s) for s in h.versions],
            "superseded": [{"record": s.record.id, "by": s.by.id} for s in h.superseded]}


def compare_doc(reg: Any, c: Any) -> dict[str, Any]:
    """The JSON form of a :class:`Comparison` (one target across authorities)."""
    return {"target": c.target.id, "name": c.target.name, "divergent": c.divergent,
            "by_authority": dict(c.by_authority),
            "positions": [position_doc(p) for p in c.positions],
            "states": [state_doc(reg, s) for s in c.states]}


def screen_doc(reg: Any, h: Any) -> dict[str, Any]:
    """The JSON form of a :class:`ScreenHit`: the question, and the states in force that answer it."""
    return {"query": h.query, "on": iso(h.on) if not isinstance(h.on, str) else h.on, "known": iso(h.known),
            "hit": h.hit, "states": [state_doc(reg, s) for s in h.states]}


def envelope(reg: Any, command: str, query: Mapping[str, Any], result: Any) -> dict[str, Any]:
    """The JSON document every CLI answer is wrapped in: enough to reproduce it."""
    from . import __version__

    info = reg.info
    return {
        "schema": JSON_SCHEMA_VERSION,
        "sanctrack": __version__,
        "command": command,
        "query": dict(query),
        "registry": {"name": info.name, "version": info.version, "digest": reg.digest},
        "result": result,
    }


def dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def position_doc(p: Any) -> dict[str, Any]:
    """The JSON form of a :class:`~sanctrack.Position`."""
    return {"authority": p.authority, "position": p.position,
            "measures": [s.measure.id for s in p.states], "statuses": list(p.statuses),
            "licences": [relief_doc(r) for r in p.reliefs], "projection": p.projection}
