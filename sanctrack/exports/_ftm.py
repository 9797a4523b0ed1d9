"""FollowTheMoney export: ``Sanction`` entities as JSON lines, as of a date.

FollowTheMoney (FtM, the OpenSanctions data model) records a sanction as a
``Sanction`` entity pointing at the sanctioned ``entity``, with a
``startDate``/``endDate``, the issuing ``authority``, the authority's own
listing id (``authorityId``, e.g. OFAC's uid ``44541``), the ``program`` and
free-text ``status`` and ``provisions``; a target under a sanction in force
carries the topic ``sanction``. FtM has no licence overlay, no knowledge time
and no projections, so the mapping (also in ``docs/ftm.md``) is:

* the export is made **as of** a date ``as_of`` (the CLI passes today's date;
  this module never reads the clock). Its *fact horizon* is the earlier of
  ``as_of`` and the registry's knowledge date (``known`` of a view, else the
  latest ``recorded`` date of its transitions): what holds up to the horizon
  is a fact, what the registry says of later dates is a projection (a
  scheduled lapse may be renewed, as the EU renews its Belarus listings every
  February). Projections are never written as facts: a lapse after the
  horizon gives no ``endDate`` and no ``expired`` status, only a
  ``provisions`` line naming the scheduled date;
* one ``Sanction`` per (measure, target, *period*): a period runs from an
  ``impose``/``reimpose`` to the ``lift`` or expiry that ends it (open if it
  still holds on the horizon); ``startDate`` is its first day, ``endDate`` the
  day it stopped holding (sanctrack's exclusive end), only when that day is on
  or before the horizon;
* ``status`` is the sanctrack status on the horizon (``in_force``,
  ``relieved``, ``suspended``) or the one that ended the period (``lifted``,
  ``expired``); a period that only begins after the horizon is ``scheduled``;
* ``authorityId`` is the authority's own id of the target (OFAC: the uid of an
  ``ofac:<uid>`` identifier), written only where the registry knows it;
* ``program`` is the measure's program code where the registry has one, else
  the title of the legal act that imposed the measure, else its title: every
  ``Sanction`` carries one;
* targets are emitted first as FtM entities (``Organization``, ``Person``,
  ``Airplane``, ``Vessel``, ``PublicBody``, ``LegalEntity``) so the ``entity``
  references resolve; only those under a measure in force on the as-of date
  get the topic ``sanction`` (when ``as_of`` lies after the registry's
  knowledge, a target in force on the knowledge date keeps it: a lapse in
  between is not a fact).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from .._model import IN_FORCE, MeasureState, Status
from .._time import parse_date

if TYPE_CHECKING:
    from .._registry import Registry

__all__ = ["AUTHORITY_ID_SCHEMES", "FTM_SANCTION_PROPERTIES", "FTM_SCHEMAS", "fact_horizon", "ftm_entities",
           "knowledge_date", "write_ftm"]

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

#: authority code -> the identifier scheme of its own listing ids (an entity identifier
#: ``<scheme>:<id>`` gives that authority's ``authorityId``).
AUTHORITY_ID_SCHEMES: dict[str, str] = {"US-OFAC": "ofac"}

_COUNTRY = {"uk": "gb"}  # FtM country codes are ISO 3166 (plus "eu")
_ENDED = frozenset({Status.LIFTED, Status.EXPIRED})
PREFIX = "sanctrack"


def _entity_id(eid: str) -> str:
    return f"{PREFIX}-{eid}"


def knowledge_date(reg: Registry) -> _dt.date | None:
    """What the registry knows up to: a view's ``known`` date, else its latest ``recorded`` (None if empty)."""
    known: _dt.date | None = reg.known
    if known is not None:
        return known
    return max((t.recorded for t in reg.transitions), default=None)


def fact_horizon(reg: Registry, as_of: _dt.date | None) -> _dt.date | None:
    """The last date whose state is a fact for an export as of ``as_of``: the earlier of it and the knowledge date."""
    known = knowledge_date(reg)
    if as_of is None or known is None:
        return as_of if known is None else known
    return min(as_of, known)


def _target(e: Any, sanctioned: bool) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [e.name]}
    if e.aliases:
        props["alias"] = list(e.aliases)
    regs = [i.split(":", 1)[1] for i in e.identifiers if i.startswith(("tail:", "reg:"))]
    if regs:
        props["registrationNumber"] = regs
    if e.note:
        props["notes"] = [" ".join(e.note.split())]
    if sanctioned:
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


def _authority_id(entity: Any, authority: str) -> list[str]:
    scheme = AUTHORITY_ID_SCHEMES.get(authority)
    if scheme is None or entity is None:
        return []
    return [i.split(":", 1)[1] for i in entity.identifiers if i.startswith(scheme + ":")]


def _program_of(reg: Registry, m: Any, runs: list[MeasureState]) -> list[str]:
    programs = list(dict.fromkeys(s.program for s in runs if s.program))
    if programs:
        return programs
    if m.program:
        return [m.program]
    for s in runs:  # the legal act that imposed the measure (OpenSanctions' program for EU/UK lists)
        t = s.transition
        if t is not None and t.instrument:
            try:
                return [" ".join(reg.instrument(t.instrument).title.split())]
            except LookupError:
                return [t.instrument]
    return [m.title]


def _sanctioned(reg: Registry, as_of: _dt.date | None, horizon: _dt.date | None) -> set[str]:
    """Entity ids under a measure in force on the as-of date (or on the horizon before it)."""
    out: set[str] = set()
    days = {d for d in (as_of, horizon) if d is not None}
    for day in days:
        for s in reg.in_force(day):
            out.update(s.targets)
    return out


def ftm_entities(reg: Registry, *, as_of: _dt.date | str | None = None) -> Iterator[dict[str, Any]]:
    """FtM entities as of a date: the targets, then one ``Sanction`` per (measure, target, period).

    ``as_of`` defaults to the registry's knowledge date (the CLI passes today's date).
    """
    if isinstance(as_of, str):
        as_of = parse_date(as_of)
    horizon = fact_horizon(reg, as_of)
    sanctioned = _sanctioned(reg, as_of, horizon)
    entities = {e.id: e for e in reg.entities}
    for e in reg.entities:
        yield _target(e, e.id in sanctioned)
    authorities = {a.code: a for a in reg.authorities}
    sources = {s.id: s for s in reg.sources}

    when = _When(as_of, knowledge_date(reg), horizon)
    fact = when.fact

    for m in reg.measures:
        hist = reg.history(m.id)
        a = authorities.get(m.authority)
        for n, period in enumerate(_periods(hist.versions), start=1):
            first = period[0].valid.start
            assert first is not None
            scheduled = not fact(first)  # the whole period lies after the horizon
            known_runs = [s for s in period if fact(s.valid.start)] or period[:1]
            last = known_runs[-1]
            ended = last.status in _ENDED and not scheduled
            live = [s for s in known_runs if s.status not in _ENDED]
            provisions = [f"{m.kind}: {m.title}"]
            src_ids = list(m.sources)
            seen_reliefs: set[str] = set()
            for s in live:
                if s.transition is not None:
                    src_ids.extend(s.transition.sources)
                for r in s.reliefs:
                    if r.transition.id in seen_reliefs:
                        continue
                    seen_reliefs.add(r.transition.id)
                    src_ids.extend(r.transition.sources)
                    provisions.append(_licence_text(r, period, when))
            if ended and last.transition is not None:
                src_ids.extend(last.transition.sources)
            if scheduled:
                provisions.append(f"scheduled to take effect on {first.isoformat()}, after the "
                                  f"{when.name()}: a projection, not a fact")
            elif not ended:
                provisions.extend(_later_end(period, last, when))
            urls = list(dict.fromkeys(sources[sid].url for sid in dict.fromkeys(src_ids) if sid in sources))
            targets = list(dict.fromkeys(t for s in (live or known_runs) for t in s.targets))
            programs = _program_of(reg, m, live or known_runs)
            status = "scheduled" if scheduled else str(last.status)
            for target in targets:
                props: dict[str, list[str]] = {
                    "entity": [_entity_id(target)],
                    "authority": [a.name if a is not None else m.authority],
                    "startDate": [first.isoformat()],
                    "status": [status],
                    "program": programs,
                    "provisions": provisions,
                    "summary": [" ".join((m.summary or m.title).split())],
                }
                ids = _authority_id(entities.get(target), m.authority)
                if ids:
                    props["authorityId"] = ids
                if ended:
                    end = last.valid.start
                    assert end is not None  # an ended run starts on the day the measure ended
                    props["endDate"] = [end.isoformat()]
                if a is not None:
                    j = a.jurisdiction.lower()
                    props["country"] = [_COUNTRY.get(j, j)]
                if urls:
                    props["sourceUrl"] = urls
                yield {"id": f"{PREFIX}-sanction-{m.id}-{target}-{n}", "schema": "Sanction",
                       "properties": props}


class _When:
    """An export's dates: as of, knowledge, and the horizon up to which states are facts."""

    __slots__ = ("as_of", "known", "horizon")

    def __init__(self, as_of: _dt.date | None, known: _dt.date | None, horizon: _dt.date | None) -> None:
        self.as_of, self.known, self.horizon = as_of, known, horizon

    def fact(self, d: _dt.date | None) -> bool:
        return d is not None and (self.horizon is None or d <= self.horizon)

    def name(self) -> str:
        if self.horizon is None:
            return "export date"
        if self.as_of is not None and self.horizon < self.as_of:
            return f"registry's knowledge ({self.horizon.isoformat()})"
        return f"export's as-of date ({self.horizon.isoformat()})"


def _licence_text(r: Any, period: list[MeasureState], when: _When) -> str:
    ends = [v for v in period if v.status not in _ENDED and r.transition.id in {x.transition.id for x in v.reliefs}]
    end = ends[-1].valid.end if ends else None
    text = f"licence {r.label} from {r.since.isoformat()}"
    if end is not None:
        if when.fact(end):
            text += f" to {end.isoformat()}"
        elif when.known is not None and end <= when.known:
            text += f", ended on {end.isoformat()} after the export's as-of date"
        else:
            text += f", scheduled to end on {end.isoformat()} (a projection)"
    if r.scope is not None and r.scope.authorises:
        text += f": authorises {r.scope.authorises}"
    if r.scope is not None and r.scope.excludes:
        text += f"; excludes {', '.join(r.scope.excludes)}"
    return text


def _later_end(period: list[MeasureState], last: MeasureState, when: _When) -> list[str]:
    """How a period open on the horizon ends later, as text: a known end after the as-of date, or a projection."""
    later = [s for s in period if not when.fact(s.valid.start)]
    end = next((s for s in later if s.status in _ENDED), None)
    day = end.valid.start if end is not None else (last.until if last.status in IN_FORCE else None)
    if day is None or when.fact(day):
        return []
    lifted = end is not None and end.status is Status.LIFTED
    if when.known is not None and day <= when.known:
        # in effect by the registry's knowledge date: a fact, but after the export's as-of date
        return [f"{'lifted' if lifted else 'lapsed'} on {day.isoformat()}, after the export's as-of date "
                f"({when.horizon})"]
    what = "be lifted" if lifted else "lapse"
    unless = "" if lifted else " unless extended"
    after = f"registry's knowledge ({when.known.isoformat()})" if when.known is not None else when.name()
    return [f"scheduled to {what} on {day.isoformat()}{unless}, after the {after}: a projection, not a fact"]


def write_ftm(reg: Registry, out: IO[str], *, as_of: _dt.date | str | None = None) -> int:
    """Write :func:`ftm_entities` as JSON lines to a text stream; return the number of lines."""
    n = 0
    for ent in ftm_entities(reg, as_of=as_of):
        out.write(json.dumps(ent, ensure_ascii=False, sort_keys=True))
        out.write("\n")
        n += 1
    return n
