"""Costs of the guarded, consistent reads (issue 20).

    python benchmarks/bench_reads.py DIR      # DIR: a YAML registry, e.g. from synth.py --yaml

Prints the median time of reading a registry directory's files consistently
(``sanctrack._files.registry_files``: one directory descriptor, the identity
check after reading), the OFAC sdn.csv reader's throughput on the real files
(rows per second) and its peak memory on a newline-free 300 MB file (refused).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sanctrack import _files
from sanctrack.importers import ofac

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-sanctions"


def median_time(fn, n: int = 15) -> float:
    xs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        xs.append(time.perf_counter() - t)
    return statistics.median(xs)


def main(argv: list[str]) -> int:
    if argv:
        root = Path(argv[0])
        n = sum(1 for _ in root.rglob("*.yaml"))
        sec = median_time(lambda: _files.registry_files(root, []))
        print(f"registry_files, {n:,} files: {sec:.3f} s (median of 15)")
    for p in sorted(DATA.glob("ofac_sdn_*.csv")):
        t = time.perf_counter()
        s = ofac.read_snapshot(p, "2024-01-01")
        dt = time.perf_counter() - t
        print(f"sdn reader {p.name}: {len(s):,} rows in {dt:.3f} s, {len(s) / dt:,.0f} rows/s")
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "flat.csv")
        with open(big, "wb") as fh:
            fh.write(b"1," + b"A" * (1 << 20))
            fh.truncate(300 * 1024 * 1024)
        code = (f"from sanctrack.importers import ofac\ntry:\n    ofac.read_snapshot({big!r}, '2024-01-01')\n"
                "except ofac.OfacFormatError:\n    pass\n"
                "import re; print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))")
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        print(f"newline-free 300 MB file: refused in {time.perf_counter() - t:.2f} s (with interpreter start), "
              f"peak RSS {int(out) / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
