"""Compare an imported registry with a curated one, entity by entity (pure).

An imported transition is a claim bracketed by two snapshots: "this party was
added / removed / changed on some date in [earliest, latest]". The curated registry
*agrees* when it has a transition of the same kind for the same entity (matched by
identifier, e.g. ``ofac:44541``) and the same authority whose effective date lies in
that window; it *disagrees* when its transitions of that kind all fall outside the
window; the claim is *missing* from it when it has no such transition (or no measure
of that authority for the entity at all).

A baseline ``impose`` (the party was already listed in the first snapshot, id
``…listed-<date>``) claims only that the party was listed on that date: the curated
registry agrees when it has the party's measure in force (or relieved) then.

Pending announcements and superseded records of the curated registry are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import attrs

from sanctrack import Entity, Registry, Transition

__all__ = ["Agreement", "compare_entity", "compare_registries", "entities_by_identifier", "verdicts_json"]

Verdict = Literal["agree", "disagree", "missing"]

_SAME = {
    "impose": frozenset({"impose", "reimpose"}),
    "reimpose": frozenset({"impose", "reimpose"}),
    "lift": frozenset({"lift"}),
    "amend": frozenset({"amend"}),
}


@attrs.frozen(slots=True)
class Agreement:
    """The curated registry's verdict on one imported transition.

    ``curated`` lists the curated transitions the verdict rests on (those of the same
    kind; for a baseline, the one that made the state on that date).
    """

    identifier: str
    imported: Transition
    verdict: Verdict
    curated: tuple[Transition, ...]
    detail: str

    @property
    def agrees(self) -> bool:
        return self.verdict == "agree"

    def __str__(self) -> str:
        t = self.imported
        if t.effective_window is not None:
            when = f"[{t.effective_window[0]}, {t.effective_window[1]}]"
        else:
            when = str(t.effective)
        return f"{self.identifier} {t.action} {when} ({t.id}): {self.verdict}: {self.detail}"


def entities_by_identifier(registry: Registry, identifier: str) -> tuple[Entity, ...]:
    """The entities of a registry that carry an identifier (``ofac:44541``)."""
    return tuple(e for e in registry.entities if identifier in e.identifiers)


def _is_baseline(t: Transition) -> bool:
    return ".listed-" in t.id


def compare_entity(
    imported: Registry,
    curated: Registry,
    identifier: str,
    *,
    authority: str = "US-OFAC",
    kind: str | None = "blocking",
) -> tuple[Agreement, ...]:
    """Verdicts on every imported transition of the entity with ``identifier``.

    Only measures of ``authority`` (and ``kind``, if given) that target the entity
    are compared, on both sides.
    """
    mine = _measure_ids(imported, identifier, authority, kind)
    theirs = _measure_ids(curated, identifier, authority, kind)
    if not mine:
        return ()
    mine_t = [t for t in imported.transitions if t.measure in mine and t.effective is not None]
    corrected = {t.corrects for t in curated.transitions if t.corrects}
    theirs_t = [
        t for t in curated.transitions
        if t.measure in theirs and t.effective is not None and t.id not in corrected
    ]
    out = []
    for t in mine_t:
        if not theirs:
            out.append(Agreement(identifier, t, "missing", (),
                                 f"no {authority} measure for {identifier} in {curated.info.name}"))
            continue
        if _is_baseline(t):
            out.append(_baseline(identifier, t, curated, theirs))
            continue
        same = tuple(c for c in theirs_t if str(c.action) in _SAME.get(str(t.action), ()))
        day = t.effective
        assert day is not None  # mine_t holds dated transitions only (and theirs_t too)
        lo, hi = t.effective_window or (day, day)
        inside = tuple(c for c in same if c.effective is not None and lo <= c.effective <= hi)
        if inside:
            dates = ", ".join(f"{c.id} {c.effective}" for c in inside)
            out.append(Agreement(identifier, t, "agree", inside, f"curated {dates} within [{lo}, {hi}]"))
        elif same:
            dates = ", ".join(f"{c.id} {c.effective}" for c in same)
            out.append(Agreement(identifier, t, "disagree", same, f"curated {dates} outside [{lo}, {hi}]"))
        else:
            out.append(Agreement(identifier, t, "missing", (),
                                 f"curated has no {t.action} for {identifier}"))
    return tuple(out)


def _baseline(identifier: str, t: Transition, curated: Registry, theirs: tuple[str, ...]) -> Agreement:
    day = t.effective
    assert day is not None  # only dated transitions are compared
    states = [curated.state(m, day) for m in theirs]
    live = [s for s in states if s.in_force]
    if live:
        made = tuple(s.transition for s in live if s.transition is not None)
        return Agreement(identifier, t, "agree", made,
                         f"curated {', '.join(s.measure.id for s in live)} in force on {day}")
    made = tuple(s.transition for s in states if s.transition is not None)
    said = ", ".join(f"{s.measure.id} {s.status or 'not yet imposed'}" for s in states)
    return Agreement(identifier, t, "disagree", made, f"listed on {day} but curated says {said}")


def _measure_ids(reg: Registry, identifier: str, authority: str, kind: str | None) -> tuple[str, ...]:
    ids = {e.id for e in entities_by_identifier(reg, identifier)}
    if not ids:
        return ()
    return tuple(
        m.id for m in reg.measures
        if m.authority == authority and (kind is None or m.kind == kind) and ids & set(m.targets)
    )


def compare_registries(
    imported: Registry,
    curated: Registry,
    *,
    authority: str = "US-OFAC",
    kind: str | None = "blocking",
) -> tuple[Agreement, ...]:
    """Verdicts for every imported entity whose identifier the curated registry also has."""
    known = {i for e in curated.entities for i in e.identifiers}
    out: list[Agreement] = []
    seen: set[str] = set()
    for e in imported.entities:
        for ident in e.identifiers:
            if ident in known and ident not in seen:
                seen.add(ident)
                out.extend(compare_entity(imported, curated, ident, authority=authority, kind=kind))
    return tuple(out)


def verdicts_json(verdicts: Iterable[Agreement]) -> list[dict[str, Any]]:
    """The verdicts of a comparison as the import commands' JSON (one object each)."""
    return [
        {"identifier": a.identifier, "transition": a.imported.id, "action": str(a.imported.action),
         "effective": a.imported.effective.isoformat() if a.imported.effective else None,
         "effective_window": [d.isoformat() for d in a.imported.effective_window]
         if a.imported.effective_window else None,
         "verdict": a.verdict, "curated": [t.id for t in a.curated], "detail": a.detail}
        for a in verdicts
    ]
