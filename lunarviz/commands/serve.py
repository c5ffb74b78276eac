"""``lunarviz serve [SCENE]``: the flight in a classroom of browsers (trame; see :mod:`lunarviz.web`)."""

from __future__ import annotations

from . import add_scene_argument


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve", help="serve the 3D view to web browsers (a class follows the presenter's session)",
        description="Serve SCENE as a web page: the same scene, HUD and cameras as the viewer, with play/pause, "
                    "speed, scrub, event jumps and the what-if. Every browser follows the presenter's session "
                    "unless it opens 'My own session'. Binds to 127.0.0.1 unless --host is given.",
    )
    add_scene_argument(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (0.0.0.0: every interface, for a classroom network) [127.0.0.1]")
    p.add_argument("--port", type=int, default=8080, help="TCP port (0: any free one) [8080]")
    p.add_argument("--max-clients", type=int, default=30, metavar="N",
                   help="at most N browsers at once, over all sessions [30]")
    p.add_argument("--quality", choices=("high", "draft"), default="high",
                   help="mesh/texture detail, as the viewer's [high]; draft starts faster")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import LunarvizError
    from ..render.offscreen import check_headless
    from ..scenario import resolve

    resolve(args.scene)  # a misspelt scene name fails first, with the shipped names
    if not 0 <= args.port <= 65535:
        raise LunarvizError(f"--port {args.port}: expected 0 to 65535")
    if args.max_clients < 1:
        raise LunarvizError(f"--max-clients {args.max_clients}: expected at least 1")
    check_headless()
    try:
        import trame  # noqa: F401 - only whether it is installed
    except ImportError as exc:
        raise LunarvizError("lunarviz serve needs trame: pip install trame trame-vtk trame-vuetify") from exc
    from ..web.server import serve

    return serve(args.scene, host=args.host, port=args.port, max_clients=args.max_clients, quality=args.quality)
