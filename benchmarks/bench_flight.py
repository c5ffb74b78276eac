"""Benchmark the descent physics: one full Resilience flight and a 1,000-run Monte Carlo.

Usage::

    python benchmarks/bench_flight.py [--runs 1000] [--repeat 5]

Prints wall-clock figures (targets from issue #9: full flight <= 0.5 s warm,
1,000 Monte Carlo runs <= 30 s on 2 cores) and the machine's load. "cold"
includes loading the SPICE kernels and building the terrain (and compiling the
physics step when numba's cache is empty: see ``lunarviz/physics/_jit.py``);
"warm" is the median of repeated flights in the same process (kernels loaded,
terrain cached, step compiled).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

SCENES = Path(__file__).resolve().parents[1] / "scenes"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs (default 1000)")
    ap.add_argument("--repeat", type=int, default=5, help="warm single-flight repetitions")
    ap.add_argument("--scene", default="resilience")
    ap.add_argument("--all-scenes", action="store_true",
                    help="also time a warm flight of every scene in scenes/ (median of --repeat)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from lunarviz import physics, scenario
    from lunarviz.physics import montecarlo

    scn = scenario.load(SCENES / f"{args.scene}.toml")
    t1 = time.perf_counter()
    traj = physics.fly(scn)
    t2 = time.perf_counter()
    warm = []
    for _ in range(args.repeat):
        a = time.perf_counter()
        physics.fly(scn)
        warm.append(time.perf_counter() - a)
    n_powered = int(((traj.et_s >= traj.event("powered_descent").et_s)).sum())
    from lunarviz.physics._jit import COMPILED

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {load:.2f}, physics step {'compiled (numba)' if COMPILED else 'plain Python'}")
    print(f"{args.scene}: {len(traj)} samples ({n_powered} powered at 10 Hz), "
          f"{traj.duration_s / 3600:.2f} h of flight")
    print(f"  full flight, cold (imports+kernels+terrain): {t2 - t0:.2f} s (flight {t2 - t1:.2f} s)")
    print(f"  full flight, warm: best {min(warm):.2f} s, median {sorted(warm)[len(warm) // 2]:.2f} s "
          f"(target <= 0.5 s)")
    if args.all_scenes:
        for path in sorted(SCENES.glob("*.toml")):
            sc = scenario.load(path)
            physics.fly(sc)
            times = []
            for _ in range(args.repeat):
                a = time.perf_counter()
                physics.fly(sc)
                times.append(time.perf_counter() - a)
            print(f"  {path.stem}: warm median {sorted(times)[len(times) // 2]:.2f} s")
    if args.runs:
        a = time.perf_counter()
        res = montecarlo.run(scn, args.runs, seed=1)
        b = time.perf_counter()
        print(f"  Monte Carlo {args.runs} runs (vectorised): {b - a:.1f} s (target <= 30 s); "
              f"success rate {100 * res.success_rate:.1f} %")


if __name__ == "__main__":
    main()
