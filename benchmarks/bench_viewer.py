"""Viewer benchmark: a real window under Xvfb, drawn frames/s and input latency per camera.

In one run, on the Resilience scene 100 s before the impact (the lander near
the surface), for each camera preset:

1. **off-screen frame time** of the same view at the size of the viewer's 3D
   pane (``scene.update`` + render + read-back, no Qt), median ms;
2. **drawn frames/s** in the viewer window (1500x920, plots visible), playing
   at 1x: counted from the VTK render window's ``EndEvent`` (frames that
   reached the screen, not timer ticks);
3. ``chase@0.75``: chase again with ``--play-scale 0.75``, drawing 0.75 x 0.75 of the pane's
   pixels while playing (``SceneView.play_scale``; a paused frame is always full size);
   ``chase T-25s``: chase again from 25 s before the impact (``--late-s``: the lander ~1.2 km
   up and falling to ~0.5 km while counted, terrain filling the frame under the plume);
4. **input-to-screen latency**: from a key press sent to the window (Space:
   play/pause; the camera's number key) to the end of the first render that
   started after it, median ms.

It also prints the load average before and after (the machine may be shared).

Usage (the script starts Xvfb itself when there is no display)::

    python benchmarks/bench_viewer.py [--seconds 6] [--presses 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time


def loadavg() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


class RenderClock:
    """Start/end times (perf_counter) of every render of a VTK render window."""

    def __init__(self, render_window) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        render_window.AddObserver("StartEvent", lambda *_: self.starts.append(time.perf_counter()))
        render_window.AddObserver("EndEvent", lambda *_: self.ends.append(time.perf_counter()))

    def first_end_after(self, t0: float) -> float | None:
        for s, e in zip(self.starts, self.ends, strict=False):
            if s >= t0:
                return e
        return None


def offscreen_ms(traj, et0: float, camera: str, size: tuple[int, int], n: int) -> float:
    from lunarviz.render import scene
    from lunarviz.render.offscreen import grab, make_plotter

    p = make_plotter(size)
    h = scene.build(p, traj, quality="high")
    scene.update(h, et0, camera)
    grab(p)
    out = []
    for k in range(n):
        t0 = time.perf_counter()
        scene.update(h, et0 + k / 30.0, camera)
        grab(p)
        out.append((time.perf_counter() - t0) * 1e3)
    scene.dispose(h)
    p.close()
    return statistics.median(out)


def pump(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()


def press(app, win, clock: RenderClock, key) -> float:
    """Send ``key`` to the window; ms until the first render started after it has ended."""
    from PySide6 import QtCore
    from PySide6.QtTest import QTest

    t0 = time.perf_counter()
    QTest.keyClick(win, key, QtCore.Qt.KeyboardModifier.NoModifier)
    while True:
        app.processEvents()
        end = clock.first_end_after(t0)
        if end is not None:
            return (end - t0) * 1e3
        if time.perf_counter() - t0 > 10.0:
            return float("nan")


def window_figures(app, win, clock, camera: str, key, seconds: float, presses: int) -> tuple[float, float]:
    from PySide6 import QtCore

    win.set_camera(camera)
    win.play()
    pump(app, 1.0)  # settle (first frame of a camera may bake or upload)
    n0, t0 = len(clock.ends), time.perf_counter()
    pump(app, seconds)
    fps = (len(clock.ends) - n0) / (time.perf_counter() - t0)
    lat = []
    for _ in range(presses):
        lat.append(press(app, win, clock, QtCore.Qt.Key.Key_Space))   # pause
        pump(app, 0.3)
        lat.append(press(app, win, clock, QtCore.Qt.Key.Key_Space))   # play
        pump(app, 0.3)
        lat.append(press(app, win, clock, key))                      # the camera (again)
        pump(app, 0.3)
    win.pause()
    return fps, statistics.median(lat)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0, help="seconds of playback counted per camera")
    ap.add_argument("--presses", type=int, default=4, help="key presses of each kind per camera")
    ap.add_argument("--offscreen-frames", type=int, default=20)
    ap.add_argument("--play-scales", default="0.75",
                    help="then measure chase again drawing this share of the pane's width and height while "
                         "playing (comma list; --play-scale); every camera is first measured at full size")
    ap.add_argument("--late-s", type=float, default=25.0,
                    help="then measure chase again from this many seconds before the impact (0: not)")
    args = ap.parse_args(argv)
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, *sys.argv]
        return subprocess.call(cmd)

    from PySide6 import QtCore

    from lunarviz import physics, scenario
    from lunarviz.app.main import close_window, qt_application
    from lunarviz.app.playback import CAMERAS
    from lunarviz.app.scenes import resolve_scene
    from lunarviz.app.window import MainWindow

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average before: {loadavg()}")
    sc = scenario.load(resolve_scene("resilience.toml"))
    traj = physics.fly(sc, seed=0)
    et0 = traj.event("touchdown").et_s - 100.0

    app = qt_application()
    win = MainWindow(speed=1.0, play_scale=1.0)
    win.show()
    pump(app, 0.5)
    win.set_trajectory(traj, sc)
    win.telemetry.set_range_mode("last10")
    clock = RenderClock(win.view.plotter.render_window)
    size = tuple(int(v) for v in win.view.plotter.window_size)
    print(f"window {win.width()}x{win.height()}, 3D pane {size[0]}x{size[1]}, plots visible: "
          f"{win.telemetry.isVisible()}, antialias {win.view.antialias!r}")
    rows = []
    for i, camera in enumerate(CAMERAS):
        win.seek(et0)
        fps, lat = window_figures(app, win, clock, camera, getattr(QtCore.Qt.Key, f"Key_{i + 1}"),
                                  args.seconds, args.presses)
        rows.append([camera, camera, et0, fps, lat])
    for scale in (float(v) for v in args.play_scales.split(",") if v.strip()):
        win.view.play_scale = scale
        win.seek(et0)
        fps, lat = window_figures(app, win, clock, "chase", QtCore.Qt.Key.Key_1, args.seconds, args.presses)
        rows.append([f"chase@{scale:g}", "chase", et0, fps, lat])
    win.view.play_scale = 1.0
    if args.late_s > 0:
        et_late = traj.event("touchdown").et_s - args.late_s
        win.seek(et_late)
        fps, lat = window_figures(app, win, clock, "chase", QtCore.Qt.Key.Key_1, args.seconds, args.presses)
        rows.append([f"chase T-{args.late_s:g}s", "chase", et_late, fps, lat])
    close_window(win)
    for row in rows:
        row.append(offscreen_ms(traj, row[2], row[1], size, args.offscreen_frames))
    print(f"{'camera':<12} {'viewer frames/s':>16} {'latency ms':>11} {'off-screen ms':>14} {'off-screen fps':>15}")
    for label, _camera, _et, fps, lat, off in rows:
        print(f"{label:<12} {fps:>16.1f} {lat:>11.0f} {off:>14.1f} {1000.0 / off:>15.1f}")
    print(f"load average after: {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
