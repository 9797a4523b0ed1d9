"""Audit: what did the registry *say* about 2025-09-15, as known on two dates?

Knowledge time at work: on 2025-09-10 nobody knew of General License 11
(issued 2025-09-11), so the answer then was "in force"; as known on 2025-10-01
the same date is "relieved". Both answers are reproducible forever from the
digest, the query date and the knowledge date. Run:
``python examples/audit_replay.py``.
"""

from __future__ import annotations

import sanctrack

MEASURE = "us-ofac-belavia-sdn"
ON = "2025-09-15"
KNOWN = ("2025-09-10", "2025-10-01")


def describe(s: sanctrack.MeasureState) -> str:
    text = f"{s.status} since {s.since}"
    text += f", until {s.valid.end}" if s.valid.end else ", no end known"
    if s.reliefs:
        text += "; licences: " + ", ".join(r.label for r in s.reliefs)
    if s.pending:
        text += "; pending: " + ", ".join(f"{p.action} announced {p.announced}" for p in s.pending)
    return text


def main() -> None:
    reg = sanctrack.load()
    print(f"{MEASURE} on {ON}")
    print(f"digest {reg.digest}")
    for y in KNOWN:
        print(f"  as known on {y}: {describe(reg.state(MEASURE, ON, known=y))}")
    print(f"  as known today:      {describe(reg.state(MEASURE, ON))}")
    view = reg.as_known_on(KNOWN[0])
    learned = [t for t in reg.transitions
               if t.measure == MEASURE and KNOWN[0] < t.recorded.isoformat() <= KNOWN[1]]
    print(f"\nrecorded between {KNOWN[0]} and {KNOWN[1]}:")
    for t in learned:
        print(f"  {t.recorded}  {t.id} ({t.action}, {t.confidence})")
    print(f"\nview {view!r}")


if __name__ == "__main__":
    main()
