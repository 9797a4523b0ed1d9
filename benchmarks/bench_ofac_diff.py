"""Benchmark: read two full OFAC SDN snapshots and diff them.

Run ``python benchmarks/bench_ofac_diff.py`` (prints the best and median of several
runs), or ``python -m pytest benchmarks/bench_ofac_diff.py`` with pytest-benchmark.
Reads ../shared/data/real-sanctions/ (skips when absent).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-sanctions"
PAIRS = [
    # (old, new): legacy 14,965 entries vs derived 19,249 entries
    ("ofac_sdn_2024-05-03.csv", "ofac_sdn_derived_kindrat86_pub2026-08-20.csv"),
    ("ofac_sdn_2023-08-03.csv", "ofac_sdn_2023-08-09.csv"),
]


def read_and_diff(old: Path, new: Path, program: str | None = None):
    from sanctrack.importers import ofac

    a = ofac.read_snapshot(old)
    b = ofac.read_snapshot(new)
    return ofac.diff_snapshots(a, b, program=program)


def _timings(old: Path, new: Path, runs: int, clock=time.perf_counter) -> dict[str, list[float]]:
    from sanctrack.importers import ofac

    out: dict[str, list[float]] = {"read": [], "diff": [], "total": []}
    for _ in range(runs):
        t0 = clock()
        a = ofac.read_snapshot(old)
        b = ofac.read_snapshot(new)
        t1 = clock()
        ofac.diff_snapshots(a, b)
        t2 = clock()
        out["read"].append(t1 - t0)
        out["diff"].append(t2 - t1)
        out["total"].append(t2 - t0)
    return out


def main(runs: int = 7) -> int:
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found")
        return 0
    for old, new in PAIRS:
        d = read_and_diff(DATA / old, DATA / new)
        print(
            f"{old} -> {new}: {len(d.old)} vs {len(d.new)} entries, "
            f"+{len(d.added)} -{len(d.removed)} ~{len(d.amended)}"
        )
        # wall time, and CPU time of this process (steadier on a shared machine)
        for label, clock in (("wall", time.perf_counter), ("cpu", time.process_time)):
            t = _timings(DATA / old, DATA / new, runs, clock)
            for key in ("read", "diff", "total"):
                print(
                    f"  {label:4} {key:5}  best {min(t[key]) * 1000:7.1f} ms   "
                    f"median {statistics.median(t[key]) * 1000:7.1f} ms   ({runs} runs)"
                )
    return 0


def test_bench_read_and_diff_full_snapshots(benchmark):  # pytest-benchmark
    import pytest

    if not DATA.is_dir():
        pytest.skip(f"{DATA} not found")
    old, new = PAIRS[0]
    d = benchmark(read_and_diff, DATA / old, DATA / new)
    assert len(d.removed) == 1008


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
