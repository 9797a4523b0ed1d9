"""Importers: turn official list snapshots into sanctrack transitions.

``sanctrack.importers.ofac`` reads OFAC SDN list snapshots (legacy ``sdn.csv`` and the
derived header CSV) and diffs them into dated transitions.
"""

from . import ofac

__all__ = ["ofac"]
