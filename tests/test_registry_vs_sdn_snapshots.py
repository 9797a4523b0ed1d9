"""Every US-OFAC blocking measure against every real SDN snapshot in ../shared/data/real-sanctions.

For each snapshot (its date taken in Washington, OFAC's zone) and each US-OFAC blocking measure whose
targets carry an ``ofac:<uid>`` identifier: the target is on the list  ⇔  the measure exists on that date and
is not lifted or expired (a licence — ``relieved`` — keeps the name on the list). States inside an
``effective_window`` are uncertain by construction and are not held to either answer. The names-only
mirror (no uids) is matched on the target's names with punctuation stripped, as the mirror strips it.
Files that are absent are skipped with a reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import sanctrack

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real-sanctions"
NY = ZoneInfo("America/New_York")

#: file -> the snapshot instant (UTC) from SOURCES.md
SNAPSHOTS = {
    "ofac_sdn_2021-08-18T0939Z.csv": "2021-08-18T09:39:01",
    "ofac_sdn_2021-08-20T1850Z.csv": "2021-08-20T18:50:52",
    "ofac_sdn_2021-12-02T0141Z.csv": "2021-12-02T01:41:59",
    "ofac_sdn_2021-12-02T1850Z.csv": "2021-12-02T18:50:23",
    "ofac_sdn_2023-08-03.csv": "2023-08-03T18:43:40",
    "ofac_sdn_2023-08-09.csv": "2023-08-09T18:43:27",
    "ofac_sdn_2024-05-03.csv": "2024-05-03T18:43:23",
    "ofac_sdn_derived_kindrat86_pub2026-07-24.csv": "2026-07-24T16:00:00",  # publish date in the file
    "ofac_sdn_derived_kindrat86_pub2026-08-20.csv": "2026-08-20T16:00:00",
    "ofac_sdn_names_clearagent_2026-03-21.json": "2026-03-21T03:13:06",
}


def _day(instant: str) -> dt.date:
    return dt.datetime.fromisoformat(instant).replace(tzinfo=dt.UTC).astimezone(NY).date()


def _norm(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def _listed(path: Path) -> tuple[set[str], set[str]]:
    """(uids, normalised names) on the list."""
    if path.suffix == ".json":
        return set(), {_norm(n) for n in json.loads(path.read_text(encoding="utf-8"))}
    uids: set[str] = set()
    with path.open(encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if row and row[0].strip().isdigit():
                uids.add(row[0].strip())
    return uids, set()


@pytest.fixture(scope="module")
def reg() -> sanctrack.Registry:
    return sanctrack.load()


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_every_ofac_blocking_measure_agrees_with_the_snapshot(reg, name: str) -> None:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    day = _day(SNAPSHOTS[name])
    uids, names = _listed(path)
    checked, wrong = 0, []
    for m in reg.measures:
        if m.authority != "US-OFAC" or m.kind != "blocking":
            continue
        s = reg.state(m.id, day)
        if s.uncertain:
            continue
        targets = s.targets if s.exists else m.targets
        for e in targets:
            ent = reg.entity(e)
            ofac = [i.split(":", 1)[1] for i in ent.identifiers if i.startswith("ofac:")]
            if not ofac:
                continue
            on_list = (any(_norm(n) in names for n in (ent.name, *ent.aliases)) if names
                       else ofac[0] in uids)
            in_registry = s.exists and str(s.status) not in ("lifted", "expired")
            checked += 1
            if on_list != in_registry:
                wrong.append((m.id, e, day.isoformat(), on_list, str(s.status) if s.exists else None))
    assert checked > 0
    assert wrong == []
