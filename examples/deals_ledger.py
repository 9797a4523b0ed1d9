"""The ledger: prisoners released against reliefs granted.

For every release linked to a US relief or lift, the transitions it is linked
to and how sure the registry is of each link (stated by an official, reported
by the press, or inferred). Run: ``python examples/deals_ledger.py``.
"""

from __future__ import annotations

import sanctrack


def main() -> None:
    reg = sanctrack.load()
    deals = reg.deals()
    linked = [d for d in deals if d.links]
    print(f"{'released':<10}  {'count':>5}  {'basis':<8}  granted")
    for d in linked:
        r = d.release
        first = True
        for lt in d.links:
            t = lt.transition
            when = f"{t.effective}" if t.effective else f"announced {t.announced}"
            head = f"{r.date!s:<10}  {r.count if r.count is not None else '?':>5}" if first else " " * 17
            print(f"{head}  {lt.link.basis!s:<8}  {t.action} {t.measure} ({when})")
            first = False
        for f in r.figures:
            if f.quantity == "taken_to_ukraine":
                print(f"{'':17}  figure: {f.value} taken to Ukraine{' (used)' if f.used else ''}")
    people = sum(d.release.count or 0 for d in linked)
    reliefs = {lt.transition.id for d in linked for lt in d.links if lt.transition.action == "relieve"}
    lifts = {lt.transition.id for d in linked for lt in d.links
             if lt.transition.action == "lift" and not lt.transition.is_pending}
    unlinked = [d for d in deals if not d.links]
    print(f"\n{len(linked)} linked releases freed {people} people; "
          f"{len(reliefs)} reliefs and {len(lifts)} lifts were linked to them.")
    print(f"{len(unlinked)} releases ({sum(d.release.count or 0 for d in unlinked)} people) "
          f"are linked to no US measure.")
    print(f"digest {reg.digest}")


if __name__ == "__main__":
    main()
