"""OFAC ``sdn.csv`` (either form) read into the common importer shape.

The reading itself is :mod:`._sdn_read`'s (file, line and field of every refusal kept);
this module turns its :class:`Snapshot` into a :class:`ListSnapshot` keyed by the uid.
``sdn.csv`` carries no date at all: not the list's (the snapshot's date comes from the
caller or the file name) and none per entry, so every change between two copies is
dated by its window and a party already listed in the first copy is "listed by" it.
Alternate names live in OFAC's separate ``alt.csv`` and are not compared.
"""

from __future__ import annotations

import os
import types

from ._sdn_read import OfacFormatError, read_snapshot
from ._shape import ListFormatError, Listing, ListSnapshot

__all__ = ["SdnCsvReader", "read"]

_KINDS = {"entity": "organisation", "individual": "person", "vessel": "vessel", "aircraft": "aircraft"}


class SdnCsvReader:
    """Reads OFAC ``sdn.csv`` (legacy, no header) or the derived header CSV."""

    list = "ofac-sdn"
    suffixes = (".csv",)

    def read(self, path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
        p = os.fspath(path)
        try:
            snap = read_snapshot(p, date)
        except OfacFormatError as exc:
            raise ListFormatError(exc.path, exc.line, exc.field, exc.problem) from None
        except OSError as exc:
            raise ListFormatError(p, None, None, f"cannot read: {exc.strerror or exc}") from None
        except ValueError as exc:  # no date, or a malformed one
            raise ListFormatError(p, None, "date", str(exc)) from None
        entries = {
            str(uid): Listing(
                key=str(uid), name=e.name, kind=_KINDS[e.type], program="; ".join(sorted(e.programs)),
                identifiers=(f"ofac:{uid}",), line=e.line)
            for uid, e in snap.entries.items()
        }
        return ListSnapshot("ofac-sdn", p, snap.date, snap.sha256, types.MappingProxyType(entries),
                            snap.instant, dated=False)


def read(path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """Read one sdn.csv copy into the common shape."""
    return SdnCsvReader().read(path, date)
