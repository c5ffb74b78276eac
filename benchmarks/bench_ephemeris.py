#!/usr/bin/env python3
"""States per second for 100,000 epochs: vectorised lunarviz.ephemeris vs a per-call loop.

Usage::

    python benchmarks/bench_ephemeris.py            # 100,000 epochs
    python benchmarks/bench_ephemeris.py --n 20000  # quicker

Prints one line per case and a Markdown table for the README's performance table.
Both paths go through the same CSPICE routines and must agree to the
last bit; the benchmark checks that before reporting.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from lunarviz import ephemeris as eph
from lunarviz.timebase import utc_to_et


def _best_of(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of epochs (default 100000)")
    parser.add_argument("--repeats", type=int, default=3, help="best of R runs (vectorised)")
    args = parser.parse_args(argv)

    eph.ensure_kernels()
    et0 = utc_to_et("2025-06-05T18:15:00")
    ets = et0 + np.linspace(0.0, 3600.0 * 24 * 30, args.n)
    cases = [("EARTH", "J2000"), ("EARTH", "MOON_ME"), ("SUN", "MOON_ME")]
    rows = []
    for target, frame in cases:
        vec_t = _best_of(lambda target=target, frame=frame: eph.state(target, ets, frame, "MOON"), args.repeats)
        pos_v, vel_v = eph.state(target, ets, frame, "MOON")

        def naive(target=target, frame=frame):
            out = np.empty((ets.size, 6))
            for i, t in enumerate(ets):
                p, v = eph.state(target, float(t), frame, "MOON")
                out[i, :3], out[i, 3:] = p, v
            return out

        t0 = time.perf_counter()
        loop = naive()
        loop_t = time.perf_counter() - t0
        assert np.array_equal(loop[:, :3], pos_v) and np.array_equal(loop[:, 3:], vel_v)
        rows.append((f"{target} from MOON in {frame}", args.n / vec_t, args.n / loop_t))
        print(f"{rows[-1][0]:<28} vectorised {rows[-1][1]:>12,.0f} states/s   "
              f"per-call loop {rows[-1][2]:>10,.0f} states/s   x{rows[-1][1] / rows[-1][2]:.1f}")

    rot_t = _best_of(lambda: eph.rotation("MOON_ME", "J2000", ets), args.repeats)
    print(f"{'rotation MOON_ME->J2000':<28} vectorised {args.n / rot_t:>12,.0f} matrices/s")

    cpu = platform.processor() or platform.machine()
    print()
    print(f"machine: {platform.machine()} {cpu}, {os.cpu_count()} CPU(s), Python "
          f"{platform.python_version()}, N = {args.n:,} epochs")
    print()
    print("| case | vectorised (states/s) | per-call loop (states/s) | speed-up |")
    print("|---|---:|---:|---:|")
    for name, v, lp in rows:
        print(f"| {name} | {v:,.0f} | {lp:,.0f} | x{v / lp:.1f} |")
    print(f"| rotation MOON_ME->J2000 | {args.n / rot_t:,.0f} | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
