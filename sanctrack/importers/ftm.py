"""OpenSanctions FollowTheMoney (FtM) JSON lines: entity exports and delta files.

An **entities file** holds one FtM entity per line (``{"id", "schema", "properties",
"first_seen", "last_seen", ...}``). A **delta file** holds one operation per line:
``{"op": "ADD"|"MOD", "entity": {...}}`` or ``{"op": "DEL", "entity": {"id": ...}}``;
the operations are applied in file order (ADD and MOD put the entity, DEL removes it),
onto a base snapshot when one is given (:func:`apply_delta`).

One listing per ``Sanction`` entity, keyed by its id, for the entity its ``entity``
property names (identifier ``opensanctions:<id>`` of that target):

* ``startDate``, else ``listingDate`` -> ``effective`` (the authority's dates);
* ``endDate`` -> ``ended``: a lift dated by the list;
* ``program`` -> the programme (else the ``authority``);
* ``first_seen`` -> ``known_since``: OpenSanctions' own knowledge time (when its
  crawler first saw the record), kept apart and **never** used as an effective date;
* the snapshot's date: the date given, else the one in the file name, else the latest
  ``last_seen`` in the file (again OpenSanctions' knowledge time: good for
  ``recorded``, not for ``effective``).

A partial date (``2019`` or ``2019-05``) is no day: it gives no effective date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._shape import ListFormatError, Listing, ListSnapshot
from ._xml import read_file

__all__ = ["FtmReader", "read", "apply_delta", "read_next", "OPS"]

OPS = ("ADD", "MOD", "DEL")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_KINDS = {"Person": "person", "Vessel": "vessel", "Airplane": "aircraft", "PublicBody": "government_body"}


def _day(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _DAY.match(value):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _first_day(props: Mapping[str, Any], name: str) -> dt.date | None:
    days = [d for d in (_day(v) for v in props.get(name) or ()) if d]
    return min(days) if days else None


def _lines(path: str, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data[: exc.start].count(b"\n") + 1
        raise ListFormatError(path, at, None, f"not UTF-8 (byte {exc.object[exc.start]:#04x})") from None
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ListFormatError(path, n, None, f"not a JSON object: {exc}") from None
        if not isinstance(doc, dict):
            raise ListFormatError(path, n, None, f"expected a JSON object, found {type(doc).__name__}")
        yield n, doc


def _entity(path: str, n: int, doc: Any, *, body: bool = True) -> dict[str, Any]:
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not doc["id"]:
        raise ListFormatError(path, n, "id", "an entity without an id")
    if body:
        if not isinstance(doc.get("schema"), str):
            raise ListFormatError(path, n, "schema", f"entity {doc['id']}: no schema")
        props = doc.get("properties", {})
        if not isinstance(props, dict) or any(
                not isinstance(v, list) or not all(isinstance(x, str) for x in v) for v in props.values()):
            raise ListFormatError(path, n, "properties", f"entity {doc['id']}: properties must map to lists of text")
    return doc


@attrs.frozen(slots=True)
class _State:
    entities: dict[str, tuple[int, dict[str, Any]]]
    ops: dict[str, int]
    last_seen: dt.date | None


def _load(path: str, data: bytes, base: Mapping[str, tuple[int, dict[str, Any]]] | None) -> _State:
    state: dict[str, tuple[int, dict[str, Any]]] = dict(base or {})
    ops = dict.fromkeys(OPS, 0)
    delta: bool | None = None
    last: dt.date | None = None
    for n, doc in _lines(path, data):
        is_op = "op" in doc
        if delta is None:
            delta = is_op
        elif delta != is_op:
            raise ListFormatError(path, n, "op", "a delta operation and a plain entity mixed in one file")
        if is_op:
            op = doc.get("op")
            if op not in OPS:
                raise ListFormatError(path, n, "op", f"unknown operation {op!r} (expected ADD, MOD or DEL)")
            ent = _entity(path, n, doc.get("entity"), body=op != "DEL")
            ops[op] += 1
            if op == "DEL":
                state.pop(ent["id"], None)
                continue
        else:
            ent = _entity(path, n, doc)
        state[ent["id"]] = (n, ent)
        seen = _day(ent.get("last_seen"))
        if seen and (last is None or seen > last):
            last = seen
    if delta is None:
        raise ListFormatError(path, None, None, "empty file: no entity and no operation")
    return _State(state, ops if delta else {}, last)


def _listings(path: str, state: _State) -> dict[str, Listing]:
    ents = state.entities
    out: dict[str, Listing] = {}
    for key, (n, ent) in ents.items():
        if ent.get("schema") != "Sanction":
            continue
        props = ent.get("properties") or {}
        targets = props.get("entity") or []
        if not targets:
            raise ListFormatError(path, n, "entity", f"Sanction {key} names no sanctioned entity")
        target = targets[0].strip()
        if not target:
            raise ListFormatError(path, n, "entity", f"Sanction {key} names an empty entity id")
        named = ents.get(target)
        if named is not None:
            t = named[1]
            tprops = t.get("properties") or {}
            given = t.get("caption")
            caption = given if isinstance(given, str) else ""
            names = list(dict.fromkeys([" ".join(x.split()) for x in (tprops.get("name") or [])] + [caption]))
            names = [x for x in names if x] or [target]
            kind = _KINDS.get(t["schema"], "organisation")  # _entity checked: a str
        else:
            names, kind = [target], "organisation"
        best = (named or (0, {}))[1].get("caption")
        name = best if isinstance(best, str) and best in names else names[0]
        program = "; ".join(sorted(set(props.get("program") or []))) or \
            "; ".join(sorted(set(props.get("authority") or []))) or "unknown"
        out[key] = Listing(
            key=key, name=name, kind=kind, program=program,
            aliases=tuple(x for x in names if x != name),
            identifiers=(f"opensanctions:{target}",),
            effective=_first_day(props, "startDate") or _first_day(props, "listingDate"),
            ended=_first_day(props, "endDate"),
            instrument="; ".join(props.get("authorityId") or []) or None,
            known_since=_day(ent.get("first_seen")),
            target=target, line=n,
        )
    return out


class FtmReader:
    """Reads an FtM entities file or a delta file (see the module docstring)."""

    list = "ftm"
    suffixes = (".json", ".jsonl", ".ftm.json")

    def read(self, path: str | os.PathLike[str], date: object = None,
             base: ListSnapshot | None = None) -> ListSnapshot:
        p = os.fspath(path)
        data, digest = read_file(p)
        state = _load(p, data, base.raw if base is not None and isinstance(base.raw, dict) else None)
        entries = _listings(p, state)
        if not entries:
            n = len(state.entities)
            raise ListFormatError(p, None, "schema", f"no Sanction entity ({n} entit{'y' if n == 1 else 'ies'} "
                                  "of other schemas): nothing to date")
        from ._dates import as_date, date_from_name

        dated = date is None
        day = as_date(p, date) if date is not None else (date_from_name(p) or state.last_seen)
        if day is None:
            raise ListFormatError(p, None, "date", "no date given, none in the file name and no last_seen")
        return ListSnapshot("ftm", p, day, digest, entries, None, state.ops or None, dated=dated,
                            raw=state.entities)


def read(path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """Read one FtM entities or delta file."""
    return FtmReader().read(path, date)


def apply_delta(base: ListSnapshot, delta: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """The snapshot after applying a delta file's operations, in order, onto ``base``."""
    snap = read_next(base, delta, date)
    if not snap.ops:
        raise ListFormatError(snap.path, None, "op", "not a delta file (no ADD/MOD/DEL operations)")
    return snap


def read_next(previous: ListSnapshot, path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """The next snapshot after ``previous``: a delta file applied onto it, or a whole
    entities file read on its own."""
    p = os.fspath(path)
    if previous.list != "ftm" or not isinstance(previous.raw, dict):
        raise ValueError(f"{previous.name}: not a snapshot read by sanctrack.importers.ftm")
    data, digest = read_file(p)
    state = _load(p, data, None)
    if state.ops:
        state = _load(p, data, previous.raw)
    from ._dates import as_date, date_from_name

    day = as_date(p, date) if date is not None else (date_from_name(p) or state.last_seen)
    if day is None:
        raise ListFormatError(p, None, "date", "no date given, none in the file name and no last_seen")
    entries = _listings(p, state)
    if not entries:
        raise ListFormatError(p, None, "schema", "no Sanction entity after this file: nothing to date")
    return ListSnapshot("ftm", p, day, digest, entries, None, state.ops or None, dated=date is None,
                        raw=state.entities)
