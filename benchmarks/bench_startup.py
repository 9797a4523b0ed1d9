"""Start-up costs: the interpreter, ``import sanctrack`` and one command-line question, warm.

    python benchmarks/bench_startup.py [--runs 20] [--python PATH] [--against CHECKOUT]

Every measurement is a fresh subprocess, timed from spawn to exit (wall time). The CLI question
is the README's first command, ``python -m sanctrack in-force 2025-09-20 --target Belavia`` on the
bundled registry; it runs once unmeasured first, so the load cache is populated ("warm"). The
three kinds of run alternate, round after round, so a busy minute of a shared machine hits them
alike; the best of N is the figure to compare (the least disturbed run), the median says how
noisy the machine was. ``--against`` times another checkout's ``sanctrack`` (e.g. the main
branch) in the same alternating rounds, for a before/after measured in the same minutes.

Each run starts in its checkout's directory (``-c`` and ``-m`` put the working directory first
on the path) with ``PYTHONDONTWRITEBYTECODE`` unset: an installed package has its bytecode
cached, and compiling every module on every start would hide the rest. Also prints the modules
``import sanctrack`` loads and its ``-X importtime`` sum.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

CASES: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "import sanctrack": ["-c", "import sanctrack"],
    "CLI question, warm": ["-m", "sanctrack", "in-force", "2025-09-20", "--target", "Belavia"],
}


def _env(root: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time what an installed package does: compiled once, then cached
    env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _run(python: str, args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``python args`` in the checkout ``env`` puts first on the path."""
    cwd = env["PYTHONPATH"].split(os.pathsep)[0]
    return subprocess.run([python, *args], env=env, cwd=cwd, check=True, text=True, **kwargs)


def _once(python: str, args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    _run(python, args, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def machine_line(python: str, env: dict[str, str]) -> str:
    code = "import sanctrack; print(sanctrack.__version__)"
    version = _run(python, ["-c", code], env, capture_output=True).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at start; "
            f"Python {platform.python_version()}, sanctrack {version}")


def import_profile(python: str, env: dict[str, str]) -> tuple[int, int, float]:
    """(modules loaded by ``import sanctrack``, of them the package's own, ``-X importtime`` sum in ms)."""
    code = "import sys; n = len(sys.modules); import sanctrack; print(len(sys.modules) - n, " \
           "sum(m.startswith('sanctrack') for m in sys.modules))"
    out = _run(python, ["-c", code], env, capture_output=True).stdout.split()
    err = _run(python, ["-X", "importtime", "-c", "import sanctrack"], env, capture_output=True).stderr
    total = sum(int(line.split("|")[1]) for line in err.splitlines()
                if line.startswith("import time:") and line.split("|")[2].strip() == "sanctrack"
                and line.split("|")[1].strip().isdigit())
    return int(out[0]), int(out[1]), total / 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20, help="rounds (default 20)")
    ap.add_argument("--python", default=sys.executable, help="the interpreter to time (default: this one)")
    ap.add_argument("--against", metavar="CHECKOUT", action="append", default=[],
                    help="also time the sanctrack of this checkout, in the same rounds; repeatable")
    a = ap.parse_args(argv)
    roots = [ROOT, *(Path(c).resolve() for c in a.against)]
    envs = {root: _env(root) for root in roots}
    print(machine_line(a.python, envs[ROOT]))
    for root in roots:
        _once(a.python, CASES["CLI question, warm"], envs[root])  # populate the load cache (and the bytecode)
        _once(a.python, CASES["import sanctrack"], envs[root])
    times: dict[tuple[Path, str], list[float]] = {(root, name): [] for root in roots for name in CASES}
    for _ in range(a.runs):
        for root in roots:
            for name, args in CASES.items():
                times[root, name].append(_once(a.python, args, envs[root]))
    for root in roots:
        if len(roots) > 1:
            print(f"{root}:")
        for name in CASES:
            xs = times[root, name]
            print(f"  {name:22} best {min(xs) * 1000:6.1f} ms, median {statistics.median(xs) * 1000:6.1f} ms "
                  f"(of {a.runs})")
        modules, own, total = import_profile(a.python, envs[root])
        print(f"  import sanctrack loads {modules} modules ({own} of sanctrack); -X importtime sum {total:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
