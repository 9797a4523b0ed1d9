"""Run an import: pick the reader, read the files, diff or fold them, build the records.

:func:`import_files` takes one file (what it tells by itself: the listings it dates),
or two and more copies of one list (the changes between consecutive copies); for
``ftm`` a delta file after an entities file is applied onto it. :func:`import_history`
folds every snapshot in a directory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ._records import LISTS, ListImport, build_import
from ._shape import ListFormatError, ListSnapshot, Reader, fold, opening, snapshot_files

__all__ = ["READERS", "KINDS", "reader", "read_snapshot", "import_files", "import_history"]


def _readers() -> dict[str, type[Reader]]:
    from ._sdn_shape import SdnCsvReader
    from .eu import EuFsfReader
    from .ftm import FtmReader
    from .ofac_advanced import OfacAdvancedReader
    from .un import UnReader

    return {"ofac-sdn": SdnCsvReader, "ofac-advanced": OfacAdvancedReader, "eu-fsf": EuFsfReader,
            "un": UnReader, "ftm": FtmReader}


#: The list formats, by the name the command line uses.
KINDS = ("ofac-sdn", "ofac-advanced", "eu-fsf", "un", "ftm")
READERS = _readers()


def reader(kind: str) -> Reader:
    """The reader of a list format (one of :data:`KINDS`)."""
    try:
        return READERS[kind]()
    except KeyError:
        raise ValueError(f"unknown list format {kind!r}: expected one of {', '.join(KINDS)}") from None


def read_snapshot(kind: str, path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """Read one snapshot file of a list format."""
    return reader(kind).read(path, date)


def import_files(
    kind: str,
    paths: Sequence[str | os.PathLike[str]],
    *,
    dates: Sequence[object | None] = (),
    program: str | None = None,
    min_ratio: float = 0.5,
) -> ListImport:
    """Import one snapshot, or the changes along two or more copies of one list.

    ``dates`` gives a date per file (``None``: the file's own, or the one in its name).
    """
    files = [os.fspath(p) for p in paths]
    if not files:
        raise ValueError("no file to import")
    given = list(dates) + [None] * (len(files) - len(dates))
    r = reader(kind)
    snaps: list[ListSnapshot] = []
    for i, (path, date) in enumerate(zip(files, given)):
        if kind == "ftm" and i > 0:
            from .ftm import read_next

            snaps.append(read_next(snaps[-1], path, date))
        else:
            snaps.append(_read(r, kind, path, date))
    if len(snaps) == 1:
        return build_import(kind, snaps, opening(snaps[0], program=program), program=program)
    return build_import(kind, snaps, fold(snaps, program=program, min_ratio=min_ratio), program=program)


def _read(r: Reader, kind: str, path: str, date: object) -> ListSnapshot:
    if date is None and kind == "ofac-sdn":
        from ._sdn_read import snapshot_date_from_name

        if snapshot_date_from_name(path) is None:
            raise ListFormatError(path, None, "date", "sdn.csv has no date of its own and none is in the "
                                  "file name: give it (--old-date/--new-date)")
    return r.read(path, date)


def import_history(
    kind: str, directory: str | os.PathLike[str], *, program: str | None = None, min_ratio: float = 0.5
) -> ListImport:
    """Fold every snapshot of one list in ``directory`` (dated by their files or names)."""
    r = reader(kind)
    suffixes = getattr(r, "suffixes", ())
    if os.path.isdir(os.path.join(os.fspath(directory), kind)):  # a fetch directory: DIR/<list>/
        directory = os.path.join(os.fspath(directory), kind)
    files = snapshot_files(directory, suffixes)
    if kind == "ofac-advanced":  # a fragment directory counts as one issue
        d = os.fspath(directory)
        files += [os.path.join(d, n) for n in sorted(os.listdir(d))
                  if os.path.isdir(os.path.join(d, n)) and not n.startswith(".")]
    if len(files) < 2:
        raise ListFormatError(os.fspath(directory), None, None,
                              f"{len(files)} {kind} snapshot(s) found: a history needs two or more")
    return import_files(kind, files, program=program, min_ratio=min_ratio)


assert set(KINDS) == set(LISTS)
