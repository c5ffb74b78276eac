"""Benchmark the terrain height lookup physics makes: 100,000 points around a site in one call.

Usage::

    python benchmarks/bench_terrain.py [--points 100000] [--repeat 3]

Prints the median wall-clock time of one batch call (the test suite checks the
values, never the time).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100_000, help="points per call (default 100000)")
    ap.add_argument("--repeat", type=int, default=3, help="timed calls (default 3)")
    args = ap.parse_args()

    from lunarviz.terrain import TerrainConfig, make_terrain

    terrain = make_terrain(TerrainConfig(seed=11, site_lat_deg=60.5, site_lon_deg=-4.6))
    rng = np.random.default_rng(2)
    lat = 60.5 + rng.uniform(-0.3, 0.3, args.points)
    lon = -4.6 + rng.uniform(-0.6, 0.6, args.points)
    terrain.height_m(lat[:10], lon[:10])  # build the crater tables outside the timing
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        terrain.height_m(lat, lon)
        times.append(time.perf_counter() - t0)
    print(f"terrain.height_m, {args.points:,} points in one call: median {statistics.median(times):.3f} s "
          f"of {args.repeat} ({platform.processor() or platform.machine()})")


if __name__ == "__main__":
    main()
