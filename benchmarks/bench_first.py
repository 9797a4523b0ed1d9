"""The first answers after a warm load: what a restarted risk system pays on its first requests.

For each size, a synthetic registry (``synth.py``, seed 7) is written as YAML
and loaded once cold (which writes the load cache). Then, each in a fresh
process (the restart):

* the warm load (a cache hit), then one ``in_force(X)`` (the first), then the
  same question again (the in-force index is built on the second ask);
* the warm load, then 2,000 ``state(m, X)`` with random measures and dates,
  each measure's first question (mean per call), then the same questions again
  with their answers kept (mean per call over repeated passes).

Medians of ``--reps`` processes. Targets (issue 26, at 1M transitions): first
``in_force`` ≤ 1 s with the warm load ≤ 2.5 s; first ``state`` ≤ 2× the kept
answer (at every size).

``--baseline DIR`` runs the same children with another sanctrack checkout
first on ``sys.path`` (its own registry cache), alternating with this one, so
the before/after ratio holds however the machine's speed drifts::

    python benchmarks/bench_first.py --sizes 10k,100k,1m
    python benchmarks/bench_first.py --sizes 1m --baseline ../old-checkout --keep /tmp/first
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
X = _dt.date(2025, 6, 1)
QUESTIONS = 2_000


def child(root: str, cache: str, mode: str) -> dict[str, float]:
    """One fresh process's figures (run with ``--child``)."""
    import sanctrack

    t0 = time.perf_counter()
    reg = sanctrack.load(root, cache=True, cache_dir=cache)
    out = {"warm": time.perf_counter() - t0}
    if mode == "in_force":
        t0 = time.perf_counter()
        n = len(reg.in_force(X))
        out["first_in_force"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        reg.in_force(X)
        out["second_in_force"] = time.perf_counter() - t0
        out["in_force_n"] = n
        return out
    rnd = random.Random(0)
    ids = [m.id for m in reg.measures]
    lo, hi = _dt.date(2000, 1, 1).toordinal(), _dt.date(2026, 6, 30).toordinal()
    qs = [(ids[rnd.randrange(len(ids))], _dt.date.fromordinal(rnd.randint(lo, hi))) for _ in range(QUESTIONS)]
    t0 = time.perf_counter()
    for m, x in qs:
        reg.state(m, x)
    out["first_state"] = (time.perf_counter() - t0) / len(qs)
    passes = []
    for _ in range(7):
        t0 = time.perf_counter()
        for m, x in qs:
            reg.state(m, x)
        passes.append((time.perf_counter() - t0) / len(qs))
    out["kept_state"] = statistics.median(passes)
    return out


def run_child(python_path: Path, root: Path, cache: Path, mode: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(python_path), str(HERE)])}
    got = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(root), str(cache), mode],
                         env=env, capture_output=True, text=True, check=True, cwd=root.parent)
    return json.loads(got.stdout.strip().splitlines()[-1])


def prepare(n: int, folder: Path, checkouts: dict[str, Path]) -> Path:
    """The YAML registry of size ``n`` (made once under ``folder``) and each checkout's cache filled."""
    root = folder / f"reg-{n}"
    if not (root / "registry.yaml").exists():
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
        code = ("import sys, synth; from sanctrack import Registry; from sanctrack._dump import write_registry; "
                f"write_registry(Registry.build(**synth.generate({n}, seed=7).kwargs()), {str(root)!r})")
        subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=folder)
    for name, path in checkouts.items():
        cache = folder / f"cache-{n}-{name}"
        env = {**os.environ, "PYTHONPATH": str(path)}
        t0 = time.perf_counter()
        # run from the registries' folder: ``python -c`` puts the working directory first on sys.path,
        # so from a checkout it would import that checkout's sanctrack whatever PYTHONPATH says
        subprocess.run([sys.executable, "-c", f"import sanctrack; sanctrack.load({str(root)!r}, cache=True, "
                        f"cache_dir={str(cache)!r})"], env=env, check=True, cwd=folder)
        print(f"  {name}: cold load and cache write {time.perf_counter() - t0:.1f} s", flush=True)
    return root


def fmt(sec: float) -> str:
    if sec >= 1:
        return f"{sec:.2f} s"
    if sec >= 1e-3:
        return f"{sec * 1e3:.1f} ms"
    return f"{sec * 1e6:.2f} µs"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10k,100k,1m")
    p.add_argument("--reps", type=int, default=3, help="fresh processes per figure (median)")
    p.add_argument("--baseline", help="another sanctrack checkout to compare with (alternating runs)")
    p.add_argument("--keep", help="a folder to keep the generated registries and caches in (reused)")
    p.add_argument("--child", nargs=3, metavar=("ROOT", "CACHE", "MODE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    from bench import machine_line, parse_size

    print(machine_line(), flush=True)
    checkouts = {"this": ROOT}
    if args.baseline:
        checkouts["baseline"] = Path(args.baseline).resolve()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-first-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in (parse_size(s) for s in args.sizes.split(",") if s.strip()):
        print(f"== {n:,} transitions", flush=True)
        root = prepare(n, folder, checkouts)
        got: dict[str, dict[str, list[float]]] = {name: {} for name in checkouts}
        for _ in range(args.reps):
            for mode in ("in_force", "state"):
                for name, path in checkouts.items():
                    for k, v in run_child(path, root, folder / f"cache-{n}-{name}", mode).items():
                        got[name].setdefault(k, []).append(v)
        med = {name: {k: statistics.median(v) for k, v in figures.items()} for name, figures in got.items()}
        rows.append((n, med))
        for name, f in med.items():
            print(f"  {name}: warm {fmt(f['warm'])}, first in_force {fmt(f['first_in_force'])} "
                  f"({int(f['in_force_n']):,} in force), second {fmt(f['second_in_force'])}, first state "
                  f"{fmt(f['first_state'])}, kept {fmt(f['kept_state'])} "
                  f"({f['first_state'] / f['kept_state']:.1f}×)", flush=True)
    print("\n| transitions | figure | target | " + " | ".join(checkouts) + " | met? |")
    print("|---|---|---|" + "---|" * len(checkouts) + "---|")
    for n, med in rows:
        this = med["this"]
        big = n >= 900_000
        lines = [
            ("warm load", "≤ 2.5 s" if big else "—", "warm", this["warm"] <= 2.5 if big else None),
            ("first in_force(X)", "≤ 1 s" if big else "—", "first_in_force",
             this["first_in_force"] <= 1 if big else None),
            ("second in_force(X)", "—", "second_in_force", None),
            ("first state(m, X), mean", "—", "first_state", None),
            ("kept state(m, X), mean", "—", "kept_state", None),
        ]
        for what, target, key, ok in lines:
            cells = " | ".join(fmt(med[name][key]) for name in checkouts)
            print(f"| {n:,} | {what} | {target} | {cells} | {'' if ok is None else 'met' if ok else 'missed'} |")
        ratios = " | ".join(f"{med[name]['first_state'] / med[name]['kept_state']:.1f}×" for name in checkouts)
        ok = this["first_state"] <= 2 * this["kept_state"]
        print(f"| {n:,} | first state / kept | ≤ 2× | {ratios} | {'met' if ok else 'missed'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
