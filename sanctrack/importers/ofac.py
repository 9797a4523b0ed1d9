"""Import OFAC SDN list snapshots as dated sanctrack transitions.

Official lists publish snapshots, not history: OFAC's ``sdn.csv`` simply drops a
delisted party. A compliance team keeps dated copies; this module turns any two (or a
chain) of them into the transitions between them.

**Read** — :func:`read_snapshot` streams one file of either form present in the wild
(OFAC's legacy 12-column ``sdn.csv`` without header, ``-0-`` as null; or the header CSV
``uid,name,type,programs,alternate_names``), hashes it, and refuses malformed rows with
:class:`OfacFormatError` (a ``ValueError`` naming file, line and field) and empty or
cut-off files with :class:`TruncatedSnapshot`. Snapshot dates are OFAC calendar dates;
an instant (``2021-12-02T0141Z``) is converted to America/New_York (2021-12-01).

**Diff** — :func:`diff_snapshots` (pure) keys both by uid: added → ``impose``, removed
→ ``lift``, program set, name or type changed → ``amend`` with old and new values;
``program=`` keeps the parties carrying one program. A new snapshot with fewer than half
the old one's entries is refused as truncated, not read as a mass delisting.

**Records** — :func:`import_snapshots` / :func:`import_diffs` map the changes to an
entity ``ofac-<uid>`` (identifier ``ofac:<uid>``), a measure ``us-ofac-sdn-<uid>``
(``US-OFAC``, ``blocking``) and transitions with ``effective_window`` = the closed
range ``[old date + 1, new date]`` (``[old date, new date]`` when the old copy was taken
at a known instant: changes later that day are possible), ``effective`` = the new date,
``confidence: inferred``, and both files (date, SHA-256) as instrument and sources.
:meth:`Imported.registry` builds a :class:`sanctrack.Registry` from them.

**Write** — :func:`write_registry` writes the registry layout to a directory
atomically, never over a hand-curated file; entities already curated there are
reported as :class:`Candidate` records instead of being written.

**Compare** — :func:`compare_entity` / :func:`compare_registries` give, per imported
transition, whether a curated registry agrees (its date lies in the window), disagrees
or has nothing, matching entities by identifier (``ofac:44541``).

::

    from sanctrack.importers import ofac
    old = ofac.read_snapshot("ofac_sdn_2024-05-03.csv", "2024-05-03")
    new = ofac.read_snapshot("ofac_sdn_derived_kindrat86_pub2026-08-20.csv", "2026-08-20")
    diff = ofac.diff_snapshots(old, new, program="BELARUS-EO14038")
    sorted(c.uid for c in diff.removed)      # 32727 … 44541 (Belavia), 44580 (EW-301PJ)
    imported = ofac.import_diffs([diff])
    ofac.compare_entity(imported.registry(), sanctrack.load(), "ofac:44541")
    ofac.write_registry(imported, "imported-registry/")

**The common shape** — :class:`SdnCsvReader` reads a copy into the
:class:`sanctrack.importers.ListSnapshot` every list reader gives, so
``sanctrack.importers.fold`` / ``import_history("ofac-sdn", DIR)`` fold a directory of
copies like any other list.

On the command line: ``sanctrack import ofac-sdn OLD NEW --old-date … --new-date …
[--program P] [-o DIR] [--beside] [--compare [REGISTRY]] [--format table|json]``.
"""

from __future__ import annotations

from ._cli import add_import_parser, run_import
from ._compare import Agreement, compare_entity, compare_registries, entities_by_identifier
from ._sdn_diff import COMPARED_FIELDS, Change, FieldChange, SnapshotDiff, diff_snapshots
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
from ._sdn_records import (
    AUTHORITY,
    LIST_URLS,
    Imported,
    entity_id,
    import_diffs,
    import_snapshots,
    measure_id,
)
from ._sdn_shape import SdnCsvReader
from ._write import Candidate, ImportConflict, WriteReport, curated_identifiers, write_registry

__all__ = [
    "SdnCsvReader",
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
