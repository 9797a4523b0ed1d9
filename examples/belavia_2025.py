"""Was it legal for a US person to sell Boeing parts to Belavia on 2025-09-20?

The question of DESIGN §1, asked of the bundled registry across the three
authorities that matter for it: OFAC (the SDN blocking), BIS (US export
controls on aircraft parts) and the EU. Run: ``python examples/belavia_2025.py``.
"""

from __future__ import annotations

import sanctrack

ON = "2025-09-20"
AUTHORITIES = ("US-OFAC", "US-BIS", "EU")


def verdict(states: list[sanctrack.MeasureState]) -> str:
    live = [s for s in states if s.in_force]
    if not live:
        return "no restriction in force"
    if all(s.status == "relieved" for s in live):
        licences = sorted({r.label for s in live for r in s.reliefs})
        return "restricted, but licensed: " + "; ".join(licences)
    return "PROHIBITED: " + ", ".join(s.measure.id for s in live if s.status == "in_force")


def main() -> None:
    reg = sanctrack.load()
    comparison = reg.compare("Belavia", ON)
    print(f"Boeing parts to {comparison.target.name} on {ON}")
    print(f"registry {reg.info.name} {reg.info.version}, digest {reg.digest}")
    for authority in AUTHORITIES:
        states = [s for s in comparison.states if s.measure.authority == authority]
        print(f"\n{authority}: {verdict(states)}")
        for s in states:
            line = f"  {s.measure.id:<38} {s.status!s:<9} since {s.since}"
            for r in s.reliefs:
                line += f"  licence {r.label}"
            print(line)
            for r in s.reliefs:
                if r.scope is not None and r.scope.excludes:
                    print(f"    {r.label} excludes: {'; '.join(r.scope.excludes)}")
            for p in s.pending:
                print(f"    pending: {p.action} announced {p.announced} ({p.id})")


if __name__ == "__main__":
    main()
