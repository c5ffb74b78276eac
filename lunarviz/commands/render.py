"""``lunarviz render``: a scenario to video (H.264 / ProRes) or a PNG sequence, off-screen."""

from __future__ import annotations

from ..errors import RenderError
from ..i18n import _
from . import add_scene_argument


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "render",
        help=_("render a scenario to a video or PNG sequence (off-screen, no display needed)"),
        description=_("Render SCENE to video. Times T are ISO UTC times, event names (touchdown, pdi, "
                    "earthrise, deorbit, ...) or offsets such as touchdown-120s. Frame k shows simulation "
                    "time start + k*speed/fps exactly. Defaults come from the scenario's [render] table, "
                    "else the values shown."),
    )
    add_scene_argument(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help=_("output .mp4/.mov (h264), .mov (prores), or a new folder (png)"))
    p.add_argument("--size", default=None, metavar="WxH", help=_("frame size in pixels [1920x1080]"))
    p.add_argument("--fps", type=float, default=None, help=_("frames per second of video [30]"))
    p.add_argument("--start", default=None, metavar="T", help=_("first frame's time [powered_descent-60s]"))
    p.add_argument("--end", default=None, metavar="T", help=_("end time, exclusive [touchdown+15s]"))
    p.add_argument("--speed", type=float, default=None, help=_("simulated seconds per video second [1]"))
    p.add_argument("--camera", default=None,
                   help=_("chase, orbit, site, earthrise, down, or scenario (the scene's keyframes) "
                        "[scenario if it has keyframes, else chase]"))
    p.add_argument("--codec", choices=("h264", "prores", "png"), default=None, help=_("output format [h264]"))
    p.add_argument("--quality", choices=("high", "draft"), default="high", help=_("mesh/texture detail [high]"))
    p.add_argument("--antialias", choices=("none", "msaa"), default="none",
                   help=_("msaa: 4x multisampling, smoother edges at ~2x the render time on software GL [none]"))
    p.add_argument("--no-hud", action="store_true", help=_("leave out the telemetry overlay"))
    p.add_argument("--no-progress", action="store_true", help=_("no progress bar"))
    add_projection_arguments(p)
    p.add_argument("--layers", nargs="?", const="beauty,hud", default=None, metavar="LIST",
                   help=_("compositing layers, comma-separated from beauty, hud, nosky [beauty,hud when given "
                        "bare]: the beauty pass without HUD, the HUD alone with alpha (NAME_hud.mov, ProRes "
                        "4444, or NAME_hud/ RGBA PNGs) and the scene without sky with alpha (NAME_nosky)"))
    p.add_argument("--timecode", choices=("utc", "none"), default="none",
                   help=_("utc: a SMPTE time-of-day timecode track from the first frame's UTC [none]"))
    p.add_argument("--no-subtitles", action="store_true",
                   help=_("no captions: by default NAME.srt and NAME.vtt are written beside the video and "
                        "embedded as a mov_text stream in MP4/MOV"))
    g = p.add_argument_group("parallel and distributed rendering (docs/distributed.md)")
    g.add_argument("--workers", type=int, default=None, metavar="N",
                   help=_("render segments in N local processes and join them (identical to one process)"))
    g.add_argument("--dask", default=None, metavar="ADDR",
                   help=_("render segments on a Dask cluster: tcp://HOST:PORT of a running scheduler, "
                        "or local:N to start a LocalCluster of N workers"))
    g.add_argument("--resume", action="store_true",
                   help=_("keep the segments an interrupted --workers/--dask render of the same job finished "
                        "and render only the missing ones"))
    g.add_argument("--pin-cores", action="store_true",
                   help=_("pin worker i to CPU core i with one llvmpipe thread each (benchmarks)"))
    p.set_defaults(func=run)


def add_projection_arguments(p) -> None:
    """--projection / --fov-deg / --tilt-deg, shared by ``render`` and ``still``."""
    p.add_argument("--projection", choices=("flat", "fisheye", "equirect"), default="flat",
                   help=_("flat (a normal camera), fisheye (planetarium dome master, square) or equirect "
                        "(360 video, 2:1) [flat]"))
    p.add_argument("--fov-deg", type=float, default=None,
                   help=_("fisheye field of view, up to 220 degrees [180]"))
    p.add_argument("--tilt-deg", type=float, default=None,
                   help=_("fisheye: the dome axis this many degrees above the view direction, for tilted "
                        "domes (the view direction moves towards the front, the bottom of the frame) [0]"))


def parse_layers(text: str | None) -> tuple[str, ...]:
    from ..render.frames import LAYERS

    if text is None:
        return ("beauty",)
    names = tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    bad = [x for x in names if x not in LAYERS]
    if bad or not names:
        raise RenderError(f"--layers {text!r}: expected a comma-separated list of {', '.join(LAYERS)}")
    return names if "beauty" in names else ("beauty", *names)


def run(args) -> int:
    from ..render.offscreen import check_headless, parse_size
    from ..scenario import resolve

    scene = resolve(args.scene)  # a misspelt scene name fails first, with the shipped names
    if args.size is not None:
        parse_size(args.size)  # fail fast on a typo, before flying the scenario
    _check_layers_and_workers(args)
    check_headless()

    from ..render.camera import check_camera
    from ..scenario import load
    from .flights import load_flight

    if args.camera is not None:
        check_camera(args.camera, "--camera")
    # everything the command line and the [render] table decide is checked before the flight
    _options(args, load(scene).render)
    traj = load_flight(scene)
    stats, size, fps = render_flight(traj, args)
    print(_("wrote {out}: {frames} frames {w}x{h} at {fps:g} fps ({rate:.1f} frames/s)").format(
        out=args.output, frames=stats.frames, w=size[0], h=size[1], fps=fps, rate=stats.fps))
    return 0


def _check_layers_and_workers(args) -> tuple[str, ...]:
    """--layers, --workers and --dask checked; the layers to write."""
    layers = parse_layers(args.layers)
    if args.workers is not None and args.workers < 1:
        raise RenderError(f"--workers {args.workers}: expected 1 or more")
    if args.workers is not None and args.dask is not None:
        raise RenderError("--workers and --dask: give one of them")
    if args.dask is not None:
        from ..render.farm import parse_dask

        parse_dask(args.dask)
    return layers


def _options(args, d):
    """(size, codec, fps, speed, projection) from the command line over the [render] table ``d``, checked."""
    from ..render.offscreen import parse_size
    from ..render.panorama import check_projection
    from ..render.video import check_output, check_rate

    size = parse_size(args.size) if args.size else (d.size or (1920, 1080))
    codec = args.codec or d.codec or "h264"
    fps = args.fps if args.fps is not None else (d.fps or 30.0)
    speed = args.speed if args.speed is not None else (d.speed or 1.0)
    check_rate(fps, speed)
    check_output(args.output, codec, size)
    projection = check_projection(args.projection, size, args.fov_deg, args.tilt_deg)
    return size, codec, fps, speed, projection


def render_flight(traj, args):
    """Render the flown ``traj`` with the options in ``args`` (this parser's); for the CLI and
    :func:`lunarviz.render`. Returns (stats, size, fps)."""
    from ..render.video import render_video
    from ..scenario import RenderSettings

    # the [render] table, validated at load: command-line options win
    d = traj.scenario.render if traj.scenario is not None else RenderSettings()
    layers = _check_layers_and_workers(args)
    size, codec, fps, speed, projection = _options(args, d)
    camera = args.camera or d.camera or "scenario"

    start = _when(traj, args.start or d.start, ["powered_descent-60s", "start"], "start")
    end = _when(traj, args.end or d.end, ["touchdown+15s", "end"], "end")
    # a polite kill (SIGTERM, e.g. `timeout` or a job scheduler) cleans up like Ctrl-C: the temporary
    # output is removed instead of being left behind
    import signal

    def _on_term(signum, frame):
        raise KeyboardInterrupt

    try:
        old_term = signal.signal(signal.SIGTERM, _on_term)
    except (ValueError, OSError):  # not the main thread
        old_term = None
    from ..render.video import Finish

    finish = Finish(subtitles=not args.no_subtitles, timecode=None if args.timecode == "none" else "utc",
                    spherical=projection.kind == "equirect")
    antialias = None if args.antialias == "none" else args.antialias
    try:
        if args.workers is None and args.dask is None and not args.resume:
            stats = render_video(traj, args.output, size=size, fps=fps, start_et_s=start, end_et_s=end,
                                 speed=speed, camera=camera, codec=codec, quality=args.quality,
                                 hud=not args.no_hud, progress=not args.no_progress, antialias=antialias,
                                 projection=projection, layers=layers, finish=finish)
        else:
            stats = _render_farm(args, traj, size, fps, start, end, speed, camera, codec, antialias,
                                 projection, layers, finish)
        if finish.subtitles:
            _write_sidecars(traj, args.output, start, end, fps, speed)
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
    return stats, size, fps


def _when(traj, spec, fallback_specs, what):
    """The time of ``spec``, else of the first default this flight has (e.g. a flight without touchdown)."""
    from ..render.timespec import parse_time_spec

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


def _render_farm(args, traj, size, fps, start, end, speed, camera, codec, antialias, projection, layers, finish):
    from ..render.farm import render_farm
    from ..render.frames import FrameSettings
    from ..render.video import frame_times
    from ..units import system

    settings = FrameSettings(size=size, camera=camera, quality=args.quality, hud=not args.no_hud,
                             antialias=antialias, projection=projection, layers=layers, units=system())
    return render_farm(traj, args.output, settings=settings, times=frame_times(start, end, fps, speed), fps=fps,
                       speed=speed, codec=codec, finish=finish,
                       workers=args.workers or (None if args.dask else 1), dask=args.dask, resume=args.resume,
                       progress=not args.no_progress, pin_cores=args.pin_cores)


def _write_sidecars(traj, out, start, end, fps, speed) -> None:
    from ..render.subtitles import cues, write_sidecars
    from ..render.video import frame_times

    n = len(frame_times(start, end, fps, speed))
    write_sidecars(out, cues(traj, start, n, fps, speed))
