"""Start-up costs: the interpreter, ``import sanctrack`` and one command-line question, warm.

    python benchmarks/bench_startup.py [--runs 20] [--python PATH]

Every measurement is a fresh subprocess, timed from spawn to exit (wall time). The CLI question
is the README's first command, ``python -m sanctrack in-force 2025-09-20 --target Belavia`` on the
bundled registry; it runs once unmeasured first, so the load cache is populated ("warm"). The
three kinds of run alternate, round after round, so a busy minute of a shared machine hits them
alike; the best of N is the figure to compare (the least disturbed run), the median says how
noisy the machine was. ``PYTHONDONTWRITEBYTECODE`` is unset for the runs: an installed package
has its bytecode cached, and compiling every module on every start would hide the rest. Also
prints the modules ``import sanctrack`` loads and its ``-X importtime`` sum.
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

ROOT = Path(__file__).resolve().parents[1]

CASES: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "import sanctrack": ["-c", "import sanctrack"],
    "CLI question, warm": ["-m", "sanctrack", "in-force", "2025-09-20", "--target", "Belavia"],
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time what an installed package does: compiled once, then cached
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _once(python: str, args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run([python, *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def machine_line(python: str, env: dict[str, str]) -> str:
    version = subprocess.run([python, "-c", "import sanctrack; print(sanctrack.__version__)"], env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at start; "
            f"Python {platform.python_version()}, sanctrack {version}")


def import_profile(python: str, env: dict[str, str]) -> tuple[int, int, float]:
    """(modules loaded by ``import sanctrack``, of them the package's own, ``-X importtime`` sum in ms)."""
    code = "import sys; n = len(sys.modules); import sanctrack; print(len(sys.modules) - n, " \
           "sum(m.startswith('sanctrack') for m in sys.modules))"
    out = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    err = subprocess.run([python, "-X", "importtime", "-c", "import sanctrack"], env=env, capture_output=True,
                         text=True, check=True).stderr
    total = sum(int(line.split("|")[1]) for line in err.splitlines()
                if line.startswith("import time:") and line.split("|")[2].strip() == "sanctrack"
                and line.split("|")[1].strip().isdigit())
    return int(out[0]), int(out[1]), total / 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20, help="rounds (default 20)")
    ap.add_argument("--python", default=sys.executable, help="the interpreter to time (default: this one)")
    a = ap.parse_args(argv)
    env = _env()
    print(machine_line(a.python, env))
    _once(a.python, CASES["CLI question, warm"], env)  # populate the load cache
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(a.runs):
        for name, args in CASES.items():
            times[name].append(_once(a.python, args, env))
    for name, xs in times.items():
        print(f"{name:22} best {min(xs) * 1000:6.1f} ms, median {statistics.median(xs) * 1000:6.1f} ms "
              f"(of {a.runs})")
    modules, own, total = import_profile(a.python, env)
    print(f"import sanctrack loads {modules} modules ({own} of sanctrack); -X importtime sum {total:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
