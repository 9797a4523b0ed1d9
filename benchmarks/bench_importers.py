"""Benchmark: the list readers' throughput on the real files, and folding the seven sdn.csv copies.

Run ``python benchmarks/bench_importers.py``: prints, per reader and file, the entries read
per second (best and median of several runs), and the time to read the seven real
``sdn.csv`` snapshots, fold them into one history, build the records and the registry.
Reads ../shared/data/real-sanctions/ (skips what is absent).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-sanctions"
FILES = [
    ("un", "un_consolidated_2018-06-21.xml"),
    ("un", "un_consolidated_2026-02-27.xml"),
    ("eu-fsf", "eu_fsf_v1_legacy_2016-02-11.xml"),
    ("ofac-advanced", "ofac_cons_advanced_2020-03-17.xml"),
    ("ftm", "opensanctions_sanctions_entities.delta_2024-05-30.json"),
    ("ofac-sdn", "ofac_sdn_2024-05-03.csv"),
]
SDN = ["ofac_sdn_2021-08-18T0939Z.csv", "ofac_sdn_2021-08-20T1850Z.csv", "ofac_sdn_2021-12-02T0141Z.csv",
       "ofac_sdn_2021-12-02T1850Z.csv", "ofac_sdn_2023-08-03.csv", "ofac_sdn_2023-08-09.csv",
       "ofac_sdn_2024-05-03.csv"]


def _times(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main(runs: int = 7) -> int:
    from sanctrack.importers import build_import, fold, read_snapshot, write_registry

    if not DATA.is_dir():
        print(f"no data at {DATA}", file=sys.stderr)
        return 1
    print("| reader | file | size | entries | best | median | entries/s (best) |")
    print("|---|---|---|---|---|---|---|")
    for kind, name in FILES:
        path = DATA / name
        if not path.exists():
            continue
        n = len(read_snapshot(kind, path))
        ts = _times(lambda: read_snapshot(kind, path), runs)
        size = path.stat().st_size
        print(f"| {kind} | {name} | {size / 1e6:.2f} MB | {n:,} | {min(ts) * 1e3:.0f} ms | "
              f"{statistics.median(ts) * 1e3:.0f} ms | {n / min(ts):,.0f} |")
    paths = [DATA / n for n in SDN]
    if all(p.exists() for p in paths):
        def fold_all():
            snaps = [read_snapshot("ofac-sdn", p) for p in paths]
            t1 = time.perf_counter()
            changes = fold(snaps)
            imp = build_import("ofac-sdn", snaps, changes)
            t2 = time.perf_counter()
            imp.registry()
            t3 = time.perf_counter()
            return t1, t2, t3, imp

        rows = []
        for _ in range(max(3, runs // 2)):
            t0 = time.perf_counter()
            t1, t2, t3, imp = fold_all()
            rows.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
        best = min(rows, key=lambda r: r[3])
        print()
        print(f"fold of the seven sdn.csv copies ({sum(len(s) for s in imp.snapshots):,} entries, "
              f"{len(imp.changes):,} changes, {len(imp.transitions):,} transitions, {len(imp.measures):,} measures):")
        print(f"  read {best[0]:.2f} s + fold and records {best[1]:.2f} s + Registry.build {best[2]:.2f} s "
              f"= {best[3]:.2f} s (best of {len(rows)}; median total {statistics.median(r[3] for r in rows):.2f} s)")
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            write_registry(imp, Path(d) / "out")
            print(f"  written as a registry (atomic, {len(imp.measures) + 5:,} files): {time.perf_counter() - t:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
