"""Import OFAC SDN list snapshots as dated sanctrack transitions.

Official lists publish snapshots, not history: OFAC's ``sdn.csv`` simply drops a
delisted party. Given two dated copies, this module reads them (either OFAC's legacy
``sdn.csv`` or the derived header CSV), diffs them by OFAC uid, and turns the diff into
transitions whose effective date is bracketed by the two snapshot dates::

    from sanctrack.importers import ofac
    old = ofac.read_snapshot("ofac_sdn_2023-08-03.csv", "2023-08-03")
    new = ofac.read_snapshot("ofac_sdn_2023-08-09.csv", "2023-08-09")
    diff = ofac.diff_snapshots(old, new, program="BELARUS-EO14038")
    [c.uid for c in diff.added]
"""

from __future__ import annotations

from ._cli import add_import_parser, run_import
from ._compare import Agreement, compare_entity, compare_registries, entities_by_identifier
from ._write import Candidate, ImportConflict, WriteReport, curated_identifiers, write_registry
from ._sdn_diff import COMPARED_FIELDS, Change, FieldChange, SnapshotDiff, diff_snapshots
from ._sdn_records import (
    AUTHORITY,
    LIST_URLS,
    Imported,
    entity_id,
    import_diffs,
    import_snapshots,
    measure_id,
)
from ._sdn_read import (
    DERIVED_COLUMNS,
    LEGACY_COLUMNS,
    OFAC_TIMEZONE,
    OfacFormatError,
    SdnEntry,
    Snapshot,
    TruncatedSnapshot,
    iter_entries,
    parse_snapshot_date,
    read_snapshot,
    snapshot_date_from_name,
)

__all__ = [
    "add_import_parser",
    "run_import",
    "Candidate",
    "ImportConflict",
    "WriteReport",
    "curated_identifiers",
    "write_registry",
    "Agreement",
    "compare_entity",
    "compare_registries",
    "entities_by_identifier",
    "AUTHORITY",
    "Imported",
    "LIST_URLS",
    "entity_id",
    "import_diffs",
    "import_snapshots",
    "measure_id",
    "COMPARED_FIELDS",
    "Change",
    "DERIVED_COLUMNS",
    "FieldChange",
    "LEGACY_COLUMNS",
    "OFAC_TIMEZONE",
    "OfacFormatError",
    "SdnEntry",
    "Snapshot",
    "SnapshotDiff",
    "TruncatedSnapshot",
    "diff_snapshots",
    "iter_entries",
    "parse_snapshot_date",
    "read_snapshot",
    "snapshot_date_from_name",
]
