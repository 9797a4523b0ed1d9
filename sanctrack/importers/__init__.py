"""Importers: turn official list snapshots into sanctrack transitions.

Every list format has a reader with one shape (:class:`Reader`: ``read(path, date)``
-> :class:`ListSnapshot` of dated :class:`Listing` entries); :func:`diff` gives the
:class:`Change` records between two snapshots (impose, amend, lift: dated by the list
where it dates them, else by the window between the copies), :func:`fold` those along
a chain, and :func:`import_files` / :func:`import_history` build the records, which
:func:`write_registry` writes atomically in the registry layout.

Formats (:data:`KINDS`): ``ofac-sdn`` (OFAC ``sdn.csv``; also
:mod:`sanctrack.importers.ofac`), ``ofac-advanced`` (:mod:`.ofac_advanced`),
``eu-fsf`` (:mod:`.eu`), ``un`` (:mod:`.un`), ``ftm`` (OpenSanctions, :mod:`.ftm`).
The XML readers need ``defusedxml`` (``pip install 'sanctrack[importers]'``), imported
only when an XML file is read.

The command line hooks in through ``add_import_parser`` and ``run_import``:
``sanctrack import {ofac-sdn,ofac-advanced,eu-fsf,un,ftm} FILE… | --history DIR``.
"""

from . import ofac
from ._cli import add_import_parser, run_import
from ._records import LISTS, ListImport, build_import
from ._run import KINDS, READERS, import_files, import_history, read_snapshot, reader
from ._shape import (
    Change,
    FieldChange,
    ListFormatError,
    Listing,
    ListSnapshot,
    Reader,
    diff,
    fold,
    opening,
    window,
)
from ._write import write_registry

__all__ = [
    "ofac",
    "add_import_parser",
    "run_import",
    "Change",
    "FieldChange",
    "ListFormatError",
    "Listing",
    "ListSnapshot",
    "Reader",
    "diff",
    "fold",
    "opening",
    "window",
    "KINDS",
    "READERS",
    "LISTS",
    "ListImport",
    "build_import",
    "import_files",
    "import_history",
    "read_snapshot",
    "reader",
    "write_registry",
]
