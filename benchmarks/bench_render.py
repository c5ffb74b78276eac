"""Rendering benchmark on the Resilience scene (figures for the README).

Measures, in one run:

1. frame time at 1280x720 (update + render + read-back) for ``chase`` near
   the surface and for ``orbit``;
2. video throughput at 1920x1080 through :func:`lunarviz.render.video.render_video`
   (H.264, encoding in a writer thread, progress bar off), frames/s;
3. a naive baseline of the same chase view: a full-resolution globe (a 2M-
   triangle UV sphere with the 4k texture, pyvista defaults incl. 8x MSAA)
   and the lander, written with pyvista's plain ``open_movie``/``write_frame`` loop.

With ``--farm`` (issue #12), also:

4. the distribution layer's own efficiency: one worker pinned to one core
   (``LP_NUM_THREADS=1``, CPU affinity) against two workers pinned to one core
   each, through ``--workers`` and through ``--dask local:2``; efficiency =
   frames/s of 2 / (2 x frames/s of 1), wall time including the scene builds,
   process starts and the join (``--farm-frames`` frames at 1280x720, H.264), in
   ``--farm-rounds`` interleaved rounds (medians), beside the machine's contention ceiling: two
   independent pinned frame loops (no farm) against one alone. The rounds find the terrain's
   lighting bakes in the render cache (as every render of a scene after its first does); one
   pair before them empties the bake cache before each run (a scene's first render);
5. plain ``--workers 2`` (no pinning) against the default single process, as it is;
6. 4K (3840x2160) and dome (fisheye 2048x2048) frames/s, each beside the naive
   baseline at the same size.

Usage::

    python benchmarks/bench_render.py [--frames 60] [--naive-frames 10] [--farm] [--farm-frames 900] [--farm-rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def machine() -> str:
    gl = os.environ.get("VTK_DEFAULT_OPENGL_WINDOW", "?")
    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, VTK window {gl}"


def frame_times_ms(plotter, handles, traj, et0, camera, n, fps=30.0):
    from lunarviz.render import scene
    from lunarviz.render.offscreen import grab

    scene.update(handles, et0, camera)
    grab(plotter)  # warm-up (textures uploaded, shadows baked)
    out = []
    for k in range(n):
        t0 = time.perf_counter()
        scene.update(handles, et0 + k / fps, camera)
        grab(plotter)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def naive_baseline(traj, et0, n, size, out_path):
    """Same chase view, no level of detail, no floating origin tricks, plain open_movie loop."""
    import pyvista as pv

    from lunarviz.geometry import MOON_RADIUS_M
    from lunarviz.render import camera as cam
    from lunarviz.render import resources
    from lunarviz.render.scene import camera_context
    from lunarviz.trajectory import quat_to_matrix

    p = pv.Plotter(off_screen=True, window_size=list(size))
    globe = pv.Sphere(radius=MOON_RADIUS_M, theta_resolution=1400, phi_resolution=720, start_theta=-180,
                      end_theta=180)
    globe.texture_map_to_sphere(inplace=True, prevent_seam=True)
    tex = pv.Texture(resources.texture("moon_color", 4096))
    p.add_mesh(globe, texture=tex)
    lm = resources.lander()
    f = np.hstack([np.full((len(lm.faces), 1), 3), lm.faces]).ravel()
    lander = pv.PolyData(lm.vertices.copy(), f)
    actor = p.add_mesh(lander, color="gold")
    p.open_movie(str(out_path), framerate=30)

    class _H:  # just enough for camera_context
        pass

    h = _H()
    h.traj, h.plotter, h.target_m, h.height_fn = traj, p, traj.pos_m[-1], None
    t0 = time.perf_counter()
    for k in range(n):
        et = et0 + k / 30.0
        ctx = camera_context(h, et)
        spec = cam.chase(ctx)
        st = ctx.state
        m = np.eye(4)
        m[:3, :3] = quat_to_matrix(st.quat_wxyz)
        m[:3, 3] = st.pos_m
        actor.user_matrix = m
        p.camera.position = tuple(spec.position_m)
        p.camera.focal_point = tuple(spec.focal_m)
        p.camera.up = tuple(spec.up)
        p.camera.view_angle = spec.view_angle_deg
        p.renderer.ResetCameraClippingRange()
        p.write_frame()
    dt = time.perf_counter() - t0
    p.close()
    return n / dt, globe.n_cells


def _ceiling_worker(scene_name, core, et0, n, aa, barrier, out) -> None:
    """One pinned process rendering frames ``et0 + k/30`` (k < n) with no farm at all: the
    frame loop's time, started together with its twin (``barrier``)."""
    os.environ["LP_NUM_THREADS"] = "1"
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[core]})
    from lunarviz.commands.flights import load_flight
    from lunarviz.render.frames import FrameSettings, FrameSource
    from lunarviz.render.offscreen import check_headless

    check_headless()
    src = FrameSource(load_flight(scene_name), FrameSettings(size=(1280, 720), camera="chase", quality="high",
                                                             antialias=aa))
    src.frame(et0)  # warm: shaders, textures, the shadow bake
    barrier.wait()
    t0 = time.perf_counter()
    for k in range(1, n + 1):
        src.frame(et0 + k / 30.0)
    out.put((core, time.perf_counter() - t0))
    src.close()


def contention_ceiling(scene_name, et0, n, aa) -> float:
    """What two pinned processes can give at most here: the frame rates of two independent frame
    loops (cores 0 and 1, started together) over twice that of one alone on core 0. Shared caches,
    memory bandwidth and a host's other tenants cost this much before any distribution layer."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")

    def loops(cores):
        barrier, out = ctx.Barrier(len(cores)), ctx.Queue()
        procs = [ctx.Process(target=_ceiling_worker, args=(scene_name, c, et0, n, aa, barrier, out)) for c in cores]
        for pr in procs:
            pr.start()
        res = dict(out.get() for _ in procs)
        for pr in procs:
            pr.join()
        return res

    alone = loops([0])[0]
    pair = loops([0, 1])
    return sum(1 / s for s in pair.values()) / (2 / alone)


def farm_figures(traj, scene_name, et0, n, aa, rounds) -> None:
    """Items 4 and 5 of the module docstring: render_farm's wall-clock frames/s, pinned and not.

    The pinned measurements and the contention ceiling run in ``rounds`` interleaved rounds (a
    shared machine drifts); the figures are the medians."""
    from lunarviz.render.farm import render_farm
    from lunarviz.render.frames import FrameSettings
    from lunarviz.render.video import Finish, frame_times, render_video

    times = frame_times(et0, et0 + n / 30.0, 30.0)
    settings = FrameSettings(size=(1280, 720), camera="chase", quality="high", antialias=aa)
    fps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        def run(label, **kw):
            t0 = time.perf_counter()
            render_farm(traj, Path(tmp) / f"{label.replace(' ', '_')}.mp4", settings=settings, times=times,
                        fps=30.0, speed=1.0, codec="h264", finish=Finish(), progress=False, **kw)
            fps.setdefault(label, []).append(len(times) / (time.perf_counter() - t0))

        pinned = (("1 worker pinned", dict(workers=1)), ("2 workers pinned", dict(workers=2)),
                  ("dask local:2 pinned", dict(dask="local:2")))
        cold = {}
        for label, kw in pinned[:2]:
            _empty_bake_cache()
            run(label + " (cold)", pin_cores=True, **kw)
            cold[label] = fps[label + " (cold)"][-1]
        print(f"bake cache emptied before each run (a scene's first render): 1 worker pinned "
              f"{cold['1 worker pinned']:.2f} frames/s, 2 workers pinned {cold['2 workers pinned']:.2f}; "
              f"efficiency --workers 2 {cold['2 workers pinned'] / (2 * cold['1 worker pinned']):.2f}", flush=True)
        ceilings, effs = [], {label: [] for label, _ in pinned[1:]}
        for r in range(rounds):
            ceilings.append(contention_ceiling(scene_name, et0, n // 2, aa))
            for label, kw in pinned:
                run(label, pin_cores=True, **kw)
            for label in effs:  # paired: 2 workers against the 1 worker of the same round
                effs[label].append(fps[label][-1] / (2 * fps["1 worker pinned"][-1]))
            print(f"round {r + 1}: ceiling {ceilings[-1]:.2f}, efficiency --workers 2 "
                  f"{effs['2 workers pinned'][-1]:.2f}, dask local:2 {effs['dask local:2 pinned'][-1]:.2f}",
                  flush=True)
        for label, _ in pinned:
            print(f"farm {label} 1280x720 ({len(times)} frames, wall incl. builds and join; median of {rounds}): "
                  f"{statistics.median(fps[label]):.2f} frames/s")
        ceiling = statistics.median(ceilings)
        print(f"contention ceiling (two independent pinned frame loops, no farm; median of {rounds}): {ceiling:.2f}")
        for label, v in effs.items():
            eff = statistics.median(v)
            print(f"distribution efficiency, {label} (median of {rounds} paired rounds): {eff:.2f} (goal >= 0.85); "
                  f"{eff / ceiling:.2f} of the ceiling")
        t0 = time.perf_counter()
        render_video(traj, Path(tmp) / "single.mp4", size=settings.size, fps=30, start_et_s=et0,
                     end_et_s=et0 + n / 30.0, camera="chase", progress=False, antialias=aa)
        single = len(times) / (time.perf_counter() - t0)
        print(f"single process (default threads) 1280x720: {single:.2f} frames/s (wall incl. build)")
        run("2 workers", workers=2)
        print(f"farm 2 workers 1280x720 ({len(times)} frames, wall incl. builds and join): "
              f"{fps['2 workers'][-1]:.2f} frames/s")
        print(f"plain --workers 2 vs single process: {fps['2 workers'][-1] / single:.2f}x")


def _empty_bake_cache() -> None:
    from lunarviz.render import resources

    for f in resources.cache_dir().glob("bake-*.npz"):
        f.unlink()


def big_frames(traj, et0, n, naive_n, aa) -> None:
    """Item 6: 4K and dome 2048x2048 frames/s in the frame loop, each beside the naive baseline."""
    from lunarviz.render.panorama import Projection
    from lunarviz.render.video import render_video

    with tempfile.TemporaryDirectory() as tmp:
        for label, size, proj, cam_name in (("4K 3840x2160", (3840, 2160), None, "chase"),
                                            ("dome fisheye 2048x2048", (2048, 2048), Projection("fisheye"),
                                             "chase")):
            stats = render_video(traj, Path(tmp) / "big.mp4", size=size, fps=30, start_et_s=et0,
                                 end_et_s=et0 + n / 30.0, camera=cam_name, progress=False, antialias=aa,
                                 projection=proj)
            nfps, _ = naive_baseline(traj, et0, naive_n, size, Path(tmp) / "naive.mp4")
            loop = stats.frames / stats.loop_s
            print(f"{label} h264 ({stats.frames} frames): {loop:.2f} frames/s in the frame loop, "
                  f"{stats.fps:.2f} incl. build; naive baseline (flat, same size) {nfps:.2f} frames/s: "
                  f"{loop / nfps:.1f}x")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=60, help="frames per measurement")
    ap.add_argument("--naive-frames", type=int, default=10, help="frames for the naive baseline")
    ap.add_argument("--scene", default="resilience")
    ap.add_argument("--antialias", default=None, choices=("none", "msaa"), help="override the default")
    ap.add_argument("--farm", action="store_true", help="also the render-farm, 4K and dome figures")
    ap.add_argument("--farm-frames", type=int, default=900, help="frames per render-farm measurement")
    ap.add_argument("--only-farm", action="store_true", help="only the --farm figures")
    ap.add_argument("--farm-rounds", type=int, default=3, help="interleaved rounds of the pinned farm figures")
    args = ap.parse_args(argv)

    from lunarviz.commands.flights import load_flight
    from lunarviz.render.offscreen import check_headless, make_plotter

    check_headless()
    from lunarviz.render import scene
    from lunarviz.render.timespec import parse_time_spec
    from lunarviz.render.video import render_video

    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    traj = load_flight(args.scene)
    print(f"fly {args.scene}: {time.perf_counter() - t0:.1f} s")
    aa = None if args.antialias in (None, "none") else args.antialias
    et_chase = parse_time_spec("touchdown-40s", traj)
    et_orbit = parse_time_spec("powered_descent", traj)
    if args.farm or args.only_farm:
        farm_figures(traj, args.scene, et_chase, args.farm_frames, aa, args.farm_rounds)
        big_frames(traj, et_chase, 30, max(3, args.naive_frames // 2), aa)
        if args.only_farm:
            return 0

    p = make_plotter((1280, 720), antialias=aa)
    t0 = time.perf_counter()
    h = scene.build(p, traj, quality="high")
    print(f"build (high): {time.perf_counter() - t0:.2f} s")
    res = {}
    for name, et, camname in (("chase 1280x720 (near surface)", et_chase, "chase"),
                              ("orbit 1280x720", et_orbit, "orbit")):
        ms = frame_times_ms(p, h, traj, et, camname, args.frames)
        res[name] = ms
        print(f"{name}: median {statistics.median(ms):.1f} ms/frame "
              f"({1000 / statistics.median(ms):.1f} frames/s), p90 {np.percentile(ms, 90):.1f} ms")
    p.close()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mp4"
        stats = render_video(traj, out, size=(1920, 1080), fps=30, start_et_s=et_chase,
                             end_et_s=et_chase + args.frames / 30.0, camera="chase", codec="h264",
                             progress=False, antialias=aa)
        # throughput without the one-off build (scene build is reported above)
        print(f"video 1920x1080 h264 (chase, {stats.frames} frames): {stats.fps:.2f} frames/s overall incl. "
              f"build; {stats.frames / stats.loop_s:.2f} frames/s in the frame loop "
              f"(render+read-back {1000 * stats.render_s / stats.frames:.0f} ms/frame, "
              f"encode thread busy {1000 * stats.encode_s / stats.frames:.0f} ms/frame)")
        nout = Path(tmp) / "naive.mp4"
        nfps, ncells = naive_baseline(traj, et_chase, args.naive_frames, (1920, 1080), nout)
        print(f"naive baseline 1920x1080 ({ncells} triangles, 4k texture, pyvista defaults, open_movie/"
              f"write_frame): {nfps:.2f} frames/s")
        print(f"speed-up over naive: {stats.frames / stats.loop_s / nfps:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
