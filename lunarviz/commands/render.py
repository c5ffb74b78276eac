"""``lunarviz render``: a scenario to video (H.264 / ProRes) or a PNG sequence, off-screen."""

from __future__ import annotations

from ..errors import RenderError
from . import add_scene_argument


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "render",
        help="render a scenario to a video or PNG sequence (off-screen, no display needed)",
        description="Render SCENE to video. Times T are ISO UTC times, event names (touchdown, pdi, "
                    "earthrise, deorbit, ...) or offsets such as touchdown-120s. Frame k shows simulation "
                    "time start + k*speed/fps exactly. Defaults come from the scenario's [render] table, "
                    "else the values shown.",
    )
    add_scene_argument(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output .mp4/.mov (h264), .mov (prores), or a new folder (png)")
    p.add_argument("--size", default=None, metavar="WxH", help="frame size in pixels [1920x1080]")
    p.add_argument("--fps", type=float, default=None, help="frames per second of video [30]")
    p.add_argument("--start", default=None, metavar="T", help="first frame's time [powered_descent-60s]")
    p.add_argument("--end", default=None, metavar="T", help="end time, exclusive [touchdown+15s]")
    p.add_argument("--speed", type=float, default=None, help="simulated seconds per video second [1]")
    p.add_argument("--camera", default=None,
                   help="chase, orbit, site, earthrise, down, or scenario (the scene's keyframes) "
                        "[scenario if it has keyframes, else chase]")
    p.add_argument("--codec", choices=("h264", "prores", "png"), default=None, help="output format [h264]")
    p.add_argument("--quality", choices=("high", "draft"), default="high", help="mesh/texture detail [high]")
    p.add_argument("--antialias", choices=("none", "msaa"), default="none",
                   help="msaa: 4x multisampling, smoother edges at ~2x the render time on software GL [none]")
    p.add_argument("--no-hud", action="store_true", help="leave out the telemetry overlay")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..render.offscreen import check_headless, parse_size
    from ..scenario import resolve

    scene = resolve(args.scene)  # a misspelt scene name fails first, with the shipped names
    if args.size is not None:
        parse_size(args.size)  # fail fast on a typo, before flying the scenario
    check_headless()

    from ..render.camera import check_camera
    from .flights import load_flight

    if args.camera is not None:
        check_camera(args.camera, "--camera")
    traj = load_flight(scene)
    stats, size, fps = render_flight(traj, args)
    print(f"wrote {args.output}: {stats.frames} frames {size[0]}x{size[1]} at {fps:g} fps "
          f"({stats.fps:.1f} frames/s)")
    return 0


def render_flight(traj, args):
    """Render the flown ``traj`` with the options in ``args`` (this parser's); for the CLI and
    :func:`lunarviz.render`. Returns (stats, size, fps)."""
    from ..render.offscreen import parse_size
    from ..render.timespec import parse_time_spec
    from ..render.video import check_output, render_video
    from ..scenario import RenderSettings

    # the [render] table, validated at load: command-line options win
    d = traj.scenario.render if traj.scenario is not None else RenderSettings()
    size = parse_size(args.size) if args.size else (d.size or (1920, 1080))
    codec = args.codec or d.codec or "h264"
    check_output(args.output, codec, size)
    fps = args.fps if args.fps is not None else (d.fps or 30.0)
    speed = args.speed if args.speed is not None else (d.speed or 1.0)
    camera = args.camera or d.camera or "scenario"

    def when(spec, fallback_specs, what):
        if spec is not None:
            return parse_time_spec(spec, traj)
        for fb in fallback_specs:
            try:
                return parse_time_spec(fb, traj, clamp=True)
            except RenderError:
                raise
            except Exception:  # noqa: BLE001 - event missing in this flight: try the next default
                continue
        raise RenderError(f"no {what} time: give --{what}")

    start = when(args.start or d.start, ["powered_descent-60s", "start"], "start")
    end = when(args.end or d.end, ["touchdown+15s", "end"], "end")
    # a polite kill (SIGTERM, e.g. `timeout` or a job scheduler) cleans up like Ctrl-C: the temporary
    # output is removed instead of being left behind
    import signal

    def _on_term(signum, frame):
        raise KeyboardInterrupt

    try:
        old_term = signal.signal(signal.SIGTERM, _on_term)
    except (ValueError, OSError):  # not the main thread
        old_term = None
    try:
        stats = render_video(traj, args.output, size=size, fps=fps, start_et_s=start, end_et_s=end, speed=speed,
                             camera=camera, codec=codec, quality=args.quality, hud=not args.no_hud,
                             progress=not args.no_progress,
                             antialias=None if args.antialias == "none" else args.antialias)
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
    return stats, size, fps
