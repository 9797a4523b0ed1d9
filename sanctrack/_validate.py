"""Cross-record checks: references, vocabularies, corrections, time rules.

Every check appends a :class:`Problem` (record id + field, a message and a
hint) instead of raising, so a registry reports every problem at once. The
state-machine replay (legality) runs in :mod:`sanctrack._registry`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from ._errors import Problem
from ._model import (
    Action,
    Authority,
    Entity,
    Instrument,
    Link,
    Measure,
    Release,
    Source,
    Transition,
)
from ._time import local_date, zone

__all__ = ["did_you_mean", "check_records"]

_PLURAL = {"authority": "authorities", "entity": "entities"}
_UNTIL_ACTIONS = frozenset({Action.IMPOSE, Action.REIMPOSE, Action.RELIEVE, Action.EXTEND})


def did_you_mean(value: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean …?' hint for a near miss, or None."""
    pool = list(choices)
    close = difflib.get_close_matches(value, pool, n=1, cutoff=0.6)
    if not close:
        low = {c.casefold(): c for c in pool}
        if value.casefold() in low:
            close = [low[value.casefold()]]
    return f"did you mean {close[0]!r}?" if close else None


class _Refs:
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def check(self, kind: str, value: str | None, table: Mapping[str, object], record: str, field: str) -> bool:
        if value is None or value in table:
            return True
        hint = did_you_mean(value, table.keys()) or f"define it in {_PLURAL.get(kind, kind + 's')} first"
        self.problems.append(Problem(f"unknown {kind} {value!r}", hint=hint, record=record, field=field))
        return False

    def check_all(self, kind: str, values: Sequence[str], table: Mapping[str, object], record: str, field: str) -> None:
        for v in values:
            self.check(kind, v, table, record, field)


def _dupes(kind: str, ids: Iterable[str], problems: list[Problem], field: str = "id") -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            problems.append(Problem(f"duplicate {kind} id {i!r}", hint=f"{kind} ids must be unique",
                                    record=i, field=field))
        seen.add(i)


def check_records(
    *,
    authorities: Sequence[Authority],
    entities: Sequence[Entity],
    instruments: Sequence[Instrument],
    sources: Sequence[Source],
    measures: Sequence[Measure],
    transitions: Sequence[Transition],
    releases: Sequence[Release],
    links: Sequence[Link],
) -> list[Problem]:
    """Every cross-record problem, in a stable order."""
    problems: list[Problem] = []
    _dupes("authority", (a.code for a in authorities), problems, "code")
    _dupes("entity", (e.id for e in entities), problems)
    _dupes("instrument", (i.id for i in instruments), problems)
    _dupes("source", (s.id for s in sources), problems)
    _dupes("measure", (m.id for m in measures), problems)
    _dupes("transition", (t.id for t in transitions), problems)
    _dupes("release", (r.id for r in releases), problems)
    seen_links: set[tuple[str, str]] = set()
    for ln in links:
        key = (ln.release, ln.transition)
        if key in seen_links:
            problems.append(Problem(f"duplicate link {ln.release!r} -> {ln.transition!r}",
                                    hint="link a release to a transition once", record=ln.id,
                                    field="transition"))
        seen_links.add(key)

    auth = {a.code: a for a in authorities}
    ents = {e.id: e for e in entities}
    insts = {i.id: i for i in instruments}
    srcs = {s.id: s for s in sources}
    meas = {m.id: m for m in measures}
    trans = {t.id: t for t in transitions}
    rels = {r.id: r for r in releases}
    refs = _Refs(problems)

    for a in authorities:
        try:
            zone(a.timezone)
        except ValueError as exc:
            problems.append(Problem(str(exc), hint="use an IANA zone name", record=a.code, field="timezone"))
    for i in instruments:
        refs.check("authority", i.authority, auth, i.id, "authority")
        refs.check_all("source", i.sources, srcs, i.id, "sources")
    for m in measures:
        if m.authority not in auth:
            refs.check("authority", m.authority, auth, m.id, "authority")
        for e in m.targets:
            if e not in ents:
                refs.check("entity", e, ents, m.id, "targets")
        for s in m.sources:
            if s not in srcs:
                refs.check("source", s, srcs, m.id, "sources")

    corrected_by: dict[str, str] = {}
    for t in transitions:
        # the common case (a known reference) is one lookup; refs.check reports the others
        tm = meas.get(t.measure)
        if tm is None:
            refs.check("measure", t.measure, meas, t.id, "measure")
            continue
        if t.instrument is not None and t.instrument not in insts:
            refs.check("instrument", t.instrument, insts, t.id, "instrument")
        for s in t.sources:
            if s not in srcs:
                refs.check("source", s, srcs, t.id, "sources")
        if t.targets is not None:
            for e in t.targets:
                if e not in ents:
                    refs.check("entity", e, ents, t.id, "targets")
        if t.until is not None and t.action not in _UNTIL_ACTIONS:
            problems.append(Problem(f"until is not allowed on {t.action}",
                                    hint="until goes on impose, reimpose, relieve or extend",
                                    record=t.id, field="until"))
        if t.action is Action.EXTEND and t.until is None:
            problems.append(Problem("extend needs an until (the new end date)",
                                    hint="add until: YYYY-MM-DD", record=t.id, field="until"))
        if t.relief is not None:
            if t.action not in (Action.REVOKE_RELIEF, Action.EXTEND):
                problems.append(Problem(f"relief is not allowed on {t.action}",
                                        hint="relief goes on revoke_relief or extend", record=t.id, field="relief"))
            elif refs.check("transition", t.relief, trans, t.id, "relief"):
                r = trans[t.relief]
                if r.measure != t.measure or r.action is not Action.RELIEVE:
                    problems.append(Problem(f"relief {t.relief!r} is not a relieve of measure {t.measure!r}",
                                            hint="name a relieve transition of the same measure",
                                            record=t.id, field="relief"))
        if (t.program is not None or t.targets is not None or t.changes) and t.action is not Action.AMEND:
            field = "program" if t.program is not None else ("targets" if t.targets is not None else "changes")
            problems.append(Problem(f"{field} is only allowed on amend", hint="use action: amend",
                                    record=t.id, field=field))
        if t.effective_at is not None and t.effective is not None and tm.authority in auth:
            try:
                local = local_date(t.effective_at, auth[tm.authority].timezone)
            except ValueError:
                local = None
            if local is not None and local != t.effective:
                problems.append(Problem(
                    f"effective_at {t.effective_at.isoformat()} is {local} in {auth[tm.authority].timezone}, "
                    f"not the effective date {t.effective}",
                    hint="effective is the calendar date in the authority's time zone",
                    record=t.id, field="effective_at"))
        if t.corrects is not None:
            if t.corrects == t.id:
                problems.append(Problem("a transition cannot correct itself", record=t.id, field="corrects"))
            elif refs.check("transition", t.corrects, trans, t.id, "corrects"):
                old = trans[t.corrects]
                if old.measure != t.measure:
                    problems.append(Problem(
                        f"corrects {t.corrects!r} of measure {old.measure!r}, not of {t.measure!r}",
                        hint="a correction supersedes a record of the same measure", record=t.id, field="corrects"))
                if t.recorded < old.recorded:
                    problems.append(Problem(
                        f"recorded {t.recorded} is before the record it corrects"
                        f" ({t.corrects!r}, recorded {old.recorded})",
                        hint="a correction is known after what it corrects", record=t.id, field="recorded"))
                if t.corrects in corrected_by:
                    problems.append(Problem(
                        f"{t.corrects!r} is already corrected by {corrected_by[t.corrects]!r}",
                        hint="correct the latest record in the chain instead", record=t.id, field="corrects",
                        related=(corrected_by[t.corrects],)))
                else:
                    corrected_by[t.corrects] = t.id
    # correction cycles
    for start in list(corrected_by):
        seen: set[str] = set()
        cur: str | None = start
        while cur is not None and cur in trans:
            if cur in seen:
                problems.append(Problem("corrections form a cycle", hint="a correction must point to an older record",
                                        record=start, field="corrects"))
                break
            seen.add(cur)
            cur = trans[cur].corrects

    for rel in releases:
        refs.check_all("source", rel.sources, srcs, rel.id, "sources")
        for n, f in enumerate(rel.figures):
            refs.check_all("source", f.sources, srcs, rel.id, f"figures[{n}].sources")
    for ln in links:
        refs.check("release", ln.release, rels, ln.id, "release")
        refs.check("transition", ln.transition, trans, ln.id, "transition")
        refs.check_all("source", ln.sources, srcs, ln.id, "sources")
    return problems
