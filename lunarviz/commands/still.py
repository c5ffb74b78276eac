"""``lunarviz still``: one frame of a scenario as a PNG, rendered off-screen."""

from __future__ import annotations

from ..errors import LunarvizError
from . import add_scene_argument

#: the most Monte Carlo runs a still draws
MAX_STILL_DISPERSIONS = 100_000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "still",
        help="render one frame of a scenario to a PNG (off-screen, no display needed)",
        description="Render one frame of SCENE at time T from a camera preset to a PNG. "
                    "T is an ISO UTC time, an event name (touchdown, pdi, earthrise, ...) "
                    "or an offset such as touchdown-120s.",
    )
    add_scene_argument(p)
    p.add_argument("--at", required=True, metavar="T", help="time: ISO UTC, event name, or e.g. touchdown-120s")
    p.add_argument("--camera", default="chase",
                   help="camera: chase, orbit, site, earthrise, down, or 'scenario' (the scene's keyframes) "
                        "[chase]")
    p.add_argument("-o", "--output", required=True, metavar="OUT.png", help="output PNG file")
    p.add_argument("--size", default="1920x1080", metavar="WxH", help="image size in pixels [1920x1080]")
    p.add_argument("--quality", choices=("high", "draft"), default="high", help="mesh/texture detail [high]")
    p.add_argument("--antialias", choices=("none", "msaa"), default="msaa",
                   help="edge smoothing: 4x multisampling or none [msaa]")
    p.add_argument("--no-hud", action="store_true", help="leave out the telemetry overlay")
    from .render import add_projection_arguments

    add_projection_arguments(p)
    p.add_argument("--dispersions", type=int, default=0, metavar="N",
                   help="fly N dispersed Monte Carlo runs and draw their touchdown points and the 1-sigma and "
                        "3-sigma landing ellipses on the terrain (as the viewer's Run Monte Carlo does)")
    p.add_argument("--seed", type=int, default=0, help="with --dispersions: random seed [0]")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..fileio import check_writable
    from ..render.camera import check_camera
    from ..render.offscreen import check_headless, parse_size
    from ..render.still import check_png_path, render_still, write_png
    from ..scenario import resolve
    from .flights import load_flight

    scene = resolve(args.scene)  # a misspelt scene name fails first, with the shipped names
    from ..render.panorama import check_projection

    size = parse_size(args.size)
    projection = check_projection(args.projection, size, args.fov_deg, args.tilt_deg)
    check_png_path(args.output)
    check_writable(args.output)  # a missing or read-only folder fails before the flight
    check_headless()
    check_camera(args.camera, "--camera")
    if not 0 <= args.dispersions <= MAX_STILL_DISPERSIONS:
        raise LunarvizError(f"--dispersions {args.dispersions}: expected 0 to {MAX_STILL_DISPERSIONS} runs")
    traj = load_flight(scene)
    mc = None
    if args.dispersions:
        from ..physics.montecarlo import run_batched

        mc = run_batched(traj.scenario, args.dispersions, args.seed)
    img = render_still(traj, args.at, camera=args.camera, size=size, quality=args.quality,
                       antialias=None if args.antialias == "none" else args.antialias, hud=not args.no_hud,
                       projection=projection, dispersion=mc)
    write_png(img, args.output)
    print(f"wrote {args.output} ({size[0]}x{size[1]}, {args.camera} at {args.at})")
    return 0
