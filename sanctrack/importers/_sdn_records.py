"""Snapshot diffs as sanctrack records (pure: no files, no clock).

One OFAC uid becomes:

* an entity ``ofac-<uid>`` with the identifier ``ofac:<uid>`` (kind: ``entity`` →
  ``organisation``, ``individual`` → ``person``, ``vessel``, ``aircraft``), its name,
  and as aliases its alternate names and any earlier primary names;
* a measure ``us-ofac-sdn-<uid>`` (authority ``US-OFAC``, kind ``blocking``) whose
  ``program`` is the filtered program when one was given and the party carries it,
  else its one program, else all its programs joined with ``"; "`` (the summary always
  lists them all); an ``amend`` of the program set carries the new one the same way;
* its transitions, one per change seen between consecutive snapshots:
  ``impose`` (or ``reimpose`` after a lift) for an added uid, ``lift`` for a removed
  one, ``amend`` (with ``program`` and ``changes``) for a changed one. Each has
  ``effective_window`` = the closed range of dates the change can have taken effect
  on (:attr:`SnapshotDiff.window`), ``effective`` = the later snapshot's date (the
  best estimate), ``recorded`` = that date, ``confidence: inferred``, the later
  snapshot as its instrument and both snapshots as its sources;
* a party already listed in the first snapshot that later changes gets a *baseline*
  ``impose`` dated on that first snapshot (id ``…listed-<date>``, ``inferred``): the
  list does not say when it was designated, only that it was listed by then. A query
  before that date says the measure does not exist, which here means "unknown".

Each snapshot file becomes a source and an instrument (kind ``sdn_action``: the list
as published that day) whose title and note give the file name, its date and its
SHA-256.

When the caller supplies the date a change took effect (``effective=``, e.g. from
OFAC's Recent Actions page), it must lie in the window; the transitions then carry it
with no window and ``confidence: reported`` (or the ``confidence`` given).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import attrs

from sanctrack import (
    Authority,
    Entity,
    Instrument,
    Measure,
    Registry,
    RegistryInfo,
    Source,
    Transition,
)

from ._sdn_diff import SnapshotDiff, diff_snapshots
from ._sdn_read import SdnEntry, Snapshot

__all__ = [
    "AUTHORITY",
    "Imported",
    "entity_id",
    "measure_id",
    "import_diffs",
    "import_snapshots",
]

AUTHORITY = Authority(
    code="US-OFAC",
    name="Office of Foreign Assets Control, US Department of the Treasury",
    jurisdiction="US",
    timezone="America/New_York",
)

#: Where OFAC publishes each form (the URL a dated copy was taken from).
LIST_URLS = {
    "legacy": "https://www.treasury.gov/ofac/downloads/sdn.csv",
    "derived": "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV",
}

_ENTITY_KINDS = {
    "entity": "organisation",
    "individual": "person",
    "vessel": "vessel",
    "aircraft": "aircraft",
}


def entity_id(uid: int) -> str:
    """The id of the entity imported for an OFAC uid: ``ofac-<uid>``."""
    return f"ofac-{uid}"


def measure_id(uid: int) -> str:
    """The id of the blocking measure imported for an OFAC uid: ``us-ofac-sdn-<uid>``."""
    return f"us-ofac-sdn-{uid}"


def _stamp(s: Snapshot) -> str:
    """A lower-case id fragment for a snapshot: its date, and its UTC time if known."""
    if s.instant is None:
        return s.date.isoformat()
    return f"{s.date.isoformat()}t{s.instant:%H%M}z"


def _source_id(s: Snapshot) -> str:
    return f"ofac-sdn-file-{_stamp(s)}-{s.sha256[:8]}"


def _instrument_id(s: Snapshot) -> str:
    return f"ofac-sdn-list-{_stamp(s)}"


def _snapshot_source(s: Snapshot) -> Source:
    when = s.date.isoformat() if s.instant is None else f"{s.date} ({s.instant:%Y-%m-%dT%H:%MZ})"
    return Source(
        id=_source_id(s),
        publisher="US Treasury OFAC",
        title=f"SDN list as of {when}: dated copy {s.name}",
        url=LIST_URLS[s.form],
        published=s.date,
        note=f"file {s.name}, sha256 {s.sha256}, {s.form} form, {len(s.entries)} entries",
    )


def _snapshot_instrument(s: Snapshot) -> Instrument:
    return Instrument(
        id=_instrument_id(s),
        kind="sdn_action",
        authority=AUTHORITY.code,
        number=f"SDN list {_stamp(s).upper()}",
        title=f"OFAC SDN list as published on {s.date} (copy {s.name}, sha256 {s.sha256[:12]})",
        url=LIST_URLS[s.form],
        issued=s.date,
        sources=(_source_id(s),),
        note="the list as a whole on that date; the actions behind each change are not in the file",
    )


def _program_of(entry: SdnEntry, program: str | None) -> str:
    if program is not None and program in entry.programs:
        return program
    return "; ".join(sorted(entry.programs))


@attrs.frozen(slots=True)
class Imported:
    """The records imported from a chain of snapshots, ready for :meth:`Registry.build`.

    ``snapshots`` are the snapshots read (oldest first), ``diffs`` the diffs between
    consecutive ones. ``measure_uids`` maps each measure id to its OFAC uid.
    """

    snapshots: tuple[Snapshot, ...] = attrs.field(repr=lambda ss: f"<{len(ss)} snapshots>")
    diffs: tuple[SnapshotDiff, ...] = attrs.field(repr=False)
    program: str | None
    authorities: tuple[Authority, ...]
    entities: tuple[Entity, ...]
    instruments: tuple[Instrument, ...]
    sources: tuple[Source, ...]
    measures: tuple[Measure, ...]
    transitions: tuple[Transition, ...]

    @property
    def info(self) -> RegistryInfo:
        first, last = self.snapshots[0], self.snapshots[-1]
        scope = f" ({self.program})" if self.program else ""
        return RegistryInfo(
            name=f"ofac-sdn-import{'-' + self.program.lower() if self.program else ''}",
            version=last.date.isoformat(),
            description=(
                f"OFAC SDN changes{scope} inferred from {len(self.snapshots)} dated list "
                f"copies, {first.date} to {last.date}, by sanctrack.importers.ofac"
            ),
        )

    def registry(self) -> Registry:
        """Build a :class:`sanctrack.Registry` through the public constructor."""
        return Registry.build(
            info=self.info,
            authorities=self.authorities,
            entities=self.entities,
            instruments=self.instruments,
            sources=self.sources,
            measures=self.measures,
            transitions=self.transitions,
        )

    def transitions_of(self, uid: int) -> tuple[Transition, ...]:
        """The transitions imported for one OFAC uid, oldest first."""
        mid = measure_id(uid)
        return tuple(t for t in self.transitions if t.measure == mid)


def import_snapshots(
    snapshots: Sequence[Snapshot],
    *,
    program: str | None = None,
    min_ratio: float = 0.5,
    effective: dt.date | None = None,
    confidence: str | None = None,
) -> Imported:
    """Diff consecutive snapshots (oldest first) and turn the changes into records.

    ``program`` keeps only the parties carrying that program (see
    :func:`diff_snapshots`); ``effective`` (only with two snapshots) is a known
    effective date for every change. See the module docstring for the mapping.
    """
    snaps = tuple(snapshots)
    if len(snaps) < 2:
        raise ValueError("need at least two snapshots to infer changes")
    diffs = [diff_snapshots(a, b, program=program, min_ratio=min_ratio) for a, b in itertools.pairwise(snaps)]
    return import_diffs(diffs, effective=effective, confidence=confidence)


def import_diffs(
    diffs: Sequence[SnapshotDiff],
    *,
    effective: dt.date | None = None,
    confidence: str | None = None,
) -> Imported:
    """Turn consecutive diffs (each one's new snapshot is the next one's old) into records."""
    diffs = tuple(diffs)
    if not diffs:
        raise ValueError("no diffs to import")
    program = diffs[0].program
    for a, b in itertools.pairwise(diffs):
        if a.new is not b.old and a.new.sha256 != b.old.sha256:
            raise ValueError(f"diffs are not consecutive: {a.new.name} then {b.old.name}")
        if b.program != program:
            raise ValueError(f"diffs filter different programs: {program!r} and {b.program!r}")
    if effective is not None and len(diffs) != 1:
        raise ValueError("a known effective date applies to a single pair of snapshots")
    snapshots = (diffs[0].old,) + tuple(d.new for d in diffs)
    first = snapshots[0]

    latest: dict[int, SdnEntry] = {}  # the latest entry seen per uid
    names: dict[int, list[str]] = {}  # every primary name seen per uid, oldest first
    listed: dict[int, bool] = {}
    initial: dict[int, SdnEntry] = {}  # the entry at a uid's first transition
    transitions: list[Transition] = []
    used: set[int] = set()  # indexes of the snapshots the records cite

    def note_entry(e: SdnEntry) -> None:
        latest[e.uid] = e
        seen = names.setdefault(e.uid, [])
        if e.name not in seen:
            seen.append(e.name)

    for index, diff in enumerate(diffs):
        window = diff.window
        if effective is not None:
            if not window[0] <= effective <= window[1]:
                raise ValueError(f"effective {effective} is outside the snapshots' window {window[0]}..{window[1]}")
            when, win, conf = effective, None, confidence or "reported"
        else:
            when, win, conf = window[1], window, confidence or "inferred"
        old, new = diff.old, diff.new
        bracket = (
            f"{old.name} ({old.date}) and {new.name} ({new.date}); "
            f"took effect on a date in [{window[0]}, {window[1]}]"
        )
        for change in diff.changes:
            uid = change.uid
            mid = measure_id(uid)
            if uid not in listed and change.kind != "added":
                # listed since at least the first snapshot: a baseline
                base = change.old
                assert base is not None
                note_entry(base)
                initial[uid] = base
                transitions.append(Transition(
                    id=f"{mid}.listed-{_stamp(first)}",
                    measure=mid,
                    action="impose",
                    effective=first.date,
                    recorded=first.date,
                    instrument=_instrument_id(first),
                    confidence="inferred",
                    sources=(_source_id(first),),
                    note=(
                        f"baseline: listed in {first.name} ({first.date}); the designation "
                        "date is not in the list, so nothing earlier is known here"
                    ),
                ))
                used.add(0)
                listed[uid] = True
            action = change.action
            if change.kind == "added" and uid in listed:
                action = "reimpose"
            fields = {}
            if change.kind == "amended":
                fields = {f.field: [f.old, f.new] for f in change.fields}
            entry = change.entry
            verb = {"impose": "added to", "reimpose": "added again to", "lift": "removed from",
                    "amend": "changed on"}[action]
            transitions.append(Transition(
                id=f"{mid}.{action}-{_stamp(new)}",
                measure=mid,
                action=action,
                effective=when,
                effective_window=win,
                recorded=new.date,
                instrument=_instrument_id(new),
                program=(_program_of(change.new, program)
                         if change.kind == "amended" and change.new is not None and "programs" in fields else None),
                changes=fields or None,
                confidence=conf,
                sources=(_source_id(old), _source_id(new)),
                note=f"{entry.name!s} {verb} the SDN list between {bracket}",
            ))
            used.update((index, index + 1))
            initial.setdefault(uid, entry)
            listed[uid] = change.kind != "removed"
            if change.new is not None:
                note_entry(change.new)
            elif uid not in latest:
                note_entry(entry)

    by_measure: dict[str, set[str]] = {}
    for t in transitions:
        by_measure.setdefault(t.measure, set()).update(t.sources)
    entities, measures = [], []
    for uid in sorted(latest):
        e = latest[uid]
        aliases = []
        for alias in (*e.alternate_names, *reversed(names[uid])):
            if alias != e.name and alias not in aliases:
                aliases.append(alias)
        entities.append(Entity(
            id=entity_id(uid),
            kind=_ENTITY_KINDS[e.type],
            name=e.name,
            aliases=tuple(aliases),
            identifiers=(f"ofac:{uid}",),
        ))
        measures.append(Measure(
            id=measure_id(uid),
            authority=AUTHORITY.code,
            kind="blocking",
            program=_program_of(initial[uid], program),
            targets=(entity_id(uid),),
            title=f"SDN blocking of {e.name} (OFAC uid {uid})",
            summary=f"Imported from dated copies of the OFAC SDN list; programs: {'; '.join(sorted(e.programs))}",
            sources=tuple(sorted(by_measure[measure_id(uid)])),
        ))
    used_sorted = [snapshots[i] for i in sorted(used)]
    return Imported(
        snapshots=snapshots,
        diffs=diffs,
        program=program,
        authorities=(AUTHORITY,),
        entities=tuple(entities),
        instruments=tuple(_snapshot_instrument(s) for s in used_sorted),
        sources=tuple(_snapshot_source(s) for s in used_sorted),
        measures=tuple(measures),
        transitions=tuple(transitions),
    )

