"""Cold YAML load: time and peak memory per transition (issue 26).

    python benchmarks/bench_coldload.py --sizes 100k,1m          # generates each registry in a temporary directory
    python benchmarks/bench_coldload.py --dir /tmp/r10m           # a registry already written (synth.py N --yaml DIR)

Each load runs in a fresh interpreter (``sanctrack.load(dir, cache=False)``, the
load cache bypassed), which reports its wall and CPU time and its peak resident set size
(``VmHWM``, else ``ru_maxrss``, taken right after the load returns); the peak is also given per
transition, the interpreter and imports included. Registries come from
``benchmarks/synth.py`` (seed 0): generating one is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Run in the child: one cold load, measured from the call (imports not timed).
CHILD = """
import json, resource, sys, time
import sanctrack
r0, t = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
reg = sanctrack.load(sys.argv[1], cache=False, **json.loads(sys.argv[2]))
seconds, r1 = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF)
cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
try:  # VmHWM: the peak since exec (ru_maxrss can carry the forking parent's)
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) * 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": peak, "transitions": len(reg.transitions)}))
"""


def cold_load(directory: str | os.PathLike[str], **options: int) -> dict[str, float]:
    """One cold load of ``directory`` in a fresh interpreter: seconds, peak bytes, transitions.

    ``options`` go to :func:`sanctrack.load` (``max_file_size``, ``max_nodes``).
    """
    out = subprocess.run([sys.executable, "-c", CHILD, os.fspath(directory), json.dumps(options)], check=True,
                         capture_output=True, text=True, env={**os.environ, "SANCTRACK_CACHE": "0"})
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def generate(n: int, directory: Path) -> None:
    subprocess.run([sys.executable, str(HERE / "synth.py"), str(n), "--yaml", str(directory)], check=True,
                   stdout=subprocess.DEVNULL)


def row(label: str, r: dict[str, float]) -> str:
    n = int(r["transitions"])
    return (f"| {label} | {n:,} | {r['seconds']:.1f} s | {r['cpu']:.1f} s | {r['peak'] / 2**20:,.0f} MiB | "
            f"{r['peak'] / n:,.0f} B |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100k", help="comma-separated sizes to generate and load (default 100k)")
    p.add_argument("--dir", action="append", default=[], help="load this registry directory (repeatable)")
    p.add_argument("--repeat", type=int, default=1, help="loads per registry; the fastest is shown")
    p.add_argument("--max-file-size", type=int, help="load(max_file_size=...): synth's entities.yaml passes "
                   "the default 10 MB limit from about 2.5M transitions")
    p.add_argument("--max-nodes", type=int, help="load(max_nodes=...), for the same file")
    args = p.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from bench import machine_line, parse_size

    print(machine_line())
    print("| registry | transitions | cold load (wall) | (CPU) | peak RSS | peak per transition |")
    print("|---|---|---|---|---|---|")

    def best(directory: str | os.PathLike[str]) -> dict[str, float]:
        options = {name: getattr(args, name) for name in ("max_file_size", "max_nodes")
                   if getattr(args, name) is not None}
        runs = [cold_load(directory, **options) for _ in range(max(1, args.repeat))]
        return min(runs, key=lambda r: r["seconds"])

    for d in args.dir:
        print(row(os.path.basename(os.path.normpath(d)), best(d)), flush=True)
    if not args.dir or args.sizes != p.get_default("sizes"):
        for size in filter(None, args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / "registry"
                generate(parse_size(size), target)
                print(row(f"synth {size}", best(target)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
