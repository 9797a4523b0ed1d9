"""The one shape every importer has: read a snapshot, diff two, fold a directory.

A list publishes *snapshots*. A :class:`Reader` turns one file into a
:class:`ListSnapshot`: its publication date (``recorded`` of everything inferred from
it), its SHA-256, and its :class:`Listing` entries keyed by an id the list keeps
stable across issues (an OFAC uid, a UN reference number, an EU logical id, an
OpenSanctions id). Each listing carries the list's *own* dates where it has them
(``effective``: the designation or listing date; ``published``; ``updated``:
amendment dates; ``ended``: an end date).

:func:`diff` compares two snapshots of one list (pure, no I/O) and gives the
:class:`Change` records between them:

* a key only in the new snapshot: ``impose``;
* a key only in the old one: ``lift``;
* a key in both whose programme, name, aliases or identifiers differ: ``amend``, with
  the old and new values of each changed field.

Each change is dated by the list wherever the list dates it (an impose by the
listing's ``effective``, a lift by its ``ended``, an amend by an ``updated`` date
inside the window), and otherwise by its ``effective_window`` = (old snapshot + 1
day, new snapshot), the closed range of days on which it can have happened.
``recorded`` is always the new snapshot's publication date: that is when the change
became public knowledge as far as these files can tell.

:func:`fold` reads a directory of dated snapshots of one list (oldest first) and diffs
each against the one before.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, Protocol, runtime_checkable

import attrs

from sanctrack import SanctrackError

__all__ = [
    "ListFormatError",
    "FieldChange",
    "Listing",
    "ListSnapshot",
    "Change",
    "Reader",
    "diff",
    "fold",
    "snapshot_files",
    "opening",
    "COMPARED",
    "window",
]

#: The fields whose change makes an ``amend``, in the order they are reported.
COMPARED = ("program", "name", "aliases", "identifiers")

Action = Literal["impose", "amend", "lift"]


class ListFormatError(SanctrackError, ValueError):
    """A list file that cannot be read: names the file, the line and the field.

    ``path``, ``line`` (1-based, ``None`` for the file as a whole), ``field`` and
    ``problem`` are kept as attributes; nothing has been written when it is raised.
    """

    def __init__(self, path: str, line: int | None, field: str | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        where = path if line is None else f"{path}:{line}"
        what = f" {self._field_text(field)}:" if field else ""
        super().__init__(f"{where}:{what} {problem}")

    @staticmethod
    def _field_text(field: str) -> str:
        return field


@attrs.frozen(slots=True)
class FieldChange:
    """One field of one listing that differs between two snapshots (texts)."""

    field: str
    old: str
    new: str


@attrs.frozen(slots=True)
class Listing:
    """One entry of one snapshot, as the list gives it.

    ``key`` is the list's stable id of the entry (``QDi.413``, ``9639``); ``kind`` is a
    sanctrack entity kind (``person``, ``organisation``, ``vessel``, ``aircraft``);
    ``identifiers`` always start with the list's own (``un:QDi.413``).
    ``effective``/``published``/``instrument`` are the list's own designation date,
    publication date and legal act where it gives them; ``updated`` its amendment
    dates; ``ended`` an end date (OpenSanctions ``endDate``). ``known_since`` is a
    date of the *publisher's* knowledge (OpenSanctions ``first_seen``): kept for the
    record, never used as an effective date. ``line`` is where the entry starts in
    its file (not part of equality).
    """

    key: str
    name: str
    kind: str
    program: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    effective: dt.date | None = None
    published: dt.date | None = None
    instrument: str | None = None
    updated: tuple[dt.date, ...] = ()
    ended: dt.date | None = None
    measures: tuple[str, ...] = ()
    known_since: dt.date | None = None
    target: str | None = None
    line: int | None = attrs.field(default=None, eq=False, order=False)

    def value(self, field: str) -> str:
        """The text of a compared field (sets joined with ``"; "`` in sorted order)."""
        v = getattr(self, field)
        if isinstance(v, tuple):
            return "; ".join(sorted(set(v)))
        return str(v)


@attrs.frozen(slots=True)
class ListSnapshot:
    """One dated copy of one list.

    ``list`` names the format (``un``, ``eu-fsf``, ``ofac-advanced``, ``ftm``,
    ``ofac-sdn``); ``date`` is the publication date the copy shows the list as of (the
    ``recorded`` date of what is inferred from it); ``entries`` maps key to
    :class:`Listing`. ``generated`` is the instant written in the file, if any;
    ``ops`` counts a delta file's operations (``{"ADD": 90, ...}``).
    """

    list: str
    path: str
    date: dt.date
    sha256: str
    entries: Mapping[str, Listing] = attrs.field(repr=False, eq=False)
    generated: dt.datetime | None = None
    ops: Mapping[str, int] | None = attrs.field(default=None, eq=False)
    dated: bool = True  # False: the date came from the caller or the file name
    raw: object = attrs.field(default=None, eq=False, repr=False)  # a reader's own state (FtM: entities)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def __len__(self) -> int:
        return len(self.entries)


@attrs.frozen(slots=True)
class Change:
    """One transition inferred between two snapshots (or read from one).

    Exactly one of ``effective`` (the list's own date, ``dated=True``) and
    ``effective_window`` (the closed range of possible days) carries the date;
    ``recorded`` is the publication date of the snapshot that shows it.
    """

    action: Action
    key: str
    old: Listing | None
    new: Listing | None
    fields: tuple[FieldChange, ...]
    recorded: dt.date
    effective: dt.date | None = None
    effective_window: tuple[dt.date, dt.date] | None = None
    snapshot: str | None = None  # the path of the file that shows it
    listed_by: bool = False  # an entry the list gives no date for: listed by ``recorded``, no earlier

    @property
    def entry(self) -> Listing:
        """The latest listing known (the new one, else the old one)."""
        e = self.new if self.new is not None else self.old
        assert e is not None
        return e

    @property
    def dated(self) -> bool:
        return self.effective_window is None

    @property
    def day(self) -> dt.date:
        """The best single date: the list's own, else the window's last day."""
        if self.effective is not None:
            return self.effective
        assert self.effective_window is not None
        return self.effective_window[1]


@runtime_checkable
class Reader(Protocol):
    """What every list reader offers."""

    list: str

    def read(self, path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
        """Read one snapshot file; ``date`` where the file has no date of its own."""
        ...


def window(old: ListSnapshot, new: ListSnapshot) -> tuple[dt.date, dt.date]:
    """The closed range of days a change between two snapshots can have happened on.

    ``(old date + 1 day, new date)`` for a copy known by its date (it shows the list
    at the end of that day); a copy taken at a known instant (``generated``) can
    precede changes later that same day, so then the range starts on its own date.
    """
    first = old.date if old.generated is not None else old.date + dt.timedelta(days=1)
    return first, new.date


def _changed(a: Listing, b: Listing) -> tuple[FieldChange, ...]:
    out = []
    for f in COMPARED:
        va, vb = a.value(f), b.value(f)
        if va != vb:
            out.append(FieldChange(f, va, vb))
    return tuple(out)


def _keep(entries: Mapping[str, Listing], program: str | None) -> dict[str, Listing]:
    if program is None:
        return dict(entries)
    return {k: e for k, e in entries.items() if program in e.program.split("; ")}


def diff(
    old: ListSnapshot, new: ListSnapshot, *, program: str | None = None, strict: bool = True,
    min_ratio: float = 0.5,
) -> tuple[Change, ...]:
    """The changes from ``old`` to ``new`` (same list), sorted by key then action.

    Raises :class:`ValueError` when the snapshots are of different lists or not in
    date order, and when ``program`` is carried by no entry of either (a typo must not
    read as "no changes"); :class:`ListFormatError` when ``new`` has fewer than
    ``min_ratio`` times the entries of ``old`` (a cut-off copy must not read as a mass
    delisting).
    """
    if old.list != new.list:
        raise ValueError(f"{old.name} is a {old.list} file and {new.name} a {new.list} file")
    same_day_in_order = (old.date == new.date and old.generated is not None and new.generated is not None
                         and old.generated < new.generated)
    if not (old.date < new.date or same_day_in_order):
        raise ValueError(f"old snapshot {old.name} ({old.date}) is not older than {new.name} ({new.date})")
    if len(new.entries) < min_ratio * len(old.entries):
        raise ListFormatError(
            new.path, None, None,
            f"{len(new.entries)} entries against {len(old.entries)} in {old.name}: the file looks "
            f"truncated or of another list, not a mass delisting (min_ratio=0 accepts it)")
    o, n = _keep(old.entries, program), _keep(new.entries, program)
    if program is not None:
        if strict and not o and not n:
            raise ValueError(f"no entry carries programme {program!r} in {old.name} or {new.name}")
        for k in list(o):  # an entry that gained or lost the programme is an amend
            if k not in n and k in new.entries:
                n[k] = new.entries[k]
        for k in list(n):
            if k not in o and k in old.entries:
                o[k] = old.entries[k]
    win = window(old, new)
    out: list[Change] = []
    for key in sorted(o.keys() | n.keys()):
        a, b = o.get(key), n.get(key)
        if a is None:
            assert b is not None
            own = b.effective
            if own is not None and own >= win[0]:
                out.append(Change("impose", key, None, b, (), new.date, own, None, new.path))
            else:  # no date of its own, or one the old snapshot contradicts
                out.append(Change("impose", key, None, b, (), new.date, None, win, new.path))
            if b.ended is not None and b.ended <= new.date and b.ended >= out[-1].day:
                out.append(Change("lift", key, b, b, (), new.date, b.ended, None, new.path))
        elif b is None:
            end = a.ended
            if end is not None and win[0] <= end <= win[1]:
                out.append(Change("lift", key, a, None, (), new.date, end, None, new.path))
            else:
                out.append(Change("lift", key, a, None, (), new.date, None, win, new.path))
        else:
            fields = _changed(a, b)
            if fields:
                inside = [d for d in b.updated if win[0] <= d <= win[1] and d not in a.updated]
                if inside:
                    out.append(Change("amend", key, a, b, fields, new.date, max(inside), None, new.path))
                else:
                    out.append(Change("amend", key, a, b, fields, new.date, None, win, new.path))
            elif b.ended is not None and a.ended != b.ended and b.ended <= new.date:
                # the list now dates the end of a measure it still shows
                out.append(Change("lift", key, a, b, (), new.date, b.ended, None, new.path))
    return tuple(out)


def opening(snapshot: ListSnapshot, *, program: str | None = None) -> tuple[Change, ...]:
    """The transitions one snapshot tells by itself: an ``impose`` per listing the list
    dates (``effective``), and a ``lift`` per listing with an ``ended`` date by then.

    A listing without a date of its own gives an ``impose`` dated by the snapshot
    (``effective`` = its date: listed by then, nothing earlier known).
    """
    kept = _keep(snapshot.entries, program)
    if program is not None and not kept:
        raise ValueError(f"no entry carries programme {program!r} in {snapshot.name}")
    out: list[Change] = []
    for key, e in sorted(kept.items()):
        out.append(Change("impose", key, None, e, (), snapshot.date,
                          e.effective if e.effective is not None else snapshot.date, None, snapshot.path,
                          listed_by=e.effective is None))
        if e.ended is not None and e.ended <= snapshot.date and e.ended >= out[-1].day:
            out.append(Change("lift", key, e, e, (), snapshot.date, e.ended, None, snapshot.path))
    return tuple(out)


_NAME_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def snapshot_files(directory: str | os.PathLike[str], suffixes: Iterable[str]) -> list[str]:
    """The snapshot files of a directory with one of ``suffixes``, sorted by name.

    Hidden files and sidecars (``*.metadata.json``, ``*.sha256``) are skipped.
    """
    d = os.fspath(directory)
    if not os.path.isdir(d):
        raise ListFormatError(d, None, None, "not a directory of snapshots")
    sfx = tuple(s.lower() for s in suffixes)
    names = sorted(os.listdir(d))
    present = set(names)
    out = []
    for name in names:
        low = name.lower()
        if name.startswith(".") or ".metadata." in low or low.endswith((".sha256", ".meta.json")):
            continue
        if low.endswith(".json") and name[:-5] in present:  # <file>.json: a fetch sidecar
            continue
        if low.endswith(sfx) and os.path.isfile(os.path.join(d, name)):
            out.append(os.path.join(d, name))
    return out


def _order(s: ListSnapshot) -> tuple[dt.date, float]:
    """Date order; copies of one day are ordered by the instant they were generated."""
    return s.date, s.generated.timestamp() if s.generated is not None else 0.0


def fold(
    snapshots: Sequence[ListSnapshot], *, program: str | None = None, min_ratio: float = 0.5
) -> tuple[Change, ...]:
    """All changes along a chain of snapshots of one list, sorted by date.

    The snapshots are put in date order; two with the same date are an error (which
    one is later cannot be told).
    """
    snaps = sorted(snapshots, key=_order)
    if len(snaps) < 2:
        raise ValueError("need at least two snapshots to fold into a history")
    for a, b in itertools.pairwise(snaps):
        if _order(a) == _order(b) or (a.date == b.date and None in (a.generated, b.generated)):
            raise ValueError(f"{a.name} and {b.name} are both dated {a.date}: cannot order them")
    if program is not None and not any(_keep(s.entries, program) for s in snaps):
        raise ValueError(f"no entry of the {len(snaps)} snapshots carries programme {program!r}")
    out: list[Change] = []
    for a, b in itertools.pairwise(snaps):
        out.extend(diff(a, b, program=program, strict=False, min_ratio=min_ratio))
    return tuple(out)
