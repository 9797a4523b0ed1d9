"""Screen a CSV of (counterparty, date) rows against the bundled registry.

Each counterparty is matched by entity id, name, alias (case- and
punctuation-insensitive) or identifier (``ofac:44541``) and answered, per
jurisdiction, with the measures in force against it on that date:
``blocked`` (a measure in force with no licence), ``licensed`` (every measure
in force is relieved by a licence) or ``clear``. Run:
``python examples/risk_screen.py [examples/data/counterparties.csv]``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import sanctrack

DEFAULT = Path(__file__).with_name("data") / "counterparties.csv"


def by_jurisdiction(reg: sanctrack.Registry, states: tuple[sanctrack.MeasureState, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in states:
        j = reg.authority(s.measure.authority).jurisdiction
        verdict = "blocked" if s.status == "in_force" else "licensed"
        if out.get(j) != "blocked":
            out[j] = verdict
    return dict(sorted(out.items()))


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    reg = sanctrack.load()
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    known, unknown = [], []
    for row in rows:
        try:
            reg.resolve(row["counterparty"])
            known.append(row)
        except sanctrack.UnknownTarget:
            unknown.append(row)
    hits = reg.screen([(row["counterparty"], row["date"]) for row in known])
    print(f"screened {len(rows)} rows of {path.name}; registry digest {reg.digest}")
    counts = {"blocked": 0, "licensed": 0, "clear": 0, "unknown": len(unknown)}
    for row, hit in zip(known, hits):
        verdicts = by_jurisdiction(reg, hit.states)
        overall = "blocked" if "blocked" in verdicts.values() else "licensed" if verdicts else "clear"
        counts[overall] += 1
        detail = " · ".join(f"{j} {v}" for j, v in verdicts.items()) or "no measure in force"
        print(f"  {overall:<8}  {row['counterparty']:<26} {row['date']}  {detail}")
        licences = sorted({r.label for s in hit.states for r in s.reliefs})
        if licences:
            print(f"  {'':<8}  {'':<26} {'':<10}  licences: {'; '.join(licences)}")
    for row in unknown:
        print(f"  unknown   {row['counterparty']:<26} {row['date']}  no entity in the registry")
    print(", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
