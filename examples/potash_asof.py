"""Which US measures against Belarusian potash were in force on 2025-12-01, and on 2025-12-20?

Between the two dates OFAC issued General License 13 (2025-12-15): the SDN
blockings stayed in force but became *relieved*. Run:
``python examples/potash_asof.py``.
"""

from __future__ import annotations

import sanctrack

TARGETS = ("Belaruskali", "Belarusian Potash Company", "Agrorozkvit")
DATES = ("2025-12-01", "2025-12-20")


def main() -> None:
    reg = sanctrack.load()
    print(f"US measures against Belarusian potash (registry digest {reg.digest})")
    for on in DATES:
        print(f"\non {on}:")
        seen = set()
        for target in TARGETS:
            for s in reg.in_force(on, target=target):
                if not s.measure.authority.startswith("US-") or s.measure.id in seen:
                    continue
                seen.add(s.measure.id)
                licences = ", ".join(r.label for r in s.reliefs) or "no licence"
                print(f"  {s.measure.id:<26} {s.status!s:<9} since {s.since}  {licences}")
    print("\nwhat changed:")
    for c in reg.diff(DATES[0], DATES[1], authority="US-OFAC"):
        if c.measure.id in seen:
            after = ", ".join(r.label for r in c.after.reliefs)
            print(f"  {c.measure.id}: {c.before.status} -> {c.after.status} ({after})")


if __name__ == "__main__":
    main()
