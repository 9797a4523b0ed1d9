"""The difference between two SDN snapshots, keyed by OFAC uid (pure, no I/O).

Rules:

* a uid in the new snapshot only is **added** (→ an ``impose``);
* a uid in the old snapshot only is **removed** (→ a ``lift``);
* a uid in both whose program set, primary name or type differs is **amended**
  (→ an ``amend``), with the old and new values of each changed field.

Alternate names are not compared: OFAC's legacy ``sdn.csv`` does not carry them (they
are in ``alt.csv``), so a mixed-form diff would report every alias as a change.

With ``program=`` only parties carrying that program in the old *or* the new snapshot
are considered; a party whose program set gains or loses it is still an ``amend``.

Because an official list publishes snapshots, not history, a diff is refused when the
new snapshot is implausibly smaller than the old one (fewer than ``min_ratio`` times
as many entries: default one half) — a cut-off download must not read as a mass
delisting.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Literal

import attrs

from ._sdn_read import SdnEntry, Snapshot, TruncatedSnapshot

__all__ = ["FieldChange", "Change", "SnapshotDiff", "diff_snapshots", "COMPARED_FIELDS"]

#: The fields whose change makes an ``amend``, in the order they are reported.
COMPARED_FIELDS = ("programs", "name", "type")

ChangeKind = Literal["added", "removed", "amended"]

_ACTION = {"added": "impose", "removed": "lift", "amended": "amend"}


@attrs.frozen(slots=True)
class FieldChange:
    """One field of one party that differs between two snapshots."""

    field: str
    old: str
    new: str


def _programs_text(programs: frozenset[str]) -> str:
    return "; ".join(sorted(programs))


@attrs.frozen(slots=True)
class Change:
    """What happened to one uid between two snapshots.

    ``old``/``new`` are the entries in the old and new snapshot (``None`` where the
    party is absent); ``fields`` lists the changed fields of an amended party.
    """

    kind: ChangeKind
    uid: int
    old: SdnEntry | None
    new: SdnEntry | None
    fields: tuple[FieldChange, ...] = ()

    @property
    def action(self) -> str:
        """The sanctrack action: ``impose``, ``lift`` or ``amend``."""
        return _ACTION[self.kind]

    @property
    def entry(self) -> SdnEntry:
        """The latest entry known for the party (the new one, else the old one)."""
        entry = self.new if self.new is not None else self.old
        assert entry is not None
        return entry

    @property
    def identifier(self) -> str:
        """``ofac:<uid>``."""
        return f"ofac:{self.uid}"

    def changed(self, field: str) -> FieldChange | None:
        """The change of ``field`` (``programs``, ``name``, ``type``), or None."""
        for change in self.fields:
            if change.field == field:
                return change
        return None


@attrs.frozen(slots=True)
class SnapshotDiff:
    """The transitions between two snapshots; each tuple is sorted by uid."""

    old: Snapshot = attrs.field(repr=lambda s: f"<{s.name} {s.date}>")
    new: Snapshot = attrs.field(repr=lambda s: f"<{s.name} {s.date}>")
    program: str | None
    added: tuple[Change, ...]
    removed: tuple[Change, ...]
    amended: tuple[Change, ...]

    @property
    def changes(self) -> tuple[Change, ...]:
        """All changes, sorted by uid."""
        return tuple(sorted(self.added + self.removed + self.amended, key=lambda c: c.uid))

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """The closed range of OFAC dates on which these changes can have taken effect.

        The issue's half-open ``(old date, new date]`` is, in closed form,
        ``[old date + 1 day, new date]`` for a snapshot known only by its date (taken to
        show the list at the end of that day). A snapshot taken at a known instant can
        precede changes published later the same day, so then the range starts on the
        old snapshot's own OFAC date.
        """
        return _window(self.old, self.new)

    def __len__(self) -> int:
        return len(self.added) + len(self.removed) + len(self.amended)


def _unknown_program(program: str, old: Snapshot, new: Snapshot) -> str:
    """A typo must not read as "no changes": say so, with the nearest program tags."""
    known = {p for s in (old, new) for e in s.entries.values() for p in e.programs}
    close = difflib.get_close_matches(program, sorted(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no party carries program {program!r} in {old.name} or {new.name}{hint}"


def _window(old: Snapshot, new: Snapshot) -> tuple[dt.date, dt.date]:
    earliest = old.date if old.instant is not None else old.date + dt.timedelta(days=1)
    return earliest, new.date


def _field_changes(old: SdnEntry, new: SdnEntry) -> tuple[FieldChange, ...]:
    out = []
    if old.programs != new.programs:
        out.append(FieldChange("programs", _programs_text(old.programs), _programs_text(new.programs)))
    if old.name != new.name:
        out.append(FieldChange("name", old.name, new.name))
    if old.type != new.type:
        out.append(FieldChange("type", old.type, new.type))
    return tuple(out)


def diff_snapshots(
    old: Snapshot,
    new: Snapshot,
    *,
    program: str | None = None,
    min_ratio: float = 0.5,
) -> SnapshotDiff:
    """Compare two snapshots of the SDN list: what was added, removed and amended.

    ``old`` must be dated strictly before ``new``. ``program`` keeps only the parties
    carrying that program tag in either snapshot. Raises :class:`ValueError` when the
    dates are not in order or no party of either snapshot carries ``program`` (a typo
    must not read as "no changes"), and :class:`TruncatedSnapshot` when ``new`` has fewer
    than ``min_ratio`` times the entries of ``old`` (pass ``min_ratio=0`` to accept it).
    """
    if old.instant is not None and new.instant is not None:
        in_order = new.instant > old.instant
    else:
        in_order = _window(old, new)[0] <= new.date
    if not in_order:
        raise ValueError(
            f"old snapshot {old.name} ({old.instant or old.date}) is not older than "
            f"new {new.name} ({new.instant or new.date})"
        )
    if len(new.entries) < min_ratio * len(old.entries):
        raise TruncatedSnapshot(
            new.path, None, None,
            f"{len(new.entries)} entries against {len(old.entries)} in {old.name}: the file "
            "looks truncated, not a mass delisting (min_ratio=0 accepts it)",
        )
    o, n = old.entries, new.entries
    if program is not None:
        o = {u: e for u, e in o.items() if program in e.programs}
        n = {u: e for u, e in n.items() if program in e.programs}
        if not o and not n:
            raise ValueError(_unknown_program(program, old, new))
        # a party that gained or lost the program is in both views
        for uid in list(o):
            if uid not in n and uid in new.entries:
                n[uid] = new.entries[uid]
        for uid in list(n):
            if uid not in o and uid in old.entries:
                o[uid] = old.entries[uid]
    added = tuple(Change("added", u, None, n[u]) for u in sorted(n.keys() - o.keys()))
    removed = tuple(Change("removed", u, o[u], None) for u in sorted(o.keys() - n.keys()))
    amended = []
    for uid in sorted(o.keys() & n.keys()):
        a, b = o[uid], n[uid]
        if a.programs == b.programs and a.name == b.name and a.type == b.type:
            continue
        amended.append(Change("amended", uid, a, b, _field_changes(a, b)))
    return SnapshotDiff(
        old=old, new=new, program=program, added=added, removed=removed, amended=tuple(amended)
    )
