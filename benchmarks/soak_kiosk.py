"""Kiosk soak: the attract-mode tour running for a while, resident memory sampled as it loops.

The tour's stops are shortened by ``--stop-scale`` so that a short soak goes
through many scene switches (each one rebuilds the 3D scene, the place a leak
would show). Prints RSS samples, the growth over the second half of the run
(after the first loop has filled the caches), and that rate extrapolated to
2 hours and to 3 days -- say "extrapolated" when quoting it.

Usage (the script starts Xvfb itself when there is no display)::

    python benchmarks/soak_kiosk.py [--minutes 10] [--stop-scale 0.25] [SCENE ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import time

import numpy as np


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenes", nargs="*", default=["resilience", "apollo11", "chandrayaan-3"])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--stop-scale", type=float, default=0.25, help="stop durations x this")
    ap.add_argument("--sample-s", type=float, default=10.0)
    args = ap.parse_args(argv)
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, *sys.argv])

    from lunarviz.app import tour
    from lunarviz.app.kiosk import Kiosk
    from lunarviz.app.main import close_window, qt_application
    from lunarviz.app.scenes import resolve_scene
    from lunarviz.app.window import MainWindow

    real_stops = tour.stops_for
    tour.stops_for = lambda sc, traj: [dataclasses.replace(s, seconds=s.seconds * args.stop_scale)
                                       for s in real_stops(sc, traj)]
    import lunarviz.app.kiosk as kiosk_mod

    kiosk_mod.stops_for = tour.stops_for
    app = qt_application()
    win = MainWindow(speed=10.0)
    kiosk = Kiosk(win, [resolve_scene(s) for s in args.scenes])
    shown = [0]
    kiosk.stop_shown.connect(lambda *_: shown.__setitem__(0, shown[0] + 1))
    win.show()
    kiosk.start()
    t0 = time.perf_counter()
    samples = []
    next_s = 0.0
    print(f"load average before: {os.getloadavg()}")
    while (el := time.perf_counter() - t0) < 60.0 * args.minutes:
        app.processEvents()
        if el >= next_s:
            samples.append((el, rss_mb(), shown[0]))
            print(f"t={el:7.1f} s  rss={samples[-1][1]:8.1f} MB  stops shown={shown[0]}", flush=True)
            next_s += args.sample_s
    close_window(win)
    t = np.array([s[0] for s in samples])
    m = np.array([s[1] for s in samples])
    half = t >= t[-1] / 2
    slope = float(np.polyfit(t[half], m[half], 1)[0]) * 3600.0 if half.sum() >= 3 else float("nan")
    print(f"stops shown: {shown[0]} ({shown[0] / max(len(args.scenes), 1):.1f} per scene) in {t[-1] / 60:.1f} min")
    print(f"rss first {m[0]:.0f} MB, at half time {m[half][0]:.0f} MB, last {m[-1]:.0f} MB, max {m.max():.0f} MB")
    print(f"growth over the second half: {slope:+.1f} MB/h -> extrapolated {slope * 2:+.0f} MB in 2 h, "
          f"{slope * 72:+.0f} MB in 3 days")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
