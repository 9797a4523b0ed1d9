"""FollowTheMoney export: ``Sanction`` entities as JSON lines.

FollowTheMoney (FtM, the OpenSanctions data model) records a sanction as a
``Sanction`` entity pointing at the sanctioned ``entity``, with a
``startDate``/``endDate`` and free-text ``status`` and ``provisions``. It has no
notion of a licence overlay or of knowledge time, so the mapping (also in
``docs/ftm.md``) is:

* one ``Sanction`` per (measure, target, *period*): a period runs from an
  ``impose``/``reimpose`` to the ``lift`` or expiry that ends it (open if it
  still holds); ``startDate`` is its first day, ``endDate`` the day it stopped
  holding (sanctrack's exclusive end), absent while it holds;
* ``status`` is the sanctrack status of the period's last run (``in_force``,
  ``relieved``, ``suspended``, ``lifted``, ``expired``);
* ``provisions`` carries the measure kind and title, then one line per licence
  (relief) granted during the period, with its dates and scope, as *text*;
* ``sourceUrl`` lists the URLs of the measure's and the period's transitions'
  sources; ``authority`` is the authority's name, ``authorityId`` its code,
  ``program`` the program, ``country`` the authority's jurisdiction (ISO code);
* the targets themselves are emitted first as FtM entities (``Organization``,
  ``Person``, ``Airplane``, ``Vessel``, ``PublicBody``, ``LegalEntity``), so the
  ``entity`` references resolve.

Only the registry's current knowledge is exported (``recorded`` dates are lost).
"""

from __future__ import annotations

import json
from typing import IO, Any, Iterator

from .._model import MeasureState, Status

__all__ = ["FTM_SANCTION_PROPERTIES", "FTM_SCHEMAS", "ftm_entities", "write_ftm"]

#: The FtM ``Sanction`` properties this export writes (a subset of the FtM schema).
FTM_SANCTION_PROPERTIES: frozenset[str] = frozenset({
    "entity", "authority", "authorityId", "program", "country", "startDate", "endDate",
    "status", "provisions", "sourceUrl", "summary", "reason",
})

#: sanctrack entity kind -> FtM schema.
FTM_SCHEMAS: dict[str, str] = {
    "organisation": "Organization",
    "person": "Person",
    "aircraft": "Airplane",
    "vessel": "Vessel",
    "government_body": "PublicBody",
    "sector": "LegalEntity",
    "country": "LegalEntity",
}

_COUNTRY = {"uk": "gb"}  # FtM country codes are ISO 3166 (plus "eu")
_ENDED = frozenset({Status.LIFTED, Status.EXPIRED})
PREFIX = "sanctrack"


def _entity_id(eid: str) -> str:
    return f"{PREFIX}-{eid}"


def _target(e: Any) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [e.name]}
    if e.aliases:
        props["alias"] = list(e.aliases)
    regs = [i.split(":", 1)[1] for i in e.identifiers if i.startswith(("tail:", "reg:"))]
    if regs:
        props["registrationNumber"] = regs
    if e.note:
        props["notes"] = [e.note]
    props["topics"] = ["sanction"]
    return {"id": _entity_id(e.id), "schema": FTM_SCHEMAS.get(e.kind, "LegalEntity"), "properties": props}


def _periods(versions: tuple[MeasureState, ...]) -> list[list[MeasureState]]:
    periods: list[list[MeasureState]] = []
    current: list[MeasureState] = []
    for s in versions:
        if s.status in _ENDED:
            if current:
                current.append(s)  # the run that ends it: its start is the end date
                periods.append(current)
                current = []
            continue
        current.append(s)
    if current:
        periods.append(current)
    return periods


def ftm_entities(reg: Any) -> Iterator[dict[str, Any]]:
    """FtM entities: the targets, then one ``Sanction`` per (measure, target, period)."""
    for e in reg.entities:
        yield _target(e)
    authorities = {a.code: a for a in reg.authorities}
    sources = {s.id: s for s in reg.sources}
    for m in reg.measures:
        hist = reg.history(m.id)
        a = authorities.get(m.authority)
        for n, period in enumerate(_periods(hist.versions), start=1):
            ended = period[-1].status in _ENDED
            live = period[:-1] if ended else period
            last = period[-1]
            urls: list[str] = []
            src_ids = list(m.sources)
            provisions = [f"{m.kind}: {m.title}"]
            seen_reliefs: set[str] = set()
            for s in period:
                if s.transition is not None:
                    src_ids.extend(s.transition.sources)
                for r in s.reliefs:
                    if r.transition.id in seen_reliefs:
                        continue
                    seen_reliefs.add(r.transition.id)
                    src_ids.extend(r.transition.sources)
                    text = f"licence {r.label} from {r.since.isoformat()}"
                    ends = [v for v in live if r.transition.id in {x.transition.id for x in v.reliefs}]
                    end = ends[-1].valid.end if ends else None
                    if end is not None:
                        text += f" to {end.isoformat()}"
                    if r.scope is not None and r.scope.authorises:
                        text += f": authorises {r.scope.authorises}"
                    if r.scope is not None and r.scope.excludes:
                        text += f"; excludes {', '.join(r.scope.excludes)}"
                    provisions.append(text)
            for sid in dict.fromkeys(src_ids):
                s = sources.get(sid)
                if s is not None and s.url not in urls:
                    urls.append(s.url)
            targets = list(dict.fromkeys(t for s in live for t in s.targets))
            programs = list(dict.fromkeys(s.program for s in live if s.program))
            for target in targets:
                props: dict[str, list[str]] = {
                    "entity": [_entity_id(target)],
                    "authority": [a.name if a is not None else m.authority],
                    "authorityId": [m.authority],
                    "startDate": [live[0].valid.start.isoformat()],  # type: ignore[union-attr]
                    "status": [str(last.status)],
                    "provisions": provisions,
                    "summary": [m.summary or m.title],
                }
                if ended:
                    props["endDate"] = [last.valid.start.isoformat()]  # type: ignore[union-attr]
                if programs:
                    props["program"] = programs
                if a is not None:
                    j = a.jurisdiction.lower()
                    props["country"] = [_COUNTRY.get(j, j)]
                if urls:
                    props["sourceUrl"] = urls
                yield {"id": f"{PREFIX}-sanction-{m.id}-{target}-{n}", "schema": "Sanction",
                       "properties": props}


def write_ftm(reg: Any, out: IO[str]) -> int:
    """Write :func:`ftm_entities` as JSON lines to a text stream; return the number of lines."""
    n = 0
    for ent in ftm_entities(reg):
        out.write(json.dumps(ent, ensure_ascii=False, sort_keys=True))
        out.write("\n")
        n += 1
    return n
