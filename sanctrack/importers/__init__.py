"""Importers: turn official list snapshots into sanctrack transitions.

``sanctrack.importers.ofac`` reads OFAC SDN list snapshots (legacy ``sdn.csv`` and the
derived header CSV), diffs them into dated transitions, builds a
:class:`sanctrack.Registry` from them and writes it as YAML in the registry layout.

The command line hooks in through ``add_import_parser`` and ``run_import`` (also
offered as ``sanctrack.importers.ofac.add_import_parser``/``run_import``):
``sanctrack import ofac-sdn OLD NEW …``.
"""

from . import ofac
from ._cli import add_import_parser, run_import

__all__ = ["ofac", "add_import_parser", "run_import"]
